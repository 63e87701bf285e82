"""Traces cross the bus; metrics are labelled by route template."""

from __future__ import annotations

import httpx
import pytest
from nats.aio.client import Client
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from tests.helpers import create_asset


@pytest.mark.parametrize(
    ("route", "subject"),
    [("/api/assets/{asset_id}", "assets.v1.asset.get"), ("/api/assets", "assets.v1.asset.list")],
)
async def test_one_trace_spans_gateway_bus_service_and_sql(
    gateway: httpx.AsyncClient, nc: Client, owner: str, spans: InMemorySpanExporter, route: str, subject: str
) -> None:
    asset = await create_asset(nc, owner)
    spans.clear()

    response = await gateway.get(route.replace("{asset_id}", asset["id"]))
    assert response.status_code == 200

    finished = spans.get_finished_spans()
    http = next(s for s in finished if s.name == f"GET {route}")
    in_trace = [s for s in finished if s.context.trace_id == http.context.trace_id]
    by_id = {s.context.span_id: s for s in in_trace}

    def parent_of(span: ReadableSpan) -> ReadableSpan | None:
        return by_id.get(span.parent.span_id) if span.parent else None

    send = next(s for s in in_trace if s.name == f"{subject} send")
    process = next(s for s in in_trace if s.name == f"{subject} process")
    sql = [s for s in in_trace if s.attributes and "db.query.text" in s.attributes]

    assert http.kind is SpanKind.SERVER
    assert parent_of(send) is http
    assert parent_of(process) is send
    assert any(parent_of(s) is process and "FROM assets.assets" in str(s.attributes["db.query.text"]) for s in sql)  # type: ignore[index]


async def test_an_incoming_traceparent_is_continued(gateway: httpx.AsyncClient, spans: InMemorySpanExporter) -> None:
    parent_trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    await gateway.get("/api/health/live", headers={"traceparent": f"00-{parent_trace}-00f067aa0ba902b7-01"})
    http = next(s for s in spans.get_finished_spans() if s.name == "GET /api/health/live")
    assert format(http.context.trace_id, "032x") == parent_trace


async def test_metrics_are_labelled_by_route_template_not_raw_path(gateway: httpx.AsyncClient, nc: Client) -> None:
    asset = await create_asset(nc, "did:privy:metrics")
    await gateway.get(f"/api/assets/{asset['id']}")
    await gateway.get("/api/does-not-exist/12345")

    text = (await gateway.get("/metrics")).text

    assert 'http_requests_total{method="GET",route="/api/assets/{asset_id}",status="200"}' in text
    assert asset["id"] not in text
    # Not as a label value (a sample's timestamp may hold those digits by chance).
    assert '"/api/does-not-exist/12345"' not in text
    assert "does-not-exist" not in text
    assert 'route="unmatched",status="404"' in text
    for name in ("http_request_duration_seconds_bucket", "http_request_size_bytes", "http_response_size_bytes"):
        assert name in text
    assert 'nats_request_duration_seconds_count{outcome="ok",subject="assets.v1.asset.get"}' in text
    assert "process_resident_memory_bytes" in text

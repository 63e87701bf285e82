"""The gateway's HTTP metrics, named as the original server named them."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram

from assetforge.common.observability.metrics import LATENCY_BUCKETS

SIZE_BUCKETS = (100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000)


@dataclass(frozen=True, slots=True)
class HttpMetrics:
    duration: Histogram
    requests: Counter
    request_size: Histogram
    response_size: Histogram


def make_http_metrics(registry: CollectorRegistry) -> HttpMetrics:
    labels = ["method", "route", "status"]
    return HttpMetrics(
        duration=Histogram(
            "http_request_duration_seconds", "HTTP request latency", labels, registry=registry, buckets=LATENCY_BUCKETS
        ),
        requests=Counter("http_requests_total", "HTTP requests", labels, registry=registry),
        request_size=Histogram(
            "http_request_size_bytes", "HTTP request body size", labels, registry=registry, buckets=SIZE_BUCKETS
        ),
        response_size=Histogram(
            "http_response_size_bytes", "HTTP response body size", labels, registry=registry, buckets=SIZE_BUCKETS
        ),
    )

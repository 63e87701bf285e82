"""OpenTelemetry set-up and trace context carried in NATS headers."""

from __future__ import annotations

from collections.abc import Mapping

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

TRACER_NAME = "assetforge"


def configure_tracing(service: str, version: str, otlp_endpoint: str | None) -> TracerProvider | None:
    """Export spans over OTLP when an endpoint is configured; otherwise leave the
    no-op tracer in place, which costs next to nothing per request."""
    if not otlp_endpoint:
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # noqa: PLC0415

    provider = TracerProvider(resource=Resource.create({"service.name": service, "service.version": version}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{otlp_endpoint.rstrip('/')}/v1/traces")))
    trace.set_tracer_provider(provider)
    return provider


def tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER_NAME)


def inject_headers(headers: dict[str, str]) -> dict[str, str]:
    """Add ``traceparent`` (and ``tracestate``) for the current span to ``headers``."""
    propagate.inject(headers)
    return headers


def extract_context(headers: Mapping[str, str] | None) -> Context:
    return propagate.extract(headers or {})


def tracing_enabled() -> bool:
    """True once a real (SDK) tracer provider is installed, by OTLP set-up or a test."""
    return isinstance(trace.get_tracer_provider(), TracerProvider)

"""Prometheus metrics, one registry per service (never the process-global one, so
several services can share a process in tests)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True, slots=True)
class BusMetrics:
    rpc_duration: Histogram
    request_duration: Histogram
    outbox_published: Counter
    outbox_pending: Gauge
    outbox_failures: Counter
    events_consumed: Counter
    events_duplicate: Counter


def make_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=True)
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    return registry


def make_bus_metrics(registry: CollectorRegistry) -> BusMetrics:
    return BusMetrics(
        rpc_duration=Histogram(
            "nats_rpc_handler_duration_seconds",
            "Time to answer a bus request, by subject and outcome",
            ["subject", "outcome"],
            registry=registry,
            buckets=LATENCY_BUCKETS,
        ),
        request_duration=Histogram(
            "nats_request_duration_seconds",
            "Round trip of requests this service sent, by subject and outcome",
            ["subject", "outcome"],
            registry=registry,
            buckets=LATENCY_BUCKETS,
        ),
        outbox_published=Counter(
            "outbox_published_total",
            "Outbox rows published to JetStream",
            registry=registry,
        ),
        outbox_pending=Gauge(
            "outbox_pending",
            "Outbox rows seen waiting at the last relay pass",
            registry=registry,
        ),
        outbox_failures=Counter(
            "outbox_publish_failures_total",
            "Relay passes that failed to publish",
            registry=registry,
        ),
        events_consumed=Counter(
            "events_consumed_total",
            "Events applied by durable consumers",
            ["consumer"],
            registry=registry,
        ),
        events_duplicate=Counter(
            "events_duplicate_total",
            "Redelivered events skipped by the inbox",
            ["consumer"],
            registry=registry,
        ),
    )


def render(registry: CollectorRegistry) -> tuple[bytes, str]:
    return generate_latest(registry), CONTENT_TYPE_LATEST

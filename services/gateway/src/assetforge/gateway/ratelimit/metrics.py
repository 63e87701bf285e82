from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter


@dataclass(frozen=True, slots=True)
class RateLimitMetrics:
    store_failures: Counter
    rejections: Counter


def make_rate_limit_metrics(registry: CollectorRegistry) -> RateLimitMetrics:
    return RateLimitMetrics(
        store_failures=Counter(
            "rate_limit_store_failures_total",
            "Rate-limit checks counted locally because NATS failed or timed out",
            registry=registry,
        ),
        rejections=Counter(
            "rate_limit_rejections_total", "Requests refused with 429, by bucket", ["bucket"], registry=registry
        ),
    )

"""The generation service's own metrics, beside the bus metrics every service has."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_STAGE_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800)


@dataclass(frozen=True, slots=True)
class GenerationMetrics:
    generations: Counter
    generation_duration: Histogram
    stage_duration: Histogram
    api_calls: Counter
    api_latency: Histogram
    jobs_in_flight: Gauge
    consumer_pending: Gauge


def make_generation_metrics(registry: CollectorRegistry) -> GenerationMetrics:
    return GenerationMetrics(
        generations=Counter(
            "asset_generations_total",
            "Pipelines that ended, by asset type and how",
            ["type", "status"],
            registry=registry,
        ),
        generation_duration=Histogram(
            "asset_generation_duration_seconds",
            "Submission to end of a pipeline",
            ["type"],
            buckets=_STAGE_BUCKETS,
            registry=registry,
        ),
        stage_duration=Histogram(
            "asset_generation_stage_duration_seconds",
            "Start to end of one stage",
            ["stage"],
            buckets=_STAGE_BUCKETS,
            registry=registry,
        ),
        api_calls=Counter(
            "ai_api_calls_total",
            "Calls to AI providers, by provider, model and outcome",
            ["provider", "model", "status"],
            registry=registry,
        ),
        api_latency=Histogram(
            "ai_api_latency_seconds",
            "Time one provider call took",
            ["provider"],
            buckets=(0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
            registry=registry,
        ),
        jobs_in_flight=Gauge("generation_jobs_in_flight", "Pipelines running in this replica", registry=registry),
        consumer_pending=Gauge(
            "generation_consumer_pending",
            "Run commands waiting in the runner's JetStream consumer",
            registry=registry,
        ),
    )

"""Server-Sent Event streams read from JetStream: ordered consumers, heartbeats, limits."""

from assetforge.gateway.streams.hub import StreamHub
from assetforge.gateway.streams.pipelines import (
    is_terminal,
    job_events,
    job_outcome,
    pipeline_events,
    pipeline_statuses,
)

__all__ = ["StreamHub", "is_terminal", "job_events", "job_outcome", "pipeline_events", "pipeline_statuses"]

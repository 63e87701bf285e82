"""The JetStream streams every service relies on, declared idempotently at start-up."""

from __future__ import annotations

import logging

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError

log = logging.getLogger(__name__)

DUPLICATE_WINDOW_S = 120.0
COMMANDS = "COMMANDS"
EVENTS = "EVENTS"


def stream_configs(replicas: int = 1) -> list[StreamConfig]:
    return [
        StreamConfig(
            name=COMMANDS,
            subjects=["cmd.>"],
            retention=RetentionPolicy.WORK_QUEUE,
            storage=StorageType.FILE,
            duplicate_window=DUPLICATE_WINDOW_S,
            num_replicas=replicas,
            max_age=7 * 24 * 3600.0,
        ),
        StreamConfig(
            name=EVENTS,
            subjects=["evt.>"],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            duplicate_window=DUPLICATE_WINDOW_S,
            num_replicas=replicas,
            discard=DiscardPolicy.OLD,
            max_age=30 * 24 * 3600.0,
        ),
    ]


async def ensure_streams(js: JetStreamContext, replicas: int = 1) -> None:
    """Create the streams, or bring an existing one's settings up to date."""
    for config in stream_configs(replicas):
        try:
            # Idempotent when the stream exists with the same settings, so several
            # services starting at once do not race each other.
            await js.add_stream(config)
        except BadRequestError:
            await js.update_stream(config)
            log.info("updated stream %s", config.name)

"""The JetStream streams every service relies on, declared idempotently at start-up."""

from __future__ import annotations

import logging

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError

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
    """Create the streams when missing; bring an existing one's settings up to date
    without ever lowering its replica count (an operator may have raised it)."""
    for config in stream_configs(replicas):
        name = config.name or ""
        try:
            existing = (await js.stream_info(name)).config
        except NotFoundError:
            try:
                await js.add_stream(config)
                log.info("created stream %s (%d replicas)", name, replicas)
                continue
            except BadRequestError:
                # Another service created it a moment ago; fall through to the update.
                existing = (await js.stream_info(name)).config
        config.num_replicas = max(existing.num_replicas or 1, replicas)
        if _differs(existing, config):
            await js.update_stream(config)
            log.info("updated stream %s", name)


def _differs(existing: StreamConfig, wanted: StreamConfig) -> bool:
    fields = ("subjects", "retention", "storage", "duplicate_window", "num_replicas", "max_age", "discard")
    return any(getattr(existing, f) != getattr(wanted, f) for f in fields)

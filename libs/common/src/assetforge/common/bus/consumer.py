"""Durable JetStream consumers that apply each event exactly once.

The effect and the inbox row commit in one transaction, and the message is
acknowledged only after that commit: a crash before the commit redelivers the
message, a crash after it redelivers a message the inbox then skips. Failures are
retried with a growing delay up to ``max_deliver`` times; a message that cannot be
decoded is terminated at once (retrying cannot fix it).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from faststream import AckPolicy
from faststream.nats import JStream, NatsBroker, NatsMessage, PullSub
from nats.js.api import AckPolicy as JsAckPolicy
from nats.js.api import ConsumerConfig, DeliverPolicy
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.bus.codec import decode
from assetforge.common.bus.context import RequestContext
from assetforge.common.bus.inbox import claim
from assetforge.common.bus.streams import EVENTS
from assetforge.common.contracts import headers as h
from assetforge.common.db.database import Database
from assetforge.common.errors import ValidationFailed
from assetforge.common.observability.context import request_id_var
from assetforge.common.observability.metrics import BusMetrics

log = logging.getLogger(__name__)

E = TypeVar("E")
Effect = Callable[[E, AsyncSession, RequestContext], Awaitable[None]]


async def _keep_message(body: Any, _original: Any = None) -> Any:
    """FastStream decoder that hands the handler the message itself."""
    return body


@dataclass(frozen=True, slots=True)
class EventConsumer:
    durable: str
    subject_filter: str
    event_type: type[Any]
    effect: Effect[Any]
    max_deliver: int = 10
    ack_wait_s: float = 30.0


def register_consumer(
    broker: NatsBroker, consumer: EventConsumer, database: Database, inbox: Table, metrics: BusMetrics
) -> None:
    """Subscribe ``consumer`` as a durable pull consumer on the EVENTS stream."""
    consumed = metrics.events_consumed.labels(consumer.durable)
    duplicates = metrics.events_duplicate.labels(consumer.durable)

    async def handle(message: NatsMessage) -> None:
        raw = message.raw_message
        headers = raw.headers or {}
        context = RequestContext.from_headers(headers)
        request_id_var.set(context.request_id)
        message_id = headers.get(h.MSG_ID) or f"seq:{raw.metadata.sequence.stream}"
        try:
            event = decode(raw.data, consumer.event_type)
        except ValidationFailed as error:
            log.error(  # noqa: TRY400 - the reason is known; a traceback adds nothing
                "dropping undecodable %s message %s: %s", raw.subject, message_id, error.message
            )
            await message.reject()
            return
        try:
            async with database.unit_of_work() as session:
                if await claim(session, inbox, consumer.durable, message_id):
                    await consumer.effect(event, session, context)
                    applied = True
                else:
                    applied = False
        except Exception:
            attempt = raw.metadata.num_delivered
            log.exception(
                "%s failed on %s (delivery %d of %d)", consumer.durable, message_id, attempt, consumer.max_deliver
            )
            await message.nack(delay=min(0.5 * 2**attempt, 60.0))
            return
        await message.ack()
        (consumed if applied else duplicates).inc()

    broker.subscriber(
        consumer.subject_filter,
        stream=JStream(EVENTS, declare=False),
        durable=consumer.durable,
        # One message per pull: with larger batches nats-py 2.16 may end an empty fetch
        # with a plain asyncio.TimeoutError, which FastStream 0.7.8 does not expect and
        # logs as a crash of the consumer loop (see docs/decisions.md).
        pull_sub=PullSub(batch_size=1, timeout=5.0),
        config=ConsumerConfig(
            durable_name=consumer.durable,
            ack_policy=JsAckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            max_deliver=consumer.max_deliver,
            ack_wait=consumer.ack_wait_s,
            filter_subject=consumer.subject_filter,
        ),
        ack_policy=AckPolicy.MANUAL,
        decoder=_keep_message,
        title=f"{consumer.durable}:{consumer.subject_filter}",
        description=f"Durable consumer {consumer.durable}",
    )(handle)

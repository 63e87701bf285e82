"""One stream's events: a JetStream ordered consumer on EVENTS, filtered to one
pipeline's subjects, its messages queued for the response that reads them.

The ordered consumer (nats-py's ``ordered_consumer=True``) is ephemeral, in memory, with
no acks: the server pushes the stream's messages in order, and the client re-creates the
consumer from the last sequence it saw whenever a gap or a lost heartbeat shows. What
the response reads is the queue: messages, and the hub's markers (a heartbeat is due,
NATS is gone). The consumer is unsubscribed and deleted when the response ends, however
it ends; should that fail (NATS is gone), the server drops it after ``INACTIVE_S``.
"""

from __future__ import annotations

import asyncio
import enum
import logging

import anyio
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy

from assetforge.common.bus.streams import EVENTS

log = logging.getLogger(__name__)

# How long the server keeps a consumer nobody listens to (a gateway that died, say).
INACTIVE_S = 30.0
# Subscribing and cleaning up are shielded from the response's cancellation, within this.
BUS_WAIT_S = 5.0
# Messages one slow client may leave unread before its stream is ended (it resumes with
# Last-Event-ID): memory stays bounded, and nothing is ever dropped from the middle.
MAX_BACKLOG = 10_000


class Marker(enum.Enum):
    HEARTBEAT = "heartbeat"
    # NATS is disconnected: the stream ends, and the client reconnects with Last-Event-ID.
    LOST = "lost"
    # The client reads too slowly (MAX_BACKLOG).
    BEHIND = "behind"


Item = Msg | Marker


class Feed:
    __slots__ = ("_client", "_ended", "_js", "_start_seq", "_sub", "_subject", "queue")

    def __init__(self, client: Client, subject: str, start_seq: int | None) -> None:
        self._client = client
        self._js = client.jetstream()
        self._subject = subject
        self._start_seq = start_seq
        self._sub: JetStreamContext.PushSubscription | None = None
        # Once the stream is to end (BEHIND, LOST), nothing more is queued.
        self._ended = False
        self.queue: asyncio.Queue[Item] = asyncio.Queue()

    async def open(self) -> None:
        """Every message of the subject from ``start_seq`` on (from the first without one)."""
        config = (
            ConsumerConfig(inactive_threshold=INACTIVE_S)
            if self._start_seq is None
            else ConsumerConfig(
                deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                opt_start_seq=self._start_seq,
                inactive_threshold=INACTIVE_S,
            )
        )
        # Shielded: a consumer made while the client left is still this feed's to delete.
        with anyio.fail_after(BUS_WAIT_S, shield=True):
            self._sub = await self._js.subscribe(
                self._subject, stream=EVENTS, cb=self._arrived, ordered_consumer=True, config=config
            )

    async def _arrived(self, msg: Msg) -> None:
        if self._ended:
            return
        if self.queue.qsize() >= MAX_BACKLOG:
            self._end(Marker.BEHIND)
            return
        self.queue.put_nowait(msg)

    def heartbeat(self) -> None:
        """A heartbeat, unless the client has something to read already."""
        if not self._ended and self.queue.empty():
            self.queue.put_nowait(Marker.HEARTBEAT)

    def lose(self) -> None:
        """NATS is gone: the stream ends after what is queued."""
        if not self._ended:
            self._end(Marker.LOST)

    def _end(self, marker: Marker) -> None:
        self._ended = True
        self.queue.put_nowait(marker)

    async def next(self) -> Item:
        return await self.queue.get()

    async def nothing_to_replay(self) -> bool:
        """Whether the consumer has had nothing to deliver, and has nothing pending."""
        if self._sub is None:
            return True
        info = await self._sub.consumer_info()
        return not info.num_pending and not (info.delivered and info.delivered.consumer_seq)

    async def close(self) -> None:
        sub, self._sub = self._sub, None
        if sub is None:
            return
        with anyio.move_on_after(BUS_WAIT_S, shield=True):
            try:
                await sub.unsubscribe()
                if self._client.is_connected:  # else the server drops it after INACTIVE_S
                    # The consumer it holds now (an ordered one is re-created as it goes);
                    # nats-py keeps its name in a private attribute only.
                    await self._js.delete_consumer(EVENTS, sub._consumer)  # noqa: SLF001
            except Exception as exc:  # noqa: BLE001 - the server drops it after INACTIVE_S
                log.debug("could not delete a stream's consumer: %s", exc)

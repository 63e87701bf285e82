"""The gateway's open event streams: how many there may be (``SSE_MAX_STREAMS``; one more
is a 503), their heartbeats, and their end when NATS goes away.

One task times all of them: every ``WATCH_S`` it looks at the connection, and every
``SSE_HEARTBEAT_S`` it queues a heartbeat on every feed (that has nothing else queued).
A stream has no timer of its own (nats-py keeps two small tasks per ordered consumer).
NATS lost for less than ``WATCH_S`` may go unseen: the ordered consumer then picks up
after the last message it had, so nothing is missed either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator

from nats.aio.client import Client

from assetforge.common.errors import ServiceUnavailable
from assetforge.gateway.streams.feed import Feed

# How often the connection is looked at: a stream ends this soon after NATS is lost.
WATCH_S = 0.5


class Slot:
    """One of the hub's places, held by one response until it ends."""

    __slots__ = ("_held", "_hub")

    def __init__(self, hub: StreamHub) -> None:
        self._hub = hub
        self._held = True

    def release(self) -> None:
        if self._held:
            self._held = False
            self._hub.release()

    def bind(self, frames: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        """``frames`` release the slot when they end; a response never started (its client
        left before the first frame) releases it when it is dropped."""
        weakref.finalize(frames, self.release)
        return frames


class StreamHub:
    def __init__(self, heartbeat_s: float, max_streams: int) -> None:
        self._heartbeat_s = heartbeat_s
        self._max_streams = max_streams
        self._feeds: set[Feed] = set()
        self._held = 0
        self._client: Client | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def open_streams(self) -> int:
        return self._held

    async def start(self, client: Client) -> None:
        self._client = client
        self._task = asyncio.create_task(self._watch(), name="event-streams")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for feed in list(self._feeds):
            feed.lose()

    def reserve(self) -> Slot:
        if self._client is None:
            raise ServiceUnavailable("event streams are not available yet")
        if self._held >= self._max_streams:
            raise ServiceUnavailable("too many event streams are open; retry shortly")
        self._held += 1
        return Slot(self)

    def release(self) -> None:
        self._held -= 1

    @contextlib.asynccontextmanager
    async def feed(self, subject: str, start_seq: int | None) -> AsyncIterator[Feed]:
        """A feed of ``subject``'s messages from ``start_seq`` (all without one), closed on exit."""
        if self._client is None:
            raise ServiceUnavailable("event streams are not available yet")
        feed = Feed(self._client, subject, start_seq)
        self._feeds.add(feed)
        try:
            await feed.open()
            yield feed
        finally:
            self._feeds.discard(feed)
            await feed.close()

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        heartbeat = self._heartbeat_s
        due = loop.time() + heartbeat
        while True:
            await asyncio.sleep(min(WATCH_S, heartbeat))
            now = loop.time()
            lost = self._client is not None and not self._client.is_connected
            beat = now >= due
            if beat:
                due = now + heartbeat
            if lost or beat:
                for feed in list(self._feeds):
                    if lost:
                        feed.lose()
                    else:
                        feed.heartbeat()

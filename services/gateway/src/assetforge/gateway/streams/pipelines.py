"""The two event streams of a pipeline, both read from the pipeline's events in JetStream
(``evt.generation.pipeline.<id>.*``, an ordered consumer each; no database polling), and
the same for other jobs (``evt.generation.job.<id>.*``: ``job_events``, and
``job_outcome``, with which a synchronous audio request waits for its job to end).

``pipeline_events``: every event as published: ``id:`` its stream sequence, ``event:``
its name (the subject's last token), ``data:`` its JSON untouched. All past events, then
live ones, from after ``Last-Event-ID`` when given (no gap, no repeat: the consumer
starts at that sequence + 1). It ends after a terminal event; for a pipeline already
terminal when asked, once the replay has caught up, terminal event or not (one resumed
after its terminal event has nothing more to send).

``pipeline_statuses``: the original server's stream: ``event: pipeline-update`` with the
pipeline's status, the current one first, then one per change until a terminal state.
Gap-free without polling: the first frame is the status the service answered; then the
consumer replays every event of the pipeline and goes on with live ones. Of the replay,
only the newest event counts (the one JetStream says nothing is pending after): it holds
everything that changed between the read and the subscription. From there on, a status
is sent unless it is the one sent last (same bytes) or older (``updatedAt``) than the
first frame (an event the outbox had not relayed yet when the service was read). Events
are decoded only as far as ``status``, kept as raw bytes and sent as they are.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime

import msgspec

from assetforge.common.contracts.generation import pipeline_event_subject
from assetforge.common.contracts.jobs import job_event_subject
from assetforge.common.contracts.pipelines import TERMINAL_EVENTS, TERMINAL_STATES, PipelineState
from assetforge.gateway.streams.feed import Marker
from assetforge.gateway.streams.frames import HEARTBEAT, OPENED, EventStream, event_frame
from assetforge.gateway.streams.hub import Slot, StreamHub

log = logging.getLogger(__name__)

UPDATE = "pipeline-update"
ReadStatus = Callable[[], Awaitable[bytes]]


class _Stamp(msgspec.Struct, rename="camel"):
    """What a status is compared by."""

    status: PipelineState
    updated_at: datetime


class _State(msgspec.Struct):
    status: PipelineState


class _Carrier(msgspec.Struct):
    """An event, decoded only as far as its status (a ``completed`` one may have none)."""

    status: msgspec.Raw = msgspec.Raw()


_stamp = msgspec.json.Decoder(_Stamp)
_state = msgspec.json.Decoder(_State)
_carrier = msgspec.json.Decoder(_Carrier)


def is_terminal(status: bytes) -> bool:
    return _stamp.decode(status).status in TERMINAL_STATES


def _subjects(pipeline_id: str) -> str:
    return pipeline_event_subject(pipeline_id, "*")


def pipeline_events(hub: StreamHub, pipeline_id: str, status: bytes, after: int | None) -> EventStream:
    """The stream of ``pipeline_id``'s events; ``status`` is what the service answered."""
    slot = hub.reserve()
    events = _events(hub, slot, _subjects(pipeline_id), after, terminal=is_terminal(status))
    return EventStream(slot.bind(events))


def job_events(hub: StreamHub, job_id: str, status: bytes, after: int | None) -> EventStream:
    """The same stream for an audio (or content) job: ``evt.generation.job.<id>.*``."""
    slot = hub.reserve()
    terminal = _state.decode(status).status in TERMINAL_STATES
    return EventStream(slot.bind(_events(hub, slot, job_event_subject(job_id, "*"), after, terminal=terminal)))


async def job_outcome(hub: StreamHub, job_id: str, timeout_s: float) -> bytes | None:
    """The job's terminal event (``completed``, ``failed``, ``cancelled``) as published,
    waiting up to ``timeout_s``; None if it has not ended by then. The replay starts at the
    job's first event, so an end published before the wait began is found too."""
    try:
        async with asyncio.timeout(timeout_s), hub.feed(job_event_subject(job_id, "*"), None) as feed:
            while True:
                item = await feed.next()
                if isinstance(item, Marker):
                    if item is Marker.HEARTBEAT:
                        continue
                    return None
                if item.subject.rpartition(".")[2] in TERMINAL_EVENTS:
                    return bytes(item.data)
    except TimeoutError:
        return None


def pipeline_statuses(hub: StreamHub, pipeline_id: str, status: bytes, read: ReadStatus) -> EventStream:
    """The original server's status stream; ``read`` asks the service again (for a
    terminal event that carries no status)."""
    slot = hub.reserve()
    return EventStream(slot.bind(_statuses(hub, slot, pipeline_id, status, read)))


async def _events(
    hub: StreamHub, slot: Slot, subjects: str, after: int | None, *, terminal: bool
) -> AsyncIterator[bytes]:
    try:
        async with hub.feed(subjects, None if after is None else after + 1) as feed:
            yield OPENED
            if terminal and await feed.nothing_to_replay():
                return
            while True:
                item = await feed.next()
                if item is Marker.HEARTBEAT:
                    yield HEARTBEAT
                    continue
                if isinstance(item, Marker):
                    return
                event = item.subject.rpartition(".")[2]
                meta = item.metadata
                yield event_frame(event, item.data, meta.sequence.stream)
                # A terminal event ends the stream only when nothing follows it: the replay
                # of a retried pipeline holds its earlier failure, then the new run.
                if not meta.num_pending and (event in TERMINAL_EVENTS or terminal):
                    return
    except Exception as exc:  # noqa: BLE001 - the response has begun: end it; the client resumes
        log.warning("the event stream of %s ended early: %s", subjects, exc)
    finally:
        slot.release()


async def _statuses(
    hub: StreamHub, slot: Slot, pipeline_id: str, first: bytes, read: ReadStatus
) -> AsyncIterator[bytes]:
    try:
        yield event_frame(UPDATE, first)
        floor = _stamp.decode(first)
        if floor.status in TERMINAL_STATES:
            return
        shown, replaying = first, True
        async with hub.feed(_subjects(pipeline_id), None) as feed:
            while True:
                item = await feed.next()
                if item is Marker.HEARTBEAT:
                    yield HEARTBEAT
                    continue
                if isinstance(item, Marker):
                    return
                if replaying:
                    # The past, up to the newest event there was when the consumer began.
                    replaying = bool(item.metadata.num_pending)
                    if replaying:
                        continue
                status = _status_of(item.data)
                if status is None and item.subject.rpartition(".")[2] in TERMINAL_EVENTS:
                    status = await read()
                stamp = None if status is None or status == shown else _stamp_of(status)
                if status is None or stamp is None or stamp.updated_at < floor.updated_at:
                    continue
                yield event_frame(UPDATE, status)
                shown = status
                if stamp.status in TERMINAL_STATES:
                    return
    except Exception as exc:  # noqa: BLE001 - the response has begun: end it; the client reconnects
        log.warning("the status stream of pipeline %s ended early: %s", pipeline_id, exc)
    finally:
        slot.release()


def _stamp_of(status: bytes) -> _Stamp | None:
    try:
        return _stamp.decode(status)
    except msgspec.DecodeError:
        return None


def _status_of(data: bytes) -> bytes | None:
    try:
        status = bytes(_carrier.decode(data).status)
    except msgspec.DecodeError:
        return None
    return status if status and status != b"null" else None

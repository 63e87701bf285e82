"""Server-Sent Event frames, as bytes: ``id``, ``event`` and ``data`` lines, then a blank
line; a line starting with ``:`` is a comment (the heartbeat)."""

from __future__ import annotations

from typing import Any

from litestar.response import Stream

# Sent first, so the client sees the response open before the first event.
OPENED = b": connected\n\n"
HEARTBEAT = b": keep-alive\n\n"
EVENT_STREAM = "text/event-stream"
# No caching, and no buffering by a proxy (nginx reads X-Accel-Buffering).
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def data_lines(data: bytes) -> bytes:
    """``data: <data>``; data holding line breaks (pretty-printed JSON, say) takes one
    ``data:`` line per line, which the client joins back with ``\\n``."""
    if b"\n" not in data and b"\r" not in data:
        return b"data: " + data + b"\n"
    lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    return b"".join(b"data: " + line + b"\n" for line in lines)


def event_frame(event: str, data: bytes, event_id: int | None = None) -> bytes:
    head = b"" if event_id is None else b"id: %d\n" % event_id
    return head + b"event: " + event.encode() + b"\n" + data_lines(data) + b"\n"


class EventStream(Stream):
    """An event stream, answered as ``text/event-stream`` whatever the route documents."""

    def __init__(self, frames: Any) -> None:
        super().__init__(frames, media_type=EVENT_STREAM, headers=HEADERS)

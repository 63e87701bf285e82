"""SSE watchers for bench/generation.py: plain sockets that count events and nothing
else, so the client side costs little of the CPU the gateway is measured on."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from urllib.parse import urlsplit

TERMINAL = (b"event: completed", b"event: failed", b"event: cancelled")


def gateway_cpu_seconds(pid: int) -> float:
    """User plus system CPU time of process ``pid`` (utime + stime from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


async def watch(base_url: str, token: str, pipeline_id: str) -> tuple[int, bool]:
    """Read one pipeline's event stream to its end; the events it held and whether the
    last was terminal."""
    address = urlsplit(base_url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    request = (
        f"GET /api/generation/pipeline/{pipeline_id}/events HTTP/1.1\r\n"
        f"Host: {address.netloc}\r\nAuthorization: Bearer {token}\r\n"
        "Accept: text/event-stream\r\nConnection: close\r\n\r\n"
    )
    writer.write(request.encode())
    events, last = 0, b""
    buffer = b""
    try:
        while chunk := await reader.read(65536):
            buffer += chunk
            *frames, buffer = buffer.split(b"\n\n")
            for frame in frames:
                if b"\nid: " in frame or frame.startswith(b"id: "):
                    events += 1
                    last = frame
    finally:
        writer.close()
    return events, any(marker in last for marker in TERMINAL)


async def watch_all(base_url: str, token: str, pipeline_ids: list[str]) -> tuple[int, float, int]:
    """Every watcher at once; events delivered, seconds, and streams that ended properly."""
    started = time.perf_counter()
    outcomes = await asyncio.gather(*(watch(base_url, token, p) for p in pipeline_ids))
    return sum(n for n, _ in outcomes), time.perf_counter() - started, sum(1 for _, ended in outcomes if ended)

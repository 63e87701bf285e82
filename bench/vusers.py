"""Virtual users for ``bench/health.py``: closed-loop clients on raw keep-alive sockets,
and a sampler of the database's backends per application name.

The client is a few lines of asyncio rather than wrk because the checklist's load test
is a fixed amount of work (N users x M requests), not a duration; its own overhead
(one Python process parsing every response) is included in the latencies it reports.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from assetforge.common.db import to_async_url

REQUEST_TIMEOUT_S = 10.0
BACKENDS = text("SELECT application_name, count(*) FROM pg_stat_activity WHERE datname = current_database() GROUP BY 1")


@dataclass
class Outcome:
    """What a closed-loop run saw: every latency (seconds) and every status (0: failed)."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status != 200)

    def percentile_ms(self, share: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


async def _response_status(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
        elif name.strip().lower() == b"transfer-encoding":
            raise RuntimeError("chunked responses are not supported by this client")
    await reader.readexactly(length)
    return int(lines[0].split()[1])


async def _user(host: str, port: int, path: str, requests: int, outcome: Outcome) -> None:
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), REQUEST_TIMEOUT_S)
    except (OSError, TimeoutError):
        outcome.statuses[0] += requests
        return
    try:
        for sent in range(requests):
            started = time.perf_counter()
            try:
                writer.write(request)
                status = await asyncio.wait_for(_response_status(reader), REQUEST_TIMEOUT_S)
            except (OSError, TimeoutError, asyncio.IncompleteReadError):
                outcome.statuses[0] += requests - sent
                return
            outcome.latencies.append(time.perf_counter() - started)
            outcome.statuses[status] += 1
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def closed_loop(host: str, port: int, path: str, users: int, requests: int) -> Outcome:
    """``users`` clients at once, each sending ``requests`` sequential requests on its own
    connection (connecting is not part of a request's latency)."""
    outcome = Outcome()
    started = time.perf_counter()
    await asyncio.gather(*(_user(host, port, path, requests, outcome) for _ in range(users)))
    outcome.seconds = time.perf_counter() - started
    return outcome


@dataclass
class Backends:
    """The most backends seen at once for ``names`` and in all (the sampler's own
    included), and every application name seen."""

    names: tuple[str, ...]
    peak: int = 0
    peak_total: int = 0
    seen: set[str] = field(default_factory=set)
    samples: int = 0

    def record(self, rows: Iterable[tuple[str, int]]) -> None:
        counts = Counter({str(name): int(count) for name, count in rows})
        self.samples += 1
        self.seen.update(counts)
        self.peak = max(self.peak, sum(counts[name] for name in self.names))
        self.peak_total = max(self.peak_total, sum(counts.values()))


@contextlib.asynccontextmanager
async def sampling(database_url: str, names: tuple[str, ...], every_s: float = 0.02) -> AsyncIterator[Backends]:
    """Sample ``pg_stat_activity`` on a connection of its own while the block runs."""
    backends = Backends(names)
    engine = create_async_engine(to_async_url(database_url), poolclass=NullPool, isolation_level="AUTOCOMMIT")

    async def sample() -> None:
        async with engine.connect() as connection:
            while True:
                backends.record((row[0], row[1]) for row in (await connection.execute(BACKENDS)).all())
                await asyncio.sleep(every_s)

    task = asyncio.create_task(sample())
    try:
        yield backends
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await engine.dispose()

"""What the pipeline tests share: a Server-Sent Events reader, submitting and waiting for
pipelines, and a stack whose pipelines take their time.

The session's stack runs offline pipelines in a fraction of a second: right for following
one to its end, too quick for a stream that must stay open. ``slow_stack`` runs the real
media, generation and gateway services on a NATS and a database of their own, offline
tasks taking ten minutes each (OFFLINE_LATENCY_MS): a pipeline submitted there sits in
its image-to-3D stage until it is cancelled. Its gateway sends heartbeats every 0.2 s and
takes at most ``SLOW_MAX_STREAMS`` streams.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import nats
import pytest

from assetforge.common.db import migrations
from assetforge.common.devstack import EmbeddedNats, drop_database, ensure_database
from tests.support import ENTRIES, RunningService, running_stack, wait_until

KEEP_ALIVE = ": keep-alive"
CONNECTED = ": connected"
EVENTS = "/api/generation/pipeline/{}/events"
STATUSES = "/api/generation/{}/status/stream"
IMAGE_3D = "image3D"
SLOW_HEARTBEAT_S = 0.2
SLOW_MAX_STREAMS = 3


@dataclass
class Frame:
    """One message of an event stream, or a comment (``comment`` set, nothing else)."""

    id: int | None = None
    event: str | None = None
    data: str = ""
    comment: str | None = None

    def json(self) -> Any:
        return json.loads(self.data)


async def frames(response: httpx.Response) -> AsyncIterator[Frame]:
    """The messages and comments of an event stream as they arrive."""
    frame = Frame()
    lines: list[str] = []
    async for line in response.aiter_lines():
        if line.startswith(":"):
            yield Frame(comment=line)
        elif line == "":
            if lines or frame.event is not None or frame.id is not None:
                frame.data = "\n".join(lines)
                yield frame
            frame, lines = Frame(), []
        else:
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "data":
                lines.append(value)
            elif name == "event":
                frame.event = value
            elif name == "id":
                frame.id = int(value)


async def next_message(reader: AsyncIterator[Frame]) -> Frame:
    """The next message, comments skipped. Keep ``reader`` while the stream is wanted: a
    reader dropped early closes its connection."""
    async for frame in reader:
        if frame.comment is None:
            return frame
    raise AssertionError("the stream ended")


async def beats(reader: AsyncIterator[Frame], count: int) -> int:
    """Read on until ``count`` heartbeats came; how many messages came meanwhile."""
    heartbeats = messages = 0
    async for frame in reader:
        heartbeats += frame.comment == KEEP_ALIVE
        messages += frame.comment is None
        if heartbeats == count:
            break
    return messages


def ids_of(found: list[Frame]) -> list[int]:
    ids = [frame.id for frame in found if frame.id is not None]
    assert len(ids) == len(found), "an event came without its id"
    return ids


async def read_all(response: httpx.Response) -> list[Frame]:
    """Every message (comments left out) until the server ends the stream."""
    return [frame async for frame in frames(response) if frame.comment is None]


async def events_of(client: httpx.AsyncClient, pipeline_id: str, headers: dict[str, str], **params: Any) -> list[Frame]:
    """A pipeline's /events, read to their end."""
    async with client.stream("GET", EVENTS.format(pipeline_id), headers=headers, params=params) as response:
        assert response.status_code == 200, await response.aread()
        return await read_all(response)


async def submit(client: httpx.AsyncClient, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    response = await client.post("/api/generation/pipeline", json={"name": "Bronze sword", **fields}, headers=headers)
    assert response.status_code == 202, response.text
    accepted: dict[str, Any] = response.json()
    return accepted


async def status_of(client: httpx.AsyncClient, pipeline_id: str, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get(f"/api/generation/pipeline/{pipeline_id}", headers=headers)
    assert response.status_code == 200, response.text
    status: dict[str, Any] = response.json()
    return status


async def until_state(
    client: httpx.AsyncClient, pipeline_id: str, headers: dict[str, str], *states: str, timeout: float = 30.0
) -> dict[str, Any]:
    async def reached() -> dict[str, Any] | None:
        status = await status_of(client, pipeline_id, headers)
        return status if status["status"] in states else None

    found: dict[str, Any] = await wait_until(reached, timeout=timeout)
    return found


async def until_stage(
    client: httpx.AsyncClient, pipeline_id: str, headers: dict[str, str], stage: str
) -> dict[str, Any]:
    """The status once ``stage`` is running (where a slow pipeline then stays)."""

    async def reached() -> dict[str, Any] | None:
        status = await status_of(client, pipeline_id, headers)
        return status if status["stages"][stage]["status"] == "processing" else None

    found: dict[str, Any] = await wait_until(reached, timeout=30.0)
    return found


@dataclass
class SlowStack:
    nats: EmbeddedNats
    database_url: str
    services: dict[str, RunningService]

    @property
    def url(self) -> str:
        return self.services["gateway"].url

    async def holds(self, streams: int) -> bool:
        """Whether the gateway holds a place for exactly this many streams now."""
        edge: Any = self.services["gateway"].server.config.app
        return bool(edge.app.state.pipeline_streams.open_streams == streams)

    async def consumers(self) -> int:
        """The consumers of the EVENTS stream, on the server."""
        client = await nats.connect(self.nats.url)
        try:
            return int((await client.jetstream().stream_info("EVENTS")).state.consumer_count or 0)
        finally:
            await client.close()

    async def has_consumers(self, count: int) -> bool:
        return await self.consumers() == count

    async def publish(self, pipeline_id: str, event: str, status: dict[str, Any]) -> tuple[int, bytes]:
        """An event of the pipeline, straight into JetStream: its sequence and bytes."""
        at = datetime.now(UTC).isoformat()
        body = json.dumps({"pipelineId": pipeline_id, "event": event, "at": at, "status": status}).encode()
        client = await nats.connect(self.nats.url)
        try:
            ack = await client.jetstream().publish(f"evt.generation.pipeline.{pipeline_id}.{event}", body)
        finally:
            await client.close()
        return ack.seq, body


def stamped(status: dict[str, Any], *, progress: int, at: datetime) -> dict[str, Any]:
    """``status`` with another progress, changed at ``at``."""
    return {**status, "progress": progress, "updatedAt": at.isoformat().replace("+00:00", "Z")}


async def running(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    """A new pipeline of the caller's on the slow stack, in the stage where it stays."""
    pipeline_id = (await submit(client, headers, type="weapon"))["pipelineId"]
    return await until_stage(client, pipeline_id, headers, IMAGE_3D)


async def cancel(client: httpx.AsyncClient, pipeline_id: str, headers: dict[str, str]) -> None:
    response = await client.post(f"/api/generation/pipeline/{pipeline_id}/cancel", headers=headers)
    assert response.status_code == 200, response.text


async def slow_stack(
    environ: dict[str, str], postgres_server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[SlowStack]:
    """Media, generation and gateway on a NATS and database of their own (see above); a
    module's fixture (``pytest.fixture(scope="module")(slow_stack)``)."""
    nats_server = EmbeddedNats(tmp_path_factory.mktemp("slow-nats")).start()
    name = f"af_slow_{uuid.uuid4().hex[:12]}"
    database_url = await ensure_database(postgres_server_url, name)
    try:
        for entry in ENTRIES.values():
            await asyncio.to_thread(migrations.upgrade, entry.migrations, database_url)
        env = {
            **environ,
            "NATS_URL": nats_server.url,
            "DATABASE_URL": database_url,
            "OFFLINE_LATENCY_MS": "600000",
            "SSE_HEARTBEAT_S": str(SLOW_HEARTBEAT_S),
            "SSE_MAX_STREAMS": str(SLOW_MAX_STREAMS),
        }
        async with running_stack(env, names=("media", "generation", "gateway")) as services:
            yield SlowStack(nats_server, database_url, services)
    finally:
        nats_server.stop()
        await drop_database(postgres_server_url, name)


async def slow_client(slow: SlowStack) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the slow stack's gateway (a test's fixture, as above)."""
    async with httpx.AsyncClient(base_url=slow.url, timeout=10) as client:
        yield client

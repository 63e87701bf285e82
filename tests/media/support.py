"""Calling the media service over the bus, and staging files in its blob store, as the
gateway and the generation service do."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import msgspec
import nats
from nats.aio.client import Client

from assetforge.common.blobs import BlobStore, JetStreamBlobStore, open_blob_store
from assetforge.common.contracts import headers as h
from assetforge.common.db import migrations
from assetforge.common.devstack import EmbeddedNats, drop_database, ensure_database
from assetforge.media.app import ENTRY as MEDIA
from tests.support import RunningService, service_env, start_service


@dataclass(frozen=True)
class Reply:
    ok: bool
    body: dict[str, Any]

    @property
    def code(self) -> str | None:
        return None if self.ok else str(self.body["code"])

    def field_names(self) -> set[str]:
        return {field["field"] for field in self.body.get("fields") or []}


async def call(nc: Client, subject: str, body: dict[str, Any], user: str | None = None, role: str = "member") -> Reply:
    headers = {h.REQUEST_ID: f"t-{uuid.uuid4().hex[:8]}"}
    if user is not None:
        headers |= {h.USER_ID: user, h.USER_ROLE: role}
    reply = await nc.request(subject, msgspec.json.encode(body), timeout=10, headers=headers)
    ok = not reply.headers or reply.headers.get(h.STATUS) != h.STATUS_ERROR
    decoded: dict[str, Any] = msgspec.json.decode(reply.data)
    return Reply(ok, decoded)


async def _chunks(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def stage(store: BlobStore, bucket: str, data: bytes) -> dict[str, Any]:
    """Put ``data`` under a staging name, as a writer does; the StagedObject to send."""
    info = await store.put(bucket, _chunks(data))
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    return {"bucket": info.bucket, "name": info.name, "size": info.size, "sha256": info.sha256}


async def read_all(store: BlobStore, bucket: str, name: str) -> bytes:
    return b"".join([piece async for piece in store.read(bucket, name)])


async def subscribe(nc: Client, subject: str) -> asyncio.Queue[dict[str, Any]]:
    """Events as they reach the stream (a JetStream publish is seen by core subscribers)."""
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def received(msg: Any) -> None:
        await queue.put({"subject": msg.subject, **msgspec.json.decode(msg.data)})

    await nc.subscribe(subject, cb=received)
    return queue


@dataclass
class OwnMedia:
    """A media service on a NATS and a database of its own (its settings differ from the
    session stack's, and two deployments must not share a database)."""

    service: RunningService
    nc: Client
    store: JetStreamBlobStore
    database_url: str


@contextlib.asynccontextmanager
async def own_media(data_dir: Any, postgres_server_url: str, **environ: str) -> AsyncIterator[OwnMedia]:
    server = EmbeddedNats(data_dir).start()
    name = f"af_media_{uuid.uuid4().hex[:10]}"
    url = await ensure_database(postgres_server_url, name)
    service: RunningService | None = None
    nc: Client | None = None
    try:
        await asyncio.to_thread(migrations.upgrade, MEDIA.migrations, url)
        service = await start_service("media", service_env(server.url, url, **environ))
        nc = await nats.connect(server.url)
        store = await open_blob_store(nc.jetstream())
        yield OwnMedia(service=service, nc=nc, store=store, database_url=url)
    finally:
        if nc is not None:
            await nc.close()
        if service is not None:
            await service.stop()
        server.stop()
        await drop_database(postgres_server_url, name)

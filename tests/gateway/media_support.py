"""Helpers of the gateway's file-route tests: callers, uploads, raw HTTP (httpx would
normalise the very paths the traversal tests send), and a look into the blob store."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from nats.aio.client import Client

from assetforge.common.blobs import STAGING_PREFIX, BlobStore
from tests.helpers import create_asset, scalar
from tests.privy import FakePrivy, bearer


@dataclass(frozen=True)
class User:
    id: str
    headers: dict[str, str]


async def sign_in(
    gateway: httpx.AsyncClient, privy: FakePrivy, *, role: str = "member", database_url: str = ""
) -> User:
    """A new user (an admin when asked, through the database as the admin tests do)."""
    subject = f"did:privy:files-{uuid.uuid4().hex[:10]}"
    if role != "member":
        await scalar(
            database_url,
            "INSERT INTO gateway.users (id, privy_user_id, role) VALUES (:i, :s, :r) RETURNING 1",
            i=uuid.uuid4(),
            s=subject,
            r=role,
        )
    headers = bearer(privy.token(subject))
    me = await gateway.get("/api/users/me", headers=headers)
    assert me.status_code == 200, me.text
    return User(me.json()["user"]["id"], headers)


async def new_asset(nc: Client, owner: User, *, visibility: str = "public") -> str:
    asset = await create_asset(nc, owner.id, name=f"files {uuid.uuid4().hex[:6]}", visibility=visibility)
    return str(asset["id"])


async def upload(gateway: httpx.AsyncClient, user: User, data: bytes, name: str, **fields: str) -> httpx.Response:
    return await gateway.post(
        "/api/media/uploads", headers=user.headers, files={"file": (name, data)}, data=fields, timeout=60
    )


async def staged(store: BlobStore, bucket: str) -> set[str]:
    """Names under the staging prefix: what a failed or abandoned write would leave."""
    return {info.name async for info in store.list(bucket, STAGING_PREFIX)}


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return httpx.Response(self.status, content=self.body).json()


async def raw_get(base_url: str, raw_path: str, headers: dict[str, str] | None = None) -> RawResponse:
    """GET ``raw_path`` byte for byte as given (no normalising, no re-encoding)."""
    parts = urlsplit(base_url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        lines = [f"GET {raw_path} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        await writer.drain()
        response = await reader.read()
    finally:
        writer.close()
    head, _, body = response.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    found = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        found[name.strip().lower()] = value.strip()
    return RawResponse(int(status_line.split()[1]), found, body)

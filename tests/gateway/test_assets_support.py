"""What the catalog's tests share: two members and an admin with their credentials,
assets made through the gateway, listings read whole, and waiting for events to land."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import msgspec
from nats.aio.client import Client

from assetforge.common.contracts.assets import Visibility
from assetforge.common.contracts.generation import (
    GeneratedFile,
    PipelineCompleted,
    catalog_asset_id,
    pipeline_event_subject,
)
from tests.helpers import scalar
from tests.privy import FakePrivy, bearer

T = TypeVar("T")


@dataclass(frozen=True)
class Person:
    id: str
    headers: dict[str, str]


@dataclass(frozen=True)
class People:
    alice: Person
    bob: Person
    admin: Person


async def _person(gateway: httpx.AsyncClient, privy: FakePrivy, subject: str) -> Person:
    headers = bearer(privy.token(subject))
    me = await gateway.get("/api/users/me", headers=headers)
    assert me.status_code == 200, me.text
    return Person(me.json()["user"]["id"], headers)


async def people_of(gateway: httpx.AsyncClient, privy: FakePrivy, database_url: str) -> People:
    """Two members (first seen now) and an admin (made one before first sight)."""
    prefix = f"did:privy:cat-{uuid.uuid4().hex[:10]}"
    await scalar(
        database_url,
        "INSERT INTO gateway.users (id, privy_user_id, role) VALUES (:i, :s, 'admin') RETURNING 1",
        i=uuid.uuid4(),
        s=f"{prefix}-admin",
    )
    return People(
        alice=await _person(gateway, privy, f"{prefix}-alice"),
        bob=await _person(gateway, privy, f"{prefix}-bob"),
        admin=await _person(gateway, privy, f"{prefix}-admin"),
    )


async def new_asset(gateway: httpx.AsyncClient, person: Person, **fields: Any) -> dict[str, Any]:
    """An asset registered through ``POST /api/assets`` (public unless told)."""
    body = {"name": f"blade {uuid.uuid4().hex[:6]}", "type": "weapon", "visibility": "public", **fields}
    response = await gateway.post("/api/assets", json=body, headers=person.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def listed(
    gateway: httpx.AsyncClient, headers: dict[str, str] | None = None, **params: Any
) -> list[dict[str, Any]]:
    response = await gateway.get("/api/assets", params=params, headers=headers)
    assert response.status_code == 200, response.text
    page: list[dict[str, Any]] = response.json()
    return page


def ids(assets: list[dict[str, Any]]) -> list[str]:
    return [asset["id"] for asset in assets]


async def eventually(check: Callable[[], Awaitable[T | None]], timeout: float = 10.0) -> T:
    """The first truthy answer of ``check``, asked until ``timeout`` (events are relayed
    and consumed off the request)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = await check()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"still {answer!r} after {timeout}s")
        await asyncio.sleep(0.05)


async def publish(nc: Client, subject: str, event: msgspec.Struct, msg_id: str | None = None) -> str:
    """An event on the EVENTS stream, as another service's outbox relay would publish it;
    returns its message id."""
    msg_id = msg_id or str(uuid.uuid4())
    await nc.jetstream().publish(subject, msgspec.json.encode(event), headers={"Nats-Msg-Id": msg_id}, timeout=5)
    return msg_id


def pipeline(owner: Person, **fields: Any) -> PipelineCompleted:
    """A finished pipeline of ``owner``'s with a model and a thumbnail (no media records)."""
    pipeline_id = str(uuid.uuid4())
    defaults: dict[str, Any] = {
        "pipeline_id": pipeline_id,
        "owner_id": owner.id,
        "name": f"forged {pipeline_id[:6]}",
        "type": "weapon",
        "completed_at": datetime.now(tz=UTC),
        "visibility": Visibility.PUBLIC,
        "model": GeneratedFile(url=f"/gdd-assets/{pipeline_id}/model.glb", file_name="model.glb"),
        "thumbnail": GeneratedFile(url=f"/gdd-assets/{pipeline_id}/thumbnail.png"),
    }
    return PipelineCompleted(**{**defaults, **fields})


async def completed(
    nc: Client, gateway: httpx.AsyncClient, event: PipelineCompleted, owner: Person, msg_id: str | None = None
) -> dict[str, Any]:
    """Publish ``event`` and wait for its asset to be in the catalog."""
    await publish(nc, pipeline_event_subject(event.pipeline_id, "completed"), event, msg_id)
    asset_id = catalog_asset_id(event.pipeline_id, event.asset_id)

    async def found() -> dict[str, Any] | None:
        response = await gateway.get(f"/api/assets/{asset_id}", headers=owner.headers)
        return response.json() if response.status_code == 200 else None  # type: ignore[no-any-return]

    return await eventually(found)

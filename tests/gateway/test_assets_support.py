"""What the catalog's asset tests share (the people: tests/gateway/people.py): assets
made through the gateway, listings read whole, and waiting for events to land."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
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
from tests.gateway.people import Person

T = TypeVar("T")


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

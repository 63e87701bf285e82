"""The people the world-config and material-preset tests need: two members and an admin,
each with their gateway user id (what owns things on the bus) and credentials."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from tests.helpers import scalar
from tests.privy import FakePrivy, bearer

BASE = "/api/world-config"


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
    prefix = f"did:privy:world-{uuid.uuid4().hex[:10]}"
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


async def create_config(gateway: httpx.AsyncClient, person: Person, **fields: Any) -> dict[str, Any]:
    """A new world config of ``person``'s, as the API answers it."""
    response = await gateway.post(BASE, json={"name": "Aldoria", **fields}, headers=person.headers)
    assert response.status_code == 201, response.text
    config: dict[str, Any] = response.json()["config"]
    return config


async def history_of(gateway: httpx.AsyncClient, person: Person, config_id: str) -> list[dict[str, Any]]:
    response = await gateway.get(f"{BASE}/{config_id}/history", headers=person.headers)
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["history"]
    return entries


def fields_of(response: httpx.Response) -> list[str]:
    """The fields a 422 names."""
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "VALIDATION_ERROR"
    return [f["field"] for f in response.json()["fields"]]

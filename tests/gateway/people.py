"""The people the catalog's tests need: two members and an admin, each with their gateway
user id (what owns things on the bus) and credentials."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx

from tests.helpers import scalar
from tests.privy import FakePrivy, bearer


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
    """Two members (first seen now) and an admin (made one before first sight), new for
    each call so tests sharing the database do not see each other's things."""
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

"""What the world-config and material-preset tests share (the people:
tests/gateway/people.py): configs made through the gateway, their history, 422 fields."""

from __future__ import annotations

from typing import Any

import httpx

from tests.gateway.people import Person

BASE = "/api/world-config"


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

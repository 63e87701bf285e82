"""``/api/users/api-keys`` serves personal ``af_`` keys and the caller's own provider keys,
told apart by the body: provider keys are stored (by the generation service, sealed) and
never echoed; a personal-key body still makes an ``af_`` key; status, removal, 401
without a user, and a bad value refused naming its field."""

from __future__ import annotations

import httpx
import pytest

from assetforge.gateway.schemas import ApiKeysBody
from tests.helpers import scalar
from tests.privy import FakePrivy, bearer

pytestmark = pytest.mark.usefixtures("stack")
KEYS = "/api/users/api-keys"
MESHY_KEY = "msy-users-own-7d3e91ab"
ELEVEN_KEY = "xi-users-own-2c9f4e10"
NOTHING = {"meshy": False, "aiGateway": False, "elevenLabs": False}


async def test_provider_keys_are_stored_never_echoed_shown_as_flags_and_removed(
    gateway: httpx.AsyncClient, privy: FakePrivy, owner: str, database_url: str
) -> None:
    signed_in = bearer(privy.token(owner))
    assert (await gateway.get(f"{KEYS}/status", headers=signed_in)).json() == {"keysConfigured": NOTHING}

    stored = await gateway.post(
        KEYS, headers=signed_in, json={"meshyApiKey": MESHY_KEY, "elevenLabsApiKey": ELEVEN_KEY}
    )
    assert stored.status_code == 200, stored.text
    assert stored.json() == {"success": True, "keysConfigured": {"meshy": True, "aiGateway": False, "elevenLabs": True}}
    assert MESHY_KEY not in stored.text
    assert ELEVEN_KEY not in stored.text
    status = await gateway.get(f"{KEYS}/status", headers=signed_in)
    assert status.status_code == 200
    assert status.json() == {"keysConfigured": {"meshy": True, "aiGateway": False, "elevenLabs": True}}

    me = (await gateway.get("/api/users/me", headers=signed_in)).json()["user"]
    sealed = await scalar(
        database_url,
        "SELECT string_agg(encode(ciphertext, 'escape'), '') FROM generation.provider_keys WHERE owner_id = :o",
        o=me["id"],
    )
    assert MESHY_KEY not in sealed
    assert ELEVEN_KEY not in sealed

    # Null leaves a key, "" removes it.
    partly = await gateway.post(KEYS, headers=signed_in, json={"meshyApiKey": "", "elevenLabsApiKey": None})
    assert partly.status_code == 200, partly.text
    assert partly.json()["keysConfigured"] == {"meshy": False, "aiGateway": False, "elevenLabs": True}

    removed = await gateway.delete(KEYS, headers=signed_in)
    assert removed.status_code == 200, removed.text
    assert removed.json() == {"success": True, "keysConfigured": NOTHING}
    assert (await gateway.get(f"{KEYS}/status", headers=signed_in)).json() == {"keysConfigured": NOTHING}
    count = "SELECT count(*) FROM generation.provider_keys WHERE owner_id = :o"
    assert await scalar(database_url, count, o=me["id"]) == 0


async def test_a_personal_key_body_still_makes_an_af_key_and_provider_keys_leave_it_alone(
    gateway: httpx.AsyncClient, privy: FakePrivy, owner: str
) -> None:
    signed_in = bearer(privy.token(owner))
    created = await gateway.post(KEYS, headers=signed_in, json={"name": "cli"})
    assert created.status_code == 201, created.text
    key = created.json()["key"]
    assert key.startswith("af_test_")
    assert (await gateway.post(KEYS, headers=signed_in, json={"aiGatewayApiKey": "vck-own-key-123"})).status_code == 200
    assert (await gateway.delete(KEYS, headers=signed_in)).status_code == 200
    listed = (await gateway.get(KEYS, headers=signed_in)).json()["keys"]
    assert [(k["keyId"], k["revokedAt"]) for k in listed] == [(created.json()["keyId"], None)]
    assert (await gateway.get("/api/users/me", headers=bearer(key))).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("POST", KEYS, {"elevenLabsApiKey": ELEVEN_KEY}), ("GET", f"{KEYS}/status", None), ("DELETE", KEYS, None)],
)
async def test_every_route_needs_a_signed_in_user(
    gateway: httpx.AsyncClient, method: str, path: str, body: dict[str, str] | None
) -> None:
    response = await gateway.request(method, path, json=body)
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "UNAUTHORIZED"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        # The service's rules: a 422 naming the field.
        ({"elevenLabsApiKey": "short"}, 422, "elevenLabsApiKey"),
        ({"meshyApiKey": "has spaces in it"}, 422, "meshyApiKey"),
        ({"aiGatewayApiKey": "line\nbreak-in-key"}, 422, "aiGatewayApiKey"),
        # A personal key's fields and a provider's, or neither: a 422 naming `name`.
        ({"name": "cli", "meshyApiKey": MESHY_KEY}, 422, "name"),
        ({}, 422, "name"),
        # What breaks the body's schema: the identity routes' 400.
        ({"meshyApiKey": "k" * 513}, 400, "meshyApiKey"),
        ({"meshyApiKey": 12345678}, 400, "meshyApiKey"),
    ],
)
async def test_a_bad_body_is_refused_naming_the_field_and_never_its_value(
    gateway: httpx.AsyncClient, privy: FakePrivy, owner: str, body: dict[str, object], status: int, field: str
) -> None:
    signed_in = bearer(privy.token(owner))
    response = await gateway.post(KEYS, headers=signed_in, json=body)
    assert response.status_code == status, response.text
    assert [f["field"] for f in response.json()["fields"]] == [field]
    for value in body.values():
        if isinstance(value, str) and value != "cli":
            assert value not in response.text
    assert (await gateway.get(f"{KEYS}/status", headers=signed_in)).json() == {"keysConfigured": NOTHING}


def test_the_body_does_not_show_the_keys_it_carries() -> None:
    body = ApiKeysBody(ai_gateway_api_key=MESHY_KEY, eleven_labs_api_key="")
    assert MESHY_KEY not in repr(body)
    assert MESHY_KEY not in repr(body.provider_keys())

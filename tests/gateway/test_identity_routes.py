"""The identity routes: completing the profile, settings, roles and the activity log."""

from __future__ import annotations

import uuid

import httpx

from tests.helpers import scalar
from tests.privy import FakePrivy, bearer


async def _admin_token(privy: FakePrivy, database_url: str) -> str:
    """A token for a user who is already an admin when first seen."""
    subject = f"did:privy:admin-{uuid.uuid4().hex[:10]}"
    await scalar(
        database_url,
        "INSERT INTO gateway.users (id, privy_user_id, role) VALUES (:i, :s, 'admin') RETURNING 1",
        i=uuid.uuid4(),
        s=subject,
    )
    return privy.token(subject)


async def _me(gateway: httpx.AsyncClient, token: str) -> dict[str, object]:
    response = await gateway.get("/api/users/me", headers=bearer(token))
    assert response.status_code == 200, response.text
    user: dict[str, object] = response.json()["user"]
    return user


async def test_completing_the_profile(gateway: httpx.AsyncClient, privy: FakePrivy, owner: str) -> None:
    token = privy.token(owner)
    response = await gateway.post(
        "/api/users/complete-profile",
        headers=bearer(token),
        json={"displayName": " Smith ", "email": "smith@forge.example", "discordUsername": "smith#1"},
    )
    assert response.status_code == 200, response.text
    user = response.json()["user"]
    assert user["displayName"] == "Smith"
    assert user["email"] == "smith@forge.example"
    assert user["profileCompleted"] is True
    assert (await _me(gateway, token))["displayName"] == "Smith"  # not a stale cached copy


async def test_a_bad_profile_names_the_field(gateway: httpx.AsyncClient, privy: FakePrivy, owner: str) -> None:
    response = await gateway.post(
        "/api/users/complete-profile",
        headers=bearer(privy.token(owner)),
        json={"displayName": "Smith", "email": "not-an-email"},
    )
    # The email's shape is part of the body's schema: a schema violation is a 400.
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "BAD_REQUEST"
    assert "email" in [f["field"] for f in response.json()["fields"]]


async def test_a_malformed_json_body_is_a_400(gateway: httpx.AsyncClient, privy: FakePrivy, owner: str) -> None:
    response = await gateway.post(
        "/api/users/complete-profile",
        headers={**bearer(privy.token(owner)), "content-type": "application/json"},
        content=b"{not json",
    )
    assert response.status_code == 400
    assert response.json()["error"] == "BAD_REQUEST"


async def test_settings_are_merged_shallowly(gateway: httpx.AsyncClient, privy: FakePrivy, owner: str) -> None:
    token = privy.token(owner)
    await gateway.post("/api/users/settings", headers=bearer(token), json={"settings": {"theme": "dark", "grid": 8}})
    response = await gateway.post(
        "/api/users/settings", headers=bearer(token), json={"settings": {"grid": 16, "theme": None, "lang": "en"}}
    )
    assert response.status_code == 200
    assert response.json()["user"]["settings"] == {"grid": 16, "lang": "en"}


async def test_a_member_may_not_use_admin_routes(gateway: httpx.AsyncClient, privy: FakePrivy, owner: str) -> None:
    response = await gateway.get("/api/admin/users", headers=bearer(privy.token(owner)))
    assert response.status_code == 403
    assert response.json()["error"] == "FORBIDDEN"


async def test_an_admin_lists_users_and_changes_a_role(
    gateway: httpx.AsyncClient, privy: FakePrivy, owner: str, database_url: str
) -> None:
    admin = await _admin_token(privy, database_url)
    member_token = privy.token(owner)
    member = await _me(gateway, member_token)

    found = await gateway.get("/api/admin/users", headers=bearer(admin), params={"search": owner})
    assert found.status_code == 200
    assert [u["id"] for u in found.json()["users"]] == [member["id"]]

    promoted = await gateway.put(f"/api/admin/users/{member['id']}/role", headers=bearer(admin), json={"role": "admin"})
    assert promoted.status_code == 200
    assert promoted.json()["user"]["role"] == "admin"
    # The member's cached identity was dropped: the new role applies at once.
    assert (await gateway.get("/api/admin/users", headers=bearer(member_token))).status_code == 200

    admin_me = await _me(gateway, admin)
    itself = await gateway.put(
        f"/api/admin/users/{admin_me['id']}/role", headers=bearer(admin), json={"role": "member"}
    )
    assert itself.status_code == 400

    bad_role = await gateway.put(f"/api/admin/users/{member['id']}/role", headers=bearer(admin), json={"role": "god"})
    # Roles are an enum of the body's schema: an unknown one is a 400, not a 422.
    assert bad_role.status_code == 400, bad_role.text
    assert bad_role.json()["error"] == "BAD_REQUEST"
    assert [f["field"] for f in bad_role.json()["fields"]] == ["role"]


async def test_the_activity_log_records_identity_events(
    gateway: httpx.AsyncClient, privy: FakePrivy, owner: str, database_url: str
) -> None:
    token = privy.token(owner)
    me = await _me(gateway, token)
    created = (await gateway.post("/api/users/api-keys", headers=bearer(token), json={"name": "k"})).json()
    await gateway.delete(f"/api/users/api-keys/{created['keyId']}", headers=bearer(token))

    admin = await _admin_token(privy, database_url)
    log = await gateway.get("/api/admin/activity-log", headers=bearer(admin), params={"userId": me["id"], "limit": 10})
    assert log.status_code == 200
    actions = [e["action"] for e in log.json()["logs"]]
    assert actions == ["api_key.revoked", "api_key.created", "auth.login"]
    assert log.json()["hasMore"] is False

    filtered = await gateway.get("/api/admin/activity-log", headers=bearer(admin), params={"action": "api_key.created"})
    assert filtered.status_code == 200
    entries = filtered.json()["logs"]
    assert entries, "this test created an api_key.created entry"
    assert all(e["action"] == "api_key.created" for e in entries)

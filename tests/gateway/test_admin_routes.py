"""The admin routes the original frontend's dashboard uses: the user list, deleting a
user, and the activity log as ``{logs, hasMore}``."""

from __future__ import annotations

import uuid

import httpx
import pytest
from nats.aio.client import Client

from assetforge.common.bus.streams import EVENTS
from assetforge.common.contracts.identity import user_event_subject
from tests.gateway.achievements_support import asset_arrives, awards, signed_in, wait_for_codes
from tests.helpers import scalar
from tests.privy import FakePrivy, bearer
from tests.support import wait_until


@pytest.fixture
async def admin(privy: FakePrivy, database_url: str) -> str:
    """The subject of a user who is an admin when first seen."""
    subject = f"did:privy:admin-{uuid.uuid4().hex[:10]}"
    await scalar(
        database_url,
        "INSERT INTO gateway.users (id, privy_user_id, role) VALUES (:i, :s, 'admin') RETURNING 1",
        i=uuid.uuid4(),
        s=subject,
    )
    return subject


async def test_only_admins_list_users(gateway: httpx.AsyncClient, privy: FakePrivy, owner: str, admin: str) -> None:
    member, member_id = await signed_in(gateway, privy, owner)
    assert (await gateway.get("/api/users")).status_code == 401
    refused = await gateway.get("/api/users", headers=member)
    assert refused.status_code == 403
    assert refused.json()["error"] == "FORBIDDEN"

    listed = await gateway.get("/api/users", headers=bearer(privy.token(admin)), params={"search": owner})
    assert listed.status_code == 200, listed.text
    assert [u["id"] for u in listed.json()["users"]] == [member_id]
    assert listed.json()["users"][0]["privyUserId"] == owner
    assert (await gateway.get("/api/users/", headers=bearer(privy.token(admin)))).status_code == 200


async def test_deleting_a_user_signs_them_out_and_revokes_their_keys(
    gateway: httpx.AsyncClient, nc: Client, privy: FakePrivy, owner: str, admin: str, database_url: str
) -> None:
    member, member_id = await signed_in(gateway, privy, owner)
    await gateway.post(
        "/api/users/complete-profile", headers=member, json={"displayName": "Gone", "email": "gone@forge.example"}
    )
    key = (await gateway.post("/api/users/api-keys", headers=member, json={"name": "cli"})).json()["key"]
    assert (await gateway.get("/api/users/me", headers=bearer(key))).status_code == 200  # cached now
    admin_headers = bearer(privy.token(admin))

    assert (await gateway.delete(f"/api/admin/users/{member_id}", headers=member)).status_code == 403
    deleted = await gateway.delete(f"/api/admin/users/{member_id}", headers=admin_headers)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json() == {"success": True, "userId": member_id}

    # The cached token and key stop working at once; a new token of the same DID does not
    # bring the account back.
    for credentials in (member, bearer(key), bearer(privy.token(owner))):
        response = await gateway.get("/api/users/me", headers=credentials)
        assert response.status_code == 401, response.text
    revoked = await scalar(
        database_url,
        "SELECT bool_and(revoked_at IS NOT NULL) FROM gateway.api_keys WHERE user_id = :u",
        u=uuid.UUID(member_id),
    )
    assert revoked is True
    # Emptied of personal data, kept as a tombstone, no longer listed.
    email = await scalar(database_url, "SELECT email FROM gateway.users WHERE id = :u", u=uuid.UUID(member_id))
    assert email is None
    listed = await gateway.get("/api/users", headers=admin_headers, params={"search": owner})
    assert listed.json()["users"] == []
    again = await gateway.delete(f"/api/admin/users/{member_id}", headers=admin_headers)
    assert again.status_code == 404
    role = await gateway.put(f"/api/admin/users/{member_id}/role", headers=admin_headers, json={"role": "admin"})
    assert role.status_code == 404

    # Other services hear of it.
    subject = user_event_subject(member_id, "deleted")

    async def published() -> int:
        info = await nc.jetstream().stream_info(EVENTS, subjects_filter=subject)
        return sum((info.state.subjects or {}).values())

    assert await wait_until(published) == 1


async def test_an_admin_cannot_delete_themselves(gateway: httpx.AsyncClient, privy: FakePrivy, admin: str) -> None:
    headers, admin_id = await signed_in(gateway, privy, admin)
    response = await gateway.delete(f"/api/admin/users/{admin_id}", headers=headers)
    assert response.status_code == 400
    assert (await gateway.get("/api/users/me", headers=headers)).status_code == 200
    missing = await gateway.delete(f"/api/admin/users/{uuid.uuid4()}", headers=headers)
    assert missing.status_code == 404


async def test_a_deleted_users_achievements_go_with_them(
    gateway: httpx.AsyncClient, nc: Client, privy: FakePrivy, owner: str, admin: str, database_url: str
) -> None:
    member, member_id = await signed_in(gateway, privy, owner)
    await asset_arrives(nc, database_url, member_id)
    await wait_for_codes(gateway, member, "first_asset")

    response = await gateway.delete(f"/api/admin/users/{member_id}", headers=bearer(privy.token(admin)))
    assert response.status_code == 200

    async def forgotten() -> bool:
        return await awards(database_url, member_id) == 0

    await wait_until(forgotten, timeout=15)


async def test_the_activity_log_pages_as_logs_and_has_more(
    gateway: httpx.AsyncClient, privy: FakePrivy, owner: str, admin: str
) -> None:
    member, member_id = await signed_in(gateway, privy, owner)  # auth.login
    created = (await gateway.post("/api/users/api-keys", headers=member, json={"name": "k"})).json()
    await gateway.delete(f"/api/users/api-keys/{created['keyId']}", headers=member)
    headers = bearer(privy.token(admin))

    first = await gateway.get("/api/admin/activity-log", headers=headers, params={"userId": member_id, "limit": 2})
    assert first.status_code == 200, first.text
    assert set(first.json()) == {"logs", "hasMore"}
    assert [e["action"] for e in first.json()["logs"]] == ["api_key.revoked", "api_key.created"]
    assert first.json()["hasMore"] is True
    assert set(first.json()["logs"][0]) == {"id", "userId", "action", "entityType", "entityId", "details", "createdAt"}

    second = await gateway.get(
        "/api/admin/activity-log", headers=headers, params={"userId": member_id, "limit": 2, "page": 2}
    )
    assert [e["action"] for e in second.json()["logs"]] == ["auth.login"]
    assert second.json()["hasMore"] is False

    exact = await gateway.get("/api/admin/activity-log", headers=headers, params={"userId": member_id, "limit": 3})
    assert len(exact.json()["logs"]) == 3
    assert exact.json()["hasMore"] is False

    by_action = await gateway.get(
        "/api/admin/activity-log", headers=headers, params={"userId": member_id, "action": "api_key.created"}
    )
    assert [e["entityId"] for e in by_action.json()["logs"]] == [created["keyId"]]

    refused = await gateway.get("/api/admin/activity-log", headers=member)
    assert refused.status_code == 403

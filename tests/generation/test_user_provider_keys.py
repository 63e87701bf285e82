"""Users' own provider keys end to end, on a stack of its own whose deployment has no
ElevenLabs key (``GENERATION_PROVIDER=auto``, ElevenLabs replaced by the fake, which
accepts only the user's key): a user stores their key over the bus, their sound effect is
made by ElevenLabs with that key, another user's by the offline provider; the key is
sealed in its row, and no reply, event, job record or log line carries it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import nats
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg

from assetforge.common.contracts import assets as assets_contract
from assetforge.common.contracts import audio as audio_contract
from assetforge.common.contracts import jobs as jobs_contract
from assetforge.common.contracts import provider_keys as contract
from assetforge.common.devstack import EmbeddedNats
from tests.generation.fakes.elevenlabs import FakeElevenLabs, serving
from tests.helpers import scalar
from tests.media.support import Reply, call
from tests.support import running_stack, service_env, wait_until

USER_KEY = "xi-users-own-4f1c9a7e2b"
SFX = "/v1/sound-generation"
TERMINAL = {"completed", "failed", "cancelled"}
NOTHING = {"meshy": False, "aiGateway": False, "elevenLabs": False}


@dataclass
class KeyStack:
    nc: Client
    fake: FakeElevenLabs
    database_url: str
    events: list[bytes]


@pytest.fixture
async def key_stack(tmp_path: Path, own_database_url: str) -> AsyncIterator[KeyStack]:
    server = EmbeddedNats(tmp_path / "nats").start()
    try:
        async with serving(USER_KEY) as fake:
            # No ELEVENLABS_API_KEY: the deployment's audio is the offline synthesizer.
            environ = service_env(
                server.url, own_database_url, GENERATION_PROVIDER="auto", ELEVENLABS_BASE_URL=fake.url
            )
            async with running_stack(environ, names=("assets", "generation", "media")):
                nc = await nats.connect(server.url)
                events: list[bytes] = []

                async def seen(msg: Msg) -> None:
                    events.append(msg.data)

                await nc.subscribe("evt.generation.>", cb=seen)
                try:
                    yield KeyStack(nc, fake, own_database_url, events)
                finally:
                    await nc.close()
    finally:
        server.stop()


async def _sfx(nc: Client, owner: str, text: str) -> dict[str, Any]:
    request = {"kind": "sfx", "text": text, "durationSeconds": 1.0}
    accepted = await call(nc, audio_contract.AUDIO_SUBMIT, {"request": request}, owner)
    assert accepted.ok, accepted.body
    job_id = accepted.body["jobId"]

    async def ended() -> dict[str, Any] | None:
        reply = await call(nc, jobs_contract.JOB_GET, {"id": job_id}, owner)
        assert reply.ok, reply.body
        return reply.body if reply.body["status"] in TERMINAL else None

    done: dict[str, Any] = await wait_until(ended, timeout=30)
    assert done["status"] == "completed", done
    return done


async def _made_by(nc: Client, owner: str, done: dict[str, Any]) -> str:
    async def in_catalog() -> dict[str, Any] | None:
        reply = await call(nc, assets_contract.ASSET_GET, {"id": done["results"]["assetId"]}, owner)
        return reply.body if reply.ok else None

    asset = await wait_until(in_catalog)
    return str(asset["metadata"]["audio"]["provider"])


async def _status(nc: Client, owner: str) -> dict[str, bool]:
    reply = await call(nc, contract.KEYS_STATUS, {}, owner)
    assert reply.ok, reply.body
    assert set(reply.body) == {"keysConfigured"}
    found: dict[str, bool] = reply.body["keysConfigured"]
    return found


async def test_a_users_own_key_makes_their_jobs_and_only_theirs_and_is_never_shown(
    key_stack: KeyStack, owner: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    nc, fake = key_stack.nc, key_stack.fake
    replies: list[Reply] = []
    assert await _status(nc, owner) == NOTHING

    saved = await call(nc, contract.KEYS_SET, {"elevenLabsApiKey": USER_KEY}, owner)
    replies.append(saved)
    assert saved.ok, saved.body
    assert saved.body == {"success": True, "keysConfigured": {**NOTHING, "elevenLabs": True}}
    assert await _status(nc, owner) == {"meshy": False, "aiGateway": False, "elevenLabs": True}

    mine = await _sfx(nc, owner, "a heavy wooden door slams")
    calls = fake.calls_to(SFX)
    assert len(calls) == 1
    assert calls[0].headers["xi-api-key"] == USER_KEY
    assert await _made_by(nc, owner, mine) == "elevenlabs"

    other = f"{owner}-other"
    theirs = await _sfx(nc, other, "a coin drops on stone")
    assert len(fake.calls_to(SFX)) == 1, "another user's job must not use this user's key"
    assert await _made_by(nc, other, theirs) == "offline"

    row = "SELECT {} FROM generation.provider_keys WHERE owner_id = :o"
    ciphertext = await scalar(key_stack.database_url, row.format("ciphertext"), o=owner)
    assert USER_KEY.encode() not in bytes(ciphertext)
    assert len(bytes(await scalar(key_stack.database_url, row.format("nonce"), o=owner))) == 12
    assert await scalar(key_stack.database_url, row.format("provider"), o=owner) == "elevenlabs"
    job_rows = await scalar(
        key_stack.database_url,
        "SELECT string_agg(config::text || stages::text || results::text || coalesce(error, ''), '') "
        "FROM generation.generation_jobs WHERE owner_id = :o",
        o=owner,
    )
    assert USER_KEY not in job_rows

    removed = await call(nc, contract.KEYS_DELETE, {}, owner)
    replies.append(removed)
    assert removed.ok, removed.body
    assert removed.body == {"success": True, "keysConfigured": NOTHING}
    assert await _status(nc, owner) == NOTHING
    count = "SELECT count(*) FROM generation.provider_keys WHERE owner_id = :o"
    assert await scalar(key_stack.database_url, count, o=owner) == 0

    again = await _sfx(nc, owner, "a second door slams")
    assert len(fake.calls_to(SFX)) == 1, "after the delete the deployment's (offline) provider is used"
    assert await _made_by(nc, owner, again) == "offline"

    await asyncio.sleep(0.2)  # the last events reach the subscription
    assert key_stack.events, "the jobs' events were seen"
    assert not [event for event in key_stack.events if USER_KEY.encode() in event]
    assert not [reply for reply in replies if USER_KEY in msgspec.json.encode(reply.body).decode()]
    # Everything the services logged while the key was stored, used and removed (their
    # start-up is not captured: Litestar's logging set-up replaces the setup's handler).
    records = caplog.records
    assert any(SFX in record.getMessage() for record in records), "the provider call's log lines were captured"
    logged = [record for record in records if USER_KEY in record.getMessage() + (record.exc_text or "")]
    assert logged == []


async def test_a_key_is_replaced_removed_one_at_a_time_and_left_alone_when_null(
    key_stack: KeyStack, owner: str
) -> None:
    nc = key_stack.nc
    both = {"meshyApiKey": "msy-own-key-1", "elevenLabsApiKey": USER_KEY}
    assert (await call(nc, contract.KEYS_SET, both, owner)).body["keysConfigured"] == {
        "meshy": True,
        "aiGateway": False,
        "elevenLabs": True,
    }
    first = await scalar(
        key_stack.database_url,
        "SELECT nonce FROM generation.provider_keys WHERE owner_id = :o AND provider = 'meshy'",
        o=owner,
    )
    replaced = await call(nc, contract.KEYS_SET, {"meshyApiKey": "msy-own-key-2", "elevenLabsApiKey": None}, owner)
    assert replaced.body["keysConfigured"] == {"meshy": True, "aiGateway": False, "elevenLabs": True}
    second = await scalar(
        key_stack.database_url,
        "SELECT nonce FROM generation.provider_keys WHERE owner_id = :o AND provider = 'meshy'",
        o=owner,
    )
    assert bytes(first) != bytes(second), "a new seal, with a new nonce"
    one_gone = await call(nc, contract.KEYS_SET, {"meshyApiKey": ""}, owner)
    assert one_gone.body["keysConfigured"] == {"meshy": False, "aiGateway": False, "elevenLabs": True}
    unchanged = await call(nc, contract.KEYS_SET, {}, owner)
    assert unchanged.body == one_gone.body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"elevenLabsApiKey": "short"}, "elevenLabsApiKey"),
        ({"meshyApiKey": "has a space in it"}, "meshyApiKey"),
        ({"aiGatewayApiKey": "tab\tinside-the-key"}, "aiGatewayApiKey"),
        ({"meshyApiKey": "k" * 513}, "meshyApiKey"),
        ({"aiGatewayApiKey": 12345678}, "aiGatewayApiKey"),
        ({"openaiApiKey": "sk-not-a-field-here"}, "body"),
    ],
)
async def test_a_bad_key_is_refused_naming_its_field_and_not_its_value(
    key_stack: KeyStack, owner: str, body: dict[str, Any], field: str
) -> None:
    refused = await call(key_stack.nc, contract.KEYS_SET, body, owner)
    assert refused.code == "VALIDATION_ERROR", refused.body
    assert refused.field_names() == {field}
    for value in body.values():
        if isinstance(value, str):
            assert value not in refused.body["message"]
    assert await _status(key_stack.nc, owner) == NOTHING


async def test_every_endpoint_needs_a_principal(key_stack: KeyStack) -> None:
    for subject, body in (
        (contract.KEYS_SET, {"elevenLabsApiKey": USER_KEY}),
        (contract.KEYS_STATUS, {}),
        (contract.KEYS_DELETE, {}),
    ):
        assert (await call(key_stack.nc, subject, body)).code == "UNAUTHORIZED", subject

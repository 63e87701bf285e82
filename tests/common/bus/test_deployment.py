"""The deployment guard: a schema belongs to the NATS it was first started against; a
service on another NATS refuses to start before relaying anything, `rebind` is the
operator's way out, and concurrent first starts agree on one deployment."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from nats.js.errors import NotFoundError

from assetforge.assets.models import outbox
from assetforge.common.bus.deployment import (
    BUCKET,
    KEY,
    DeploymentError,
    DeploymentMismatch,
    nats_deployment_id,
    shown_url,
)
from assetforge.common.bus.outbox import add_event
from assetforge.common.bus.streams import EVENTS, ensure_streams
from assetforge.common.contracts.assets import asset_event_subject
from assetforge.common.db import Database, migrations
from assetforge.common.devstack import EmbeddedNats, drop_database, ensure_database, free_port
from assetforge.common.ids import new_id
from assetforge.common.runtime import ServiceRuntime
from assetforge.common.settings import DatabaseSettings
from tests.helpers import asset_created, scalar
from tests.privy import APP_ID
from tests.support import ENTRIES, ROOT, ServiceProcess, service_env, wait_until

# The gateway checks its Privy settings when they load; nothing here signs anyone in.
GATEWAY_ENV = {"PRIVY_APP_ID": APP_ID, "PRIVY_JWKS_URL": "http://127.0.0.1:9/unused"}

Connect = Callable[[str], Awaitable[Client]]


@pytest.fixture
def two_nats(tmp_path: Path) -> Iterator[tuple[EmbeddedNats, EmbeddedNats]]:
    """Two NATS servers: two deployments' worth."""
    first = EmbeddedNats(tmp_path / "first").start()
    second = EmbeddedNats(tmp_path / "second").start()
    yield first, second
    second.stop()
    first.stop()


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    """Open NATS connections that are closed when the test ends."""
    clients: list[Client] = []

    async def open_client(url: str) -> Client:
        clients.append(await nats.connect(url))
        return clients[-1]

    yield open_client
    for client in clients:
        await client.close()


def _runtime(name: str, nats_url: str, database_url: str) -> ServiceRuntime:
    entry = ENTRIES[name]
    extra = GATEWAY_ENV if name == "gateway" else {}
    return entry.create_runtime(entry.load_settings(service_env(nats_url, database_url, **extra)))


async def _queue_event(database_url: str) -> tuple[uuid.UUID, str]:
    """An event committed to the assets outbox and not yet relayed (as after a crash)."""
    database = Database(DatabaseSettings(database_url, None, 2, 5000), "deployment-test")
    asset_id = new_id()
    subject = asset_event_subject(asset_id, "created")
    try:
        async with database.unit_of_work() as session:
            event_id = await add_event(session, outbox, subject, asset_created(asset_id))
    finally:
        await database.dispose()
    return event_id, subject


async def _unsent(database_url: str, event_id: uuid.UUID) -> int:
    return int(await scalar(database_url, "SELECT count(*) FROM assets.outbox WHERE id = :id", id=event_id))


async def _binding(database_url: str, schema: str = "assets") -> tuple[uuid.UUID, str]:
    """The schema's deployment id, and its bound_at as the messages show it."""
    bound: uuid.UUID = await scalar(database_url, f"SELECT deployment_id FROM {schema}.deployment")  # noqa: S608
    bound_at = await scalar(database_url, f"SELECT bound_at FROM {schema}.deployment")  # noqa: S608
    return bound, f"{bound_at:%Y-%m-%d %H:%M:%S %Z}"


async def _published(nc: Client, subject: str) -> bool:
    try:
        await nc.jetstream().get_last_msg(EVENTS, subject)
    except NotFoundError:
        return False
    return True


async def _rebind(nats_url: str, database_url: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "assetforge.assets",
        "rebind",
        env={**os.environ, **service_env(nats_url, database_url)},
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode()


def _refusal(bound: uuid.UUID, bound_at: str, nats_url: str, actual: uuid.UUID) -> str:
    return (
        f"database schema assets belongs to deployment {bound} (bound {bound_at}) but the NATS at {nats_url} "
        f"is deployment {actual}: two deployments share this database, or NATS lost its data; if NATS was "
        "rebuilt on purpose, run `python -m assetforge.assets rebind`"
    )


async def test_a_database_bound_to_another_nats_is_refused_before_anything_is_relayed(
    two_nats: tuple[EmbeddedNats, EmbeddedNats], own_database_url: str, connect: Connect
) -> None:
    first, second = two_nats
    owner = _runtime("assets", first.url, own_database_url)
    await owner.start()
    await owner.stop()
    event_id, subject = await _queue_event(own_database_url)
    intruder_js = (await connect(second.url)).jetstream()
    # The second NATS has the streams, so a relayed row would have landed there.
    await ensure_streams(intruder_js)

    intruder = _runtime("assets", second.url, own_database_url)
    with pytest.raises(DeploymentMismatch) as refused:
        await intruder.start()

    bound, bound_at = await _binding(own_database_url)
    assert bound == owner.deployment_id
    other = await nats_deployment_id(intruder_js)
    assert other != bound
    assert str(refused.value) == _refusal(bound, bound_at, second.url, other)
    assert await _unsent(own_database_url, event_id) == 1
    assert (await intruder_js.stream_info(EVENTS)).state.messages == 0

    # Its own deployment still starts, and relays the event to its own NATS only.
    again = _runtime("assets", first.url, own_database_url)
    own_nc = await connect(first.url)
    await again.start()
    try:
        await wait_until(lambda: _published(own_nc, subject))
    finally:
        await again.stop()
    assert await _unsent(own_database_url, event_id) == 0
    assert (await intruder_js.stream_info(EVENTS)).state.messages == 0


@pytest.mark.slow
async def test_a_refused_service_process_exits_saying_why(
    two_nats: tuple[EmbeddedNats, EmbeddedNats], own_database_url: str, tmp_path: Path
) -> None:
    first, second = two_nats
    owner = _runtime("assets", first.url, own_database_url)
    await owner.start()
    await owner.stop()

    env = {**service_env(second.url, own_database_url), "HTTP_PORT": str(free_port())}
    process = ServiceProcess("assets", env, tmp_path / "assets.log").start()
    assert process.process is not None
    try:
        status = await asyncio.to_thread(process.process.wait, 30)
    finally:
        process.kill()

    assert status != 0
    assert f"assets refuses to start: database schema assets belongs to deployment {owner.deployment_id}" in (
        process.output()
    )
    assert f"but the NATS at {second.url} is deployment" in process.output()


@pytest.mark.slow
async def test_rebind_adopts_a_nats_rebuilt_on_purpose_and_its_events_follow(
    tmp_path: Path, own_database_url: str, connect: Connect
) -> None:
    port = free_port()
    lost = EmbeddedNats(tmp_path / "lost", port).start()
    try:
        before = _runtime("assets", lost.url, own_database_url)
        await before.start()
        await before.stop()
    finally:
        lost.stop()
    event_id, subject = await _queue_event(own_database_url)
    rebuilt = EmbeddedNats(tmp_path / "rebuilt", port).start()  # same address, empty store
    try:
        with pytest.raises(DeploymentMismatch, match="or NATS lost its data"):
            await _runtime("assets", rebuilt.url, own_database_url).start()
        old, old_since = await _binding(own_database_url)
        assert old == before.deployment_id

        status, output = await _rebind(rebuilt.url, own_database_url)

        assert status == 0, output
        rebuilt_nc = await connect(rebuilt.url)
        new = await nats_deployment_id(rebuilt_nc.jetstream())
        assert output.splitlines()[-1] == (
            f"assets: database schema assets was bound to deployment {old} (since {old_since}); now bound to "
            f"deployment {new}, the NATS at {rebuilt.url}. 1 event waiting in assets.outbox will be published there."
        )
        assert (await _binding(own_database_url))[0] == new
        after = _runtime("assets", rebuilt.url, own_database_url)
        await after.start()
        try:
            assert after.deployment_id == new
            await wait_until(lambda: _published(rebuilt_nc, subject))
        finally:
            await after.stop()
        assert await _unsent(own_database_url, event_id) == 0

        status, output = await _rebind(rebuilt.url, own_database_url)
        assert status == 0, output
        assert output.splitlines()[-1] == (
            f"assets: database schema assets is already bound to deployment {new}, the NATS at {rebuilt.url}; "
            "nothing changed"
        )
    finally:
        rebuilt.stop()


async def test_concurrent_first_starts_agree_on_one_deployment(
    tmp_path: Path, own_database_url: str, connect: Connect
) -> None:
    server = EmbeddedNats(tmp_path / "nats").start()
    # Two replicas of every service, all starting at once on a NATS and database never used.
    runtimes = [_runtime(name, server.url, own_database_url) for name in ENTRIES for _ in range(2)]
    try:
        results = await asyncio.gather(*(r.start() for r in runtimes), return_exceptions=True)
        try:
            assert [r for r in results if r is not None] == []
            kv = await (await connect(server.url)).jetstream().key_value(BUCKET)
            entry = await kv.get(KEY)
            assert entry.value is not None
            deployment = uuid.UUID(entry.value.decode())
            assert {r.deployment_id for r in runtimes} == {deployment}
            assert entry.revision == 1  # created once, never overwritten
            for schema in ENTRIES:
                assert (await _binding(own_database_url, schema))[0] == deployment
        finally:
            await asyncio.gather(*(r.stop() for r in runtimes if r.deployment_id is not None))
    finally:
        server.stop()


async def test_a_schema_without_the_table_is_told_to_migrate(postgres_server_url: str, tmp_path: Path) -> None:
    name = f"af_unmigrated_{uuid.uuid4().hex[:10]}"
    url = await ensure_database(postgres_server_url, name)
    server = EmbeddedNats(tmp_path / "nats").start()
    try:
        await asyncio.to_thread(migrations.upgrade, ENTRIES["assets"].migrations, url, "0001")
        with pytest.raises(DeploymentError) as refused:
            await _runtime("assets", server.url, url).start()
        assert str(refused.value) == (
            "assets.deployment does not exist: apply the migrations first (python -m assetforge.assets migrate)"
        )
    finally:
        server.stop()
        await drop_database(postgres_server_url, name)


def test_messages_show_nats_addresses_without_credentials() -> None:
    assert shown_url("nats://svc:s3cret@nats-0:4222, tls://token@nats-1:4222") == "nats://nats-0:4222,tls://nats-1:4222"

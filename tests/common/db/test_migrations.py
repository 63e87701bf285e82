"""Every schema migrates from empty, keeps its version table to itself, matches its
models, and migrates back down."""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
import uuid
from collections.abc import AsyncIterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from assetforge.common.db import migrations, to_async_url
from assetforge.common.devstack import drop_database, ensure_database
from tests.support import ENTRIES

# Every schema's plumbing: the bus's outbox, inbox and deployment binding, and Alembic's version.
PLUMBING = {"outbox", "inbox", "deployment", "alembic_version"}
EXPECTED = {
    "gateway": {"users", "api_keys", "token_blocklist", "activity_log"} | PLUMBING,
    "assets": {
        "assets",
        "asset_variants",
        "projects",
        "relationships",
        "achievements",
        "user_achievements",
        "achievement_progress",
        "world_configs",
        "world_config_history",
        "material_presets",
    }
    | PLUMBING,
    "generation": {"generation_jobs", "provider_tasks", "provider_keys", "usage"} | PLUMBING,
    "media": {"media_storage"} | PLUMBING,
}


@pytest.fixture
async def empty_database(postgres_server_url: str) -> AsyncIterator[str]:
    name = f"af_migrate_{uuid.uuid4().hex[:10]}"
    url = await ensure_database(postgres_server_url, name)
    yield url
    await drop_database(postgres_server_url, name)


async def _tables(url: str) -> dict[str, set[str]]:
    engine = create_async_engine(to_async_url(url))
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: {s: set(inspect(sync).get_table_names(schema=s)) for s in EXPECTED}
            )
    finally:
        await engine.dispose()


async def _drift(url: str, name: str) -> list[object]:
    models = importlib.import_module(f"assetforge.{name}.models").Base.metadata
    engine = create_async_engine(to_async_url(url))
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(
                        sync,
                        opts={
                            "include_schemas": True,
                            "include_name": lambda n, kind, _p: kind != "schema" or n == name,
                            "version_table_schema": name,
                        },
                    ),
                    models,
                )
            )
    finally:
        await engine.dispose()


async def test_every_schema_migrates_from_empty_and_back(empty_database: str) -> None:
    for entry in ENTRIES.values():
        await asyncio.to_thread(migrations.upgrade, entry.migrations, empty_database)
    assert await _tables(empty_database) == EXPECTED

    for name in ENTRIES:
        assert await _drift(empty_database, name) == [], f"{name}: models and migrations differ"

    for entry in ENTRIES.values():
        await asyncio.to_thread(migrations.downgrade, entry.migrations, empty_database, "base")
    assert await _tables(empty_database) == {s: {"alembic_version"} for s in EXPECTED}

    # And up again: downgrades leave nothing behind that would block a re-run.
    for entry in ENTRIES.values():
        await asyncio.to_thread(migrations.upgrade, entry.migrations, empty_database)
    assert await _tables(empty_database) == EXPECTED


async def test_replicas_migrating_at_once_is_safe(empty_database: str) -> None:
    """Replicas may all run migrations at start-up; the advisory lock serialises them."""
    env = {**os.environ, "DATABASE_URL": empty_database, "NODE_ENV": "test"}
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "assetforge.assets",
            "migrate",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        for _ in range(3)
    ]
    outputs = await asyncio.gather(*(p.communicate() for p in processes))
    assert [p.returncode for p in processes] == [0, 0, 0], [o.decode() for o, _ in outputs]
    assert (await _tables(empty_database))["assets"] == EXPECTED["assets"]

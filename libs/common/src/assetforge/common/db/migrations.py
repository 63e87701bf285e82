"""Alembic helpers: every service keeps its history, and its version table, in its
own schema, and migrates under an advisory lock so replicas may start together."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from assetforge.common.db.engine import to_async_url

VERSION_TABLE = "alembic_version"


def alembic_config(migrations_dir: Path, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    # Kept out of the ini options: configparser would read the % of an encoded password.
    config.attributes["url"] = url
    return config


def upgrade(migrations_dir: Path, url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(migrations_dir, url), revision)


def downgrade(migrations_dir: Path, url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(migrations_dir, url), revision)


def run_env(metadata: MetaData) -> None:
    """The body of a service's ``migrations/env.py``."""
    schema = metadata.schema
    if schema is None:
        raise RuntimeError("service metadata must name its schema")
    url = context.config.attributes.get("url")
    if url is None:
        raise RuntimeError("run migrations through assetforge.common.db.migrations.upgrade")
    options: dict[str, Any] = {
        "target_metadata": metadata,
        "version_table_schema": schema,
        "include_schemas": True,
        "include_name": lambda name, kind, _parent: kind != "schema" or name == schema,
        "compare_type": True,
    }
    if context.is_offline_mode():
        context.configure(url=to_async_url(url), literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(url, schema, options))


async def _run_online(url: str, schema: str, options: dict[str, Any]) -> None:
    engine = create_async_engine(
        to_async_url(url), connect_args={"server_settings": {"application_name": f"{schema}-migrate"}}
    )
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_migrate, schema, options)
            await connection.commit()
    finally:
        await engine.dispose()


def _migrate(connection: Connection, schema: str, options: dict[str, Any]) -> None:
    # One migrator per schema at a time; the others wait here, then find nothing to do.
    connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"alembic:{schema}"})
    exists = connection.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}).first()
    if exists is None:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    context.configure(connection=connection, **options)
    with context.begin_transaction():
        context.run_migrations()

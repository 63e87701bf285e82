from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from assetforge.common.db.tracing import trace_statements
from assetforge.common.observability.tracing import tracing_enabled
from assetforge.common.settings import DatabaseSettings


def to_async_url(url: str) -> str:
    """Accept the usual ``postgres://`` forms and select the asyncpg driver."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def _encode_json(value: object) -> str:
    return msgspec.json.encode(value).decode()


def make_engine(settings: DatabaseSettings, application_name: str, *, url: str | None = None) -> AsyncEngine:
    """An asyncpg engine with a fixed pool."""
    pooling: dict[str, Any] = {
        "pool_size": settings.pool_size,
        # No overflow: an overflow connection is closed as soon as it is returned, so
        # under load the pool would keep connecting (TLS probe, type introspection).
        # Requests wait their turn for one of the pool's connections instead.
        "max_overflow": 0,
        "pool_recycle": 1800,
        "pool_timeout": 10,
    }
    engine = create_async_engine(
        to_async_url(url or settings.url),
        # msgspec decodes JSONB columns several times faster than the json module.
        json_deserializer=msgspec.json.decode,
        json_serializer=_encode_json,
        connect_args={
            "server_settings": {
                "application_name": application_name,
                "statement_timeout": str(settings.statement_timeout_ms),
                "idle_in_transaction_session_timeout": "60000",
            },
            "timeout": 10,
        },
        **pooling,
    )
    if tracing_enabled():
        trace_statements(engine.sync_engine, engine.url.database or "postgres")
    return engine

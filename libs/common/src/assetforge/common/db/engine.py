from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from assetforge.common.db.tracing import trace_statements
from assetforge.common.observability.tracing import tracing_enabled
from assetforge.common.settings import DatabaseSettings


def to_async_url(url: str) -> str:
    """Accept the usual ``postgres://`` forms and select the asyncpg driver."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def make_engine(
    settings: DatabaseSettings, application_name: str, *, url: str | None = None, pool_size: int | None = None
) -> AsyncEngine:
    size = pool_size or settings.pool_size
    engine = create_async_engine(
        to_async_url(url or settings.url),
        pool_size=size,
        max_overflow=size // 2,
        pool_recycle=1800,
        pool_timeout=10,
        connect_args={
            "server_settings": {
                "application_name": application_name,
                "statement_timeout": str(settings.statement_timeout_ms),
                "idle_in_transaction_session_timeout": "60000",
            },
            "timeout": 10,
        },
    )
    if tracing_enabled():
        trace_statements(engine.sync_engine, engine.url.database or "postgres")
    return engine

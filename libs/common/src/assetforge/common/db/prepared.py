"""Hot read paths: a SQLAlchemy statement compiled once, run on the driver connection.

SQLAlchemy builds, caches and post-processes every execution; for a page of fifty rows
that costs more CPU than the query (measured in docs/decisions.md). A
:class:`CompiledQuery` compiles its statement once for the connection's dialect and
hands the SQL and positional values straight to asyncpg. The connection still comes
from SQLAlchemy's pool, so the JSON codecs and settings are the same; the rows are
asyncpg records (tuples with names), and no SQLAlchemy type processing applies, so a
statement meant for this should select values the driver already returns as wanted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry.trace import SpanKind
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Executable

from assetforge.common.observability.tracing import tracer, tracing_enabled


class CompiledQuery:
    def __init__(self, statement: Executable) -> None:
        self._statement = statement
        self._sql = ""
        self._names: Sequence[str] = ()
        self._defaults: Mapping[str, Any] = {}

    def _compile(self, connection: AsyncConnection) -> None:
        compiled = self._statement.compile(dialect=connection.dialect)  # type: ignore[attr-defined]
        self._names = tuple(compiled.positiontup or ())
        self._defaults = dict(compiled.params)
        self._sql = str(compiled)

    async def fetch(self, connection: AsyncConnection, params: Mapping[str, Any]) -> list[Any]:
        if not self._sql:
            self._compile(connection)
        values = [params[name] if name in params else self._defaults[name] for name in self._names]
        driver = (await connection.get_raw_connection()).driver_connection
        if driver is None:
            raise RuntimeError("the connection has no driver connection")
        if not tracing_enabled():
            return list(await driver.fetch(self._sql, *values))
        database = connection.engine.url.database or "postgres"
        with tracer().start_as_current_span(
            f"SELECT {database}",
            kind=SpanKind.CLIENT,
            attributes={"db.system": "postgresql", "db.namespace": database, "db.query.text": self._sql},
        ):
            return list(await driver.fetch(self._sql, *values))

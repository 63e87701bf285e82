"""The no-bus baseline: one Litestar process answering ``GET /api/assets`` itself.

It runs the assets service's own query (``assetforge.assets.service.assets.list_assets``) on
the same database with the same engine settings and encodes the page with msgspec,
as the assets service does before replying on the bus. What it leaves out is exactly
what the bus adds: the gateway's hop to NATS and back, and the second process.

``python bench/baseline.py`` reads DATABASE_URL (and DB_POOL_SIZE, ...) and HTTP_PORT.
"""

from __future__ import annotations

import os
from typing import Annotated

import msgspec
from litestar import Litestar, MediaType, Response, get
from litestar.datastructures import State
from litestar.params import Parameter

from assetforge.assets.service.assets import list_assets
from assetforge.common.contracts.assets import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, ListAssets
from assetforge.common.db import Database
from assetforge.common.observability.logging import configure_logging
from assetforge.common.serve import serve
from assetforge.common.settings import Env, get_database_settings, get_http_settings, get_runtime_settings

NAME = "bench-baseline"
DEFAULT_PORT = 3099


@get("/api/health/live", media_type=MediaType.JSON, sync_to_thread=False)
def live() -> dict[str, str]:
    return {"status": "ok"}


@get("/api/assets", media_type=MediaType.JSON)
async def assets(
    state: State, limit: Annotated[int, Parameter(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE
) -> Response[bytes]:
    database: Database = state.database
    async with database.read_only() as session:
        page = await list_assets(session, ListAssets(limit=limit), None)
    return Response(msgspec.json.encode(page), media_type=MediaType.JSON)


def create_app(database: Database) -> Litestar:
    async def close(_: Litestar) -> None:
        await database.dispose()

    return Litestar(
        route_handlers=[live, assets],
        state=State({"database": database}),
        on_shutdown=[close],
        debug=False,
        logging_config=None,
    )


def main() -> None:
    env = Env(os.environ)
    runtime = get_runtime_settings(env, NAME)
    database = get_database_settings(env)
    http = get_http_settings(env, "HTTP_PORT", DEFAULT_PORT)
    env.check()
    configure_logging(NAME, level=runtime.log_level, json=False)
    serve(create_app(Database(database, NAME)), http)


if __name__ == "__main__":
    main()

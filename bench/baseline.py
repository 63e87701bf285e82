"""The no-bus baseline: one Litestar process answering ``GET /api/assets`` itself.

It runs the assets service's own query (``assetforge.assets.service.assets.list_assets``) on
the same database with the same engine settings, encodes the page with msgspec as the
assets service does before replying on the bus, and answers as the gateway does: the bare
array cut out of those bytes, the next page in ``Link`` and ``X-Next-Cursor``. What it
leaves out is exactly what the bus adds: the gateway's hop to NATS and back, and the
second process.

``python bench/baseline.py`` reads DATABASE_URL (and DB_POOL_SIZE, ...) and HTTP_PORT;
with BASELINE_VIEWER (a user id) it lists as that member would, their private assets
included: the query a signed-in caller's page runs.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import msgspec
from litestar import Litestar, MediaType, Request, Response, get
from litestar.datastructures import State
from litestar.params import Parameter

from assetforge.assets.service.assets import list_assets
from assetforge.common.bus.context import Principal
from assetforge.common.contracts.assets import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, ListAssets
from assetforge.common.db import Database
from assetforge.common.observability.logging import configure_logging
from assetforge.common.serve import serve
from assetforge.common.settings import Env, get_database_settings, get_http_settings, get_runtime_settings
from assetforge.gateway.controllers.asset_lists import next_page_headers, split_page

NAME = "bench-baseline"
DEFAULT_PORT = 3099


@get("/api/health/live", media_type=MediaType.JSON, sync_to_thread=False)
def live() -> dict[str, str]:
    return {"status": "ok"}


@get("/api/assets", media_type=MediaType.JSON)
async def assets(
    request: Request[Any, Any, Any],
    state: State,
    limit: Annotated[int, Parameter(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
) -> Response[bytes]:
    database: Database = state.database
    async with database.read_only() as session:
        page = await list_assets(session, ListAssets(limit=limit), state.viewer)
    body, cursor = split_page(msgspec.json.encode(page))
    headers = next_page_headers(request.url.path, request.query_params.multi_items(), cursor)
    return Response(body, media_type=MediaType.JSON, headers=headers)


def create_app(database: Database, viewer: Principal | None = None) -> Litestar:
    async def close(_: Litestar) -> None:
        await database.dispose()

    return Litestar(
        route_handlers=[live, assets],
        state=State({"database": database, "viewer": viewer}),
        on_shutdown=[close],
        debug=False,
        logging_config=None,
    )


def main() -> None:
    env = Env(os.environ)
    runtime = get_runtime_settings(env, NAME)
    database = get_database_settings(env)
    http = get_http_settings(env, "HTTP_PORT", DEFAULT_PORT)
    viewer_id = env.text("BASELINE_VIEWER", None, purpose="list as this member")
    env.check()
    configure_logging(NAME, level=runtime.log_level, json=False)
    viewer = Principal(user_id=viewer_id, role="member") if viewer_id else None
    serve(create_app(Database(database, NAME), viewer), http)


if __name__ == "__main__":
    main()

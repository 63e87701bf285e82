"""The catalog's hot list queries walk indexes, never the whole table.

Fifty thousand assets are seeded in a database of this test's own (``generate_series``,
then VACUUM ANALYZE), and the very statements the assets service runs (compiled from its
repository) are explained with the parameters each listing sends, once as PostgreSQL
plans them for those values and once as the generic plan a prepared statement ends up
with. No plan may read ``assets`` sequentially.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from sqlalchemy.dialects.postgresql import asyncpg as dialect

from assetforge.assets.repository.assets import (
    AssetFilter,
    PagePosition,
    _page_query,
    page_parameters,
    page_shape,
)
from assetforge.assets.service.assets import search_terms
from assetforge.common.devstack import drop_database, ensure_database
from tests.conftest import migrate_all

ROWS = 50_000
OWNER = "did:seed:owner-7"
PROJECT = uuid.UUID("00000000-0000-4000-8000-000000000007")
SEED = """
INSERT INTO assets.assets (id, name, description, type, status, visibility, owner_id, project_id, tags, created_at)
SELECT
    gen_random_uuid(),
    (ARRAY['iron', 'oak', 'stone', 'glass', 'bone'])[1 + i % 5] || ' ' ||
        (ARRAY['sword', 'shield', 'helm', 'tower', 'cart'])[1 + (i / 5) % 5] ||
        CASE WHEN i % 997 = 0 THEN ' obsidian' ELSE '' END || ' ' || i,
    'seeded asset number ' || i,
    (ARRAY['character', 'weapon', 'armor', 'item', 'environment', 'building', 'vehicle', 'creature', 'prop',
           'audio'])[1 + i % 10],
    (ARRAY['draft', 'processing', 'completed', 'failed', 'approved', 'published', 'archived'])[1 + i % 7],
    CASE WHEN i % 10 < 7 THEN 'public' ELSE 'private' END,
    'did:seed:owner-' || (i % 500),
    ('00000000-0000-4000-8000-' || lpad((i % 100)::text, 12, '0'))::uuid,
    jsonb_build_array('seed', 'tag-' || (i % 50)),
    timestamptz '2020-01-01' + make_interval(secs => i)
FROM generate_series(1, $1) AS i
"""


@pytest.fixture(scope="module")
async def seeded(postgres_server_url: str) -> AsyncIterator[asyncpg.Connection]:
    name = f"af_explain_{uuid.uuid4().hex[:10]}"
    url = await ensure_database(postgres_server_url, name)
    try:
        await migrate_all(url)
        connection = await asyncpg.connect(url)
        try:
            await connection.execute(SEED, ROWS)
            # As autovacuum leaves a table: statistics, and the GIN indexes' pending lists merged.
            await connection.execute("VACUUM ANALYZE assets.assets")
            yield connection
        finally:
            await connection.close()
    finally:
        await drop_database(postgres_server_url, name)


VIEWER = "did:seed:owner-3"
AFTER = PagePosition(created_at=datetime(2020, 1, 1, 6, tzinfo=UTC), id=uuid.uuid4())
LISTINGS: dict[str, tuple[AssetFilter, PagePosition | None]] = {
    "anonymous first page": (AssetFilter(viewer_id=None), None),
    "signed-in first page": (AssetFilter(viewer_id=VIEWER), None),
    "admin first page": (AssetFilter(viewer_id=VIEWER, viewer_is_admin=True), None),
    "by type": (AssetFilter(viewer_id=None, type="weapon"), None),
    "by status": (AssetFilter(viewer_id=VIEWER, status="approved"), None),
    "by project": (AssetFilter(viewer_id=VIEWER, project_id=PROJECT), None),
    "by owner": (AssetFilter(viewer_id=None, owner_id=OWNER), None),
    "owner's own page": (AssetFilter(viewer_id=OWNER, owner_id=OWNER), None),
    "admin by type": (AssetFilter(viewer_id=VIEWER, viewer_is_admin=True, type="prop"), None),
    "cursor page": (AssetFilter(viewer_id=VIEWER), AFTER),
    "cursor page by type": (AssetFilter(viewer_id=None, type="armor"), AFTER),
    "text search": (AssetFilter(viewer_id=VIEWER, text=search_terms("obsidian")), None),
    "text search by type": (AssetFilter(viewer_id=None, type="weapon", text=search_terms("obsidian sword")), None),
    "text search cursor": (
        AssetFilter(viewer_id=VIEWER, text=search_terms("obsidian")),
        PagePosition(created_at=AFTER.created_at, id=AFTER.id, rank=0.5),
    ),
}


def _statement(where: AssetFilter, after: PagePosition | None) -> tuple[str, list[Any]]:
    """The SQL and positional values the repository sends for this listing."""
    query = _page_query(page_shape(where, after=after is not None), 201)
    params = page_parameters(where, after)
    compiled = query._statement.compile(dialect=dialect.dialect())  # type: ignore[attr-defined]
    names = compiled.positiontup or ()
    return str(compiled), [params[name] for name in names]


async def _plan(connection: asyncpg.Connection, sql: str, values: list[Any], mode: str) -> str:
    async with connection.transaction():
        await connection.execute(f"SET LOCAL plan_cache_mode = {mode}")
        rows = await connection.fetch(f"EXPLAIN {sql}", *values)
    return "\n".join(row[0] for row in rows)


@pytest.mark.parametrize("mode", ["force_custom_plan", "force_generic_plan"])
@pytest.mark.parametrize("listing", list(LISTINGS))
async def test_no_listing_reads_the_whole_table(seeded: asyncpg.Connection, listing: str, mode: str) -> None:
    sql, values = _statement(*LISTINGS[listing])
    plan = await _plan(seeded, sql, values, mode)
    assert "Seq Scan on assets" not in plan, plan
    assert "ix_assets" in plan, plan


async def test_the_seed_is_what_the_plans_are_about(seeded: asyncpg.Connection) -> None:
    assert await seeded.fetchval("SELECT count(*) FROM assets.assets") == ROWS
    matches = await seeded.fetchval(
        "SELECT count(*) FROM assets.assets WHERE search @@ to_tsquery('english', $1)", search_terms("obsidian")
    )
    assert matches == ROWS // 997


@pytest.mark.parametrize("listing", ["anonymous first page", "signed-in first page"])
async def test_a_first_page_keeps_its_generic_plan(seeded: asyncpg.Connection, listing: str) -> None:
    """Prepared as the service prepares it, a first page's query must settle on the generic
    plan: with the page size a bound parameter, PostgreSQL judged the generic plan costlier
    and planned every execution again (0.81 ms a page at a million rows, 0.49 ms planned
    once). A cursor page keeps it at a million rows, not at these 50,000 (docs/decisions.md)."""
    sql, values = _statement(*LISTINGS[listing])
    statement = await seeded.prepare(sql)
    for _ in range(12):
        await statement.fetch(*values)
    plans = await seeded.fetchrow(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1", sql
    )
    assert plans is not None
    assert plans["generic_plans"] > 0, dict(plans)

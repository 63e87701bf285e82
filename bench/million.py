"""A catalog of a million assets, written straight into the assets schema (through the bus
it would take an hour): the fields the bus-seeded ones have, names and descriptions from
a small vocabulary (so that a search matches a realistic share of rows), one in ten
private to other owners, one in a thousand the signed-in caller's own, one a second
apart in time. Then VACUUM (ANALYZE) and a checkpoint, as in a database in service."""

from __future__ import annotations

import asyncio
import time

import asyncpg
from harness import say
from sqlalchemy import text

from assetforge.common.db import Database
from assetforge.common.devstack import asyncpg_dsn
from assetforge.common.settings import Env, get_database_settings

BATCH = 100_000
ADJECTIVES = [
    "rusty",
    "ancient",
    "gilded",
    "cursed",
    "frozen",
    "burning",
    "shadow",
    "radiant",
    "crude",
    "ornate",
    "broken",
    "sacred",
    "jagged",
    "polished",
    "savage",
    "noble",
    "hollow",
    "mossy",
    "spectral",
    "runed",
    "weathered",
    "royal",
    "feral",
    "arcane",
    "brutal",
    "elegant",
    "grim",
    "heavy",
    "light",
    "long",
    "short",
    "twin",
    "iron-bound",
    "bone-handled",
    "storm",
    "blessed",
    "infernal",
    "verdant",
    "crystal",
    "obsidian",
]
MATERIALS = [
    "iron",
    "steel",
    "bronze",
    "mithril",
    "adamant",
    "oak",
    "yew",
    "obsidian",
    "bone",
    "leather",
    "silk",
    "dragonscale",
    "copper",
    "silver",
    "gold",
    "crystal",
    "stone",
    "ivory",
    "ebony",
    "glass",
    "jade",
    "coral",
    "chitin",
    "frostglass",
    "emberglass",
]
NOUNS = [
    "longsword",
    "dagger",
    "axe",
    "warhammer",
    "mace",
    "spear",
    "halberd",
    "bow",
    "crossbow",
    "staff",
    "wand",
    "shield",
    "helm",
    "gauntlet",
    "greaves",
    "cuirass",
    "cloak",
    "amulet",
    "ring",
    "potion",
    "scroll",
    "tome",
    "lantern",
    "chest",
    "barrel",
    "crate",
    "cart",
    "wagon",
    "boat",
    "throne",
    "altar",
    "statue",
    "pillar",
    "gate",
    "tower",
    "bridge",
    "well",
    "forge",
    "anvil",
    "banner",
    "goblin",
    "orc",
    "troll",
    "dragon",
    "wolf",
    "bear",
    "spider",
    "golem",
    "wraith",
    "knight",
    "archer",
    "mage",
    "rogue",
    "merchant",
    "blacksmith",
    "innkeeper",
]
TYPES = ("weapon", "armor", "character", "prop", "item", "environment", "building", "vehicle", "creature")

_INSERT = """
INSERT INTO assets.assets
  (id, name, description, type, status, visibility, owner_id, tags, metadata, created_at, updated_at)
SELECT gen_random_uuid(),
       initcap(w.adjective) || ' ' || w.material || ' ' || w.noun || ' #' || g,
       'A ' || w.adjective || ' ' || w.noun || ' of ' || w.material || ', asset ' || g
         || ' of the million-asset benchmark, with a modest description like the others.',
       (CAST(:types AS text[]))[1 + g % cardinality(CAST(:types AS text[]))],
       'completed',
       CASE WHEN g % 10 = 0 THEN 'private' ELSE 'public' END,
       CASE WHEN g % 1000 = 0 THEN CAST(:me AS text) ELSE 'bench-owner-' || (g % 5000) END,
       jsonb_build_array(w.noun, w.material, 'batch-' || (g / 1000)),
       jsonb_build_object('style', 'fantasy', 'seed', g),
       t.at, t.at
FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS g,
     LATERAL (SELECT (CAST(:adjectives AS text[]))[1 + (g * 7) % cardinality(CAST(:adjectives AS text[]))] AS adjective,
                     (CAST(:materials AS text[]))[1 + (g * 13) % cardinality(CAST(:materials AS text[]))] AS material,
                     (CAST(:nouns AS text[]))[1 + (g * 31) % cardinality(CAST(:nouns AS text[]))] AS noun) AS w,
     LATERAL (SELECT now() - interval '2 days' - g * interval '1 second' AS at) AS t
"""


def search_terms() -> list[str]:
    """What the search load asks: single nouns (about 1 in 60 rows match), and an
    adjective with a noun (about 1 in 600)."""
    singles = NOUNS[:20]
    pairs = [f"{ADJECTIVES[(i * 7) % len(ADJECTIVES)]} {NOUNS[(i * 31) % len(NOUNS)]}" for i in range(1, 21)]
    return singles + pairs


async def _seed(env: dict[str, str], count: int, me: str) -> None:
    database = Database(get_database_settings(Env(env)), "bench-million")
    values = {
        "types": list(TYPES),
        "adjectives": ADJECTIVES,
        "materials": MATERIALS,
        "nouns": NOUNS,
        "me": me,
    }
    try:
        for first in range(1, count + 1, BATCH):
            last = min(first + BATCH - 1, count)
            started = time.perf_counter()
            async with database.unit_of_work() as session:
                await session.execute(text("SET LOCAL statement_timeout = 0"))
                await session.execute(text(_INSERT), {**values, "first": first, "last": last})
            say(f"  rows {first:,}-{last:,} in {time.perf_counter() - started:.1f}s")
    finally:
        await database.dispose()
    # As a database in service would be: vacuumed (visibility map and hint bits set, so the
    # first reads do not write) and analyzed, with the writes checkpointed before measuring.
    connection = await asyncpg.connect(asyncpg_dsn(env["DATABASE_URL"]))
    try:
        await connection.execute("SET statement_timeout = 0")
        await connection.execute("VACUUM (ANALYZE) assets.assets")
        try:
            await connection.execute("CHECKPOINT")
        except asyncpg.InsufficientPrivilegeError:
            say("  no CHECKPOINT (the role may not): the writes are flushed in the background")
    finally:
        await connection.close()


def seed(env: dict[str, str], count: int, me: str) -> float:
    """Insert ``count`` assets; the seconds it took."""
    started = time.perf_counter()
    asyncio.run(_seed(env, count, me))
    seconds = time.perf_counter() - started
    say(f"wrote {count:,} assets straight into the assets schema in {seconds:.0f}s")
    return seconds

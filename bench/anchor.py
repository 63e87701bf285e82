"""The anchor of bench/anchor/ (the original server's catalog read, Elysia on Bun):
installed with npm, seeded on the benchmark's PostgreSQL, started and stopped like any
other process of the harness."""

from __future__ import annotations

import asyncio
import shutil
import subprocess

import asyncpg
from harness import BENCH, Harness, Process, free_port, say, wait_for
from sqlalchemy.engine import make_url

from assetforge.common.devstack import asyncpg_dsn

ANCHOR = BENCH / "anchor"
BUN = ANCHOR / "node_modules" / ".bin" / "bun"


def install() -> str | None:
    """Install the anchor's packages if missing; the reason when it cannot be done."""
    if BUN.exists():
        return None
    npm = shutil.which("npm")
    if npm is None:
        return "npm is missing: install Node.js and npm (apt-get install nodejs npm)"
    say("installing the anchor (npm ci in bench/anchor)")
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"], cwd=ANCHOR, capture_output=True, text=True, check=False
    )
    if done.returncode != 0 or not BUN.exists():
        return f"npm ci failed in bench/anchor: {done.stderr.strip()[-2000:]}"
    return None


def _connection_env(database_url: str) -> dict[str, str]:
    """libpq-style variables for postgres.js, from a SQLAlchemy URL (socket or TCP)."""
    url = make_url(database_url)
    host = url.query.get("host")
    env = {"PGUSER": url.username or "postgres", "PGDATABASE": url.database or "postgres"}
    env["PGHOST"] = str(host if isinstance(host, str) else (url.host or "127.0.0.1"))
    if url.port:
        env["PGPORT"] = str(url.port)
    if url.password:
        env["PGPASSWORD"] = url.password
    return env


async def _seed(database_url: str, count: int) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await connection.execute((ANCHOR / "seed.sql").read_text().replace(":n", str(int(count))))
    finally:
        await connection.close()


def seed(database_url: str, count: int) -> None:
    asyncio.run(_seed(database_url, count))
    say(f"anchor seeded: {count} public assets in schema anchor")


def start(harness: Harness, database_url: str, env: dict[str, str]) -> tuple[str, Process]:
    port = free_port()
    process_env = {**env, **_connection_env(database_url), "PORT": str(port)}
    process_env.pop("DATABASE_URL", None)
    process = harness.start("anchor", [str(BUN), "server.ts"], process_env, cwd=ANCHOR)
    url = f"http://127.0.0.1:{port}"
    wait_for(f"{url}/api/health/live", [process])
    return url, process


def version() -> str:
    done = subprocess.run([str(BUN), "--version"], capture_output=True, text=True, check=False)
    return f"bun {done.stdout.strip()}" if done.returncode == 0 else "unknown"

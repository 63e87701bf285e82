"""The gateway's folders import only what docs/architecture.md allows, so a request's
path through the code stays the path through the folders."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "services" / "gateway" / "src" / "assetforge" / "gateway"
PACKAGE = "assetforge.gateway"

# What each part of the gateway may import from the rest of it (besides itself).
# app.py, the composition root, may import anything; migrations import only models.
ALLOWED: dict[str, set[str]] = {
    "edge": {"auth", "catalog_cache", "ratelimit", "schemas", "settings"},
    # Anonymous catalog replies kept in memory: filled by the routes, served by the edge.
    "catalog_cache": {"auth", "files"},
    "ratelimit": {"settings"},
    "auth": {"schemas", "service", "settings"},
    "controllers": {
        "auth",
        "catalog_cache",
        "deps",
        "files",
        "openapi",
        "proxy",
        "ratelimit",
        "schemas",
        "service",
        "settings",
        "streams",
    },
    # The image proxy: URL and address checks, pinned connections; no HTTP server, no bus.
    "proxy": {"settings"},
    "deps": {"auth", "catalog_cache", "files", "service", "settings"},
    # Files over HTTP: streamed uploads and downloads, path checks, who reads an asset's files.
    "files": {"schemas"},
    "service": {"repository", "schemas"},
    "repository": {"models", "schemas"},
    "schemas": set(),
    "models": set(),
    "settings": set(),
    "openapi": {"ratelimit", "schemas"},
    # Server-Sent Event streams read from JetStream: ordered consumers, heartbeats, limits.
    "streams": set(),
    "subscribers": {"service"},
    "migrations": {"models"},
    "__main__": {"app"},
}


def _part(module: str) -> str:
    """``assetforge.gateway.edge.cors`` → ``edge``."""
    return module.removeprefix(f"{PACKAGE}.").split(".")[0]


def _imports() -> list[tuple[str, str]]:
    """(importing file's part, imported part) for every import within the gateway."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        part = _part(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE):
                if node.module == PACKAGE:  # from assetforge.gateway import schemas
                    found += [(part, alias.name) for alias in node.names]
                else:
                    found.append((part, _part(node.module)))
            elif isinstance(node, ast.Import):
                found += [(part, _part(a.name)) for a in node.names if a.name.startswith(f"{PACKAGE}.")]
    return found


def test_every_part_of_the_gateway_has_a_rule() -> None:
    parts = {_part(".".join(p.relative_to(ROOT).with_suffix("").parts)) for p in ROOT.rglob("*.py")}
    assert parts - {"app", "__init__"} <= set(ALLOWED), parts - set(ALLOWED)


@pytest.mark.parametrize("part", sorted(ALLOWED))
def test_each_part_imports_only_what_it_may(part: str) -> None:
    imported = {target for source, target in _imports() if source == part and target != part}
    assert imported <= ALLOWED[part], f"{part} imports {sorted(imported - ALLOWED[part])}"


def test_the_rules_see_real_imports() -> None:
    """The check reads the code: the edge does import the authenticator and the limiter."""
    assert {("edge", "auth"), ("edge", "ratelimit"), ("controllers", "service")} <= set(_imports())

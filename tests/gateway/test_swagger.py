"""Swagger UI works with no internet: the page loads nothing from another origin, and
every asset it names is served by the gateway itself."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx

from tests.gateway.test_bucket_rules import RULES

# Every src= / href= in the page, single- or double-quoted (Litestar's template uses both).
_REFERENCE = re.compile(r"""\b(?:src|href)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_CONTENT_TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png"}


def _references(html: str) -> list[str]:
    return [double or single for double, single in _REFERENCE.findall(html)]


def _is_same_origin(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and not url.startswith("//") and bool(parts.path)


async def test_the_swagger_page_references_only_same_origin_assets(gateway: httpx.AsyncClient) -> None:
    page = await gateway.get("/swagger")
    assert page.status_code == 200
    references = _references(page.text)
    assert references, "the page names no assets"
    assert [url for url in references if not _is_same_origin(url)] == []


async def test_every_asset_the_swagger_page_references_is_served(gateway: httpx.AsyncClient) -> None:
    page = await gateway.get("/swagger")
    references = [url for url in _references(page.text) if _is_same_origin(url)]
    suffixes = {urlsplit(url).path.rsplit(".", 1)[-1] for url in references}
    # The bundle, the standalone preset, the stylesheet and the favicon.
    assert {"js", "css", "png"} <= suffixes, references
    for url in references:
        response = await gateway.get(url)
        assert response.status_code == 200, url
        suffix = "." + urlsplit(url).path.rsplit(".", 1)[-1]
        assert _CONTENT_TYPES[suffix] in response.headers["content-type"], (url, response.headers["content-type"])
        assert len(response.content) > 500, url
        # The gateway's edge still stamps its headers on static files.
        assert response.headers["x-content-type-options"] == "nosniff", url
        assert "x-request-id" in response.headers, url


async def test_swagger_assets_are_cached_for_long_and_not_rate_limited(gateway: httpx.AsyncClient) -> None:
    page = await gateway.get("/swagger")
    scripts = [url for url in _references(page.text) if _is_same_origin(url) and url.endswith("swagger-ui-bundle.js")]
    assert len(scripts) == 1, _references(page.text)
    script = scripts[0]
    response = await gateway.get(script)
    assert "max-age=31536000" in response.headers["cache-control"]
    assert "immutable" in response.headers["cache-control"]
    # The test stack runs with rate limiting off, so ask the edge's own rule.
    assert RULES.bucket_for("GET", urlsplit(script).path) is None


async def test_an_unknown_swagger_asset_is_a_404(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/swagger/assets/no-such-file.js")
    assert response.status_code == 404

"""Lists of assets as the original frontend reads them: a bare JSON array, newest first,
with the next page's cursor in ``Link`` (rel="next") and ``X-Next-Cursor``.

The assets service replies ``{"nextCursor": ..., "assets": [...]}`` with ``nextCursor``
first, so the array is cut out of the reply's bytes without decoding two hundred assets
(the catalog's hot path); a reply of any other layout is decoded the slow way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

import msgspec
from litestar.openapi.spec import OpenAPIHeader, OpenAPIResponse, OpenAPIType, Operation, Schema

_LAST = b'{"nextCursor":null,"assets":'
_MORE = b'{"nextCursor":"'
_ASSETS = b'","assets":'


class _Page(msgspec.Struct, rename="camel"):
    next_cursor: str | None = None
    assets: msgspec.Raw = msgspec.Raw(b"[]")


_decoder = msgspec.json.Decoder(_Page)


def split_page(reply: bytes) -> tuple[bytes, str | None]:
    """The bare array of a page reply, and its next cursor (None on the last page)."""
    if reply.endswith(b"}"):
        if reply.startswith(_LAST):
            return reply[len(_LAST) : -1], None
        if reply.startswith(_MORE):
            # Cursors are URL-safe base64: the first quote ends one.
            end = reply.find(b'"', len(_MORE))
            if end > 0 and reply.startswith(_ASSETS, end):
                return reply[end + len(_ASSETS) : -1], reply[len(_MORE) : end].decode("ascii")
    page = _decoder.decode(reply)
    return bytes(page.assets), page.next_cursor


def next_page_headers(path: str, query: Iterable[tuple[str, str]], cursor: str | None) -> dict[str, str]:
    """``Link`` to the same listing from ``cursor`` (relative to the request), and the
    cursor itself; nothing on the last page."""
    if cursor is None:
        return {}
    kept = [(name, value) for name, value in query if name != "cursor"]
    target = f"{path}?{urlencode([*kept, ('cursor', cursor)])}"
    return {"Link": f'<{target}>; rel="next"', "X-Next-Cursor": cursor}


_HEADERS = {
    "Link": OpenAPIHeader(
        schema=Schema(type=OpenAPIType.STRING),
        description='The next page: `<...?cursor=...>; rel="next"` (absent on the last page)',
    ),
    "X-Next-Cursor": OpenAPIHeader(
        schema=Schema(type=OpenAPIType.STRING),
        description="The next page's cursor, to pass back as `cursor` (absent on the last page)",
    ),
}


@dataclass
class PageOperation(Operation):
    """Documents the next-page headers on the 200 reply (a route's own ``responses`` entry
    for 200 replaces Litestar's, headers included)."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse):
            ok.headers = {**(ok.headers or {}), **_HEADERS}

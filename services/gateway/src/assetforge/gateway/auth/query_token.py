"""``?access_token=<token>``: the credential of the routes that declare they take one in
the query (``opt={QUERY_TOKEN: True}``), since a browser's ``EventSource`` cannot send an
``Authorization`` header.

The edge takes the token out of the query string before anything else sees the request:
Litestar, the handlers, error logs and traces get the query without it, so it is never
logged or echoed. The header wins when both are sent (the query token is dropped all the
same). Every other route leaves ``access_token`` alone: it is not a credential there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, MutableMapping
from typing import Any
from urllib.parse import unquote_plus

# The `opt` key of a route that takes its credential from the query string too.
QUERY_TOKEN = "query_token"  # noqa: S105 - an option's name, not a secret
_NAME = b"access_token"


def _pattern(template: str) -> re.Pattern[str]:
    """``/api/x/{id}/events`` → a match for ``/api/x/<one segment>/events``, slash or not."""
    parts = re.split(r"\{[^}]*\}", template.rstrip("/"))
    return re.compile("^" + "[^/]+".join(re.escape(part) for part in parts) + "/?$")


class QueryTokenRoutes:
    """Which paths take ``?access_token=``, from what the routes declare."""

    def __init__(self, templates: Iterable[str] = ()) -> None:
        self._patterns = tuple(_pattern(template) for template in templates)

    @classmethod
    def of_routes(cls, routes: Iterable[Any]) -> QueryTokenRoutes:
        return cls(
            route.path_format
            for route in routes
            if any(handler.opt.get(QUERY_TOKEN) for handler in getattr(route, "route_handlers", ()))
        )

    def take(self, scope: MutableMapping[str, Any]) -> str | None:
        """The token of a route that takes one, removed from ``scope["query_string"]``
        (the rest of the query is kept byte for byte)."""
        query: bytes = scope.get("query_string", b"")
        if not self._patterns or _NAME not in query or not any(p.match(scope["path"]) for p in self._patterns):
            return None
        token: str | None = None
        kept: list[bytes] = []
        for part in query.split(b"&"):
            name, _, value = part.partition(b"=")
            if name != _NAME:
                kept.append(part)
            elif token is None:
                token = unquote_plus(value.decode("latin-1"))
        scope["query_string"] = b"&".join(kept)
        return token or None

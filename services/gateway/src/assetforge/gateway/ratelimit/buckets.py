"""Which requests count against which limit, and who the client is."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from assetforge.gateway.ratelimit.windows import SlidingWindow

DEFAULT = "default"
GENERATION = "generation"
AUDIO = "audio"
# Failed authentications, per client address: credential guessing has a limit of its own.
AUTH_FAILURES = "auth"

# The `opt` key through which a route (or its controller) names its bucket: a bucket
# name, or None for a route that is never limited (probes, metrics, docs). A route that
# names none counts against DEFAULT, as does a path no route serves.
OPT = "rate_limit"


@dataclass(frozen=True, slots=True)
class Bucket:
    name: str
    limit: int
    window: SlidingWindow


class BucketRules:
    """Which bucket a request counts against, from what the routes declare.

    The edge decides before Litestar routes the request, so route templates become an
    exact table (templates without parameters) and static prefixes (the part of a
    template before its first parameter, longest first).
    """

    def __init__(self, declared: Iterable[tuple[str, str, str | None]]) -> None:
        self._exact: dict[tuple[str, str], str | None] = {}
        prefixes: dict[tuple[str, str], str | None] = {}
        for template, method, bucket in declared:
            static, brace, _ = template.partition("{")
            (prefixes if brace else self._exact)[(method, static)] = bucket
        self._prefixes = sorted(prefixes.items(), key=lambda item: -len(item[0][1]))

    @classmethod
    def of_routes(cls, routes: Iterable[Any], *extra: tuple[str, str, str | None]) -> BucketRules:
        """The rules the app's HTTP routes declare in their ``opt``, plus ``extra`` ones."""
        declared = [
            (route.path_format, method, handler.opt[OPT])
            for route in routes
            for handler in getattr(route, "route_handlers", ())
            if OPT in handler.opt
            for method in handler.http_methods
        ]
        return cls([*declared, *extra])

    def bucket_for(self, method: str, path: str) -> str | None:
        """The bucket a request counts against, or None for routes that are never limited."""
        if method == "OPTIONS":
            # CORS preflights carry no credentials and do no work; counting them would halve
            # a browser's allowance, keyed by IP instead of by user.
            return None
        key = (method, path)
        if key in self._exact:
            return self._exact[key]
        for (rule_method, prefix), bucket in self._prefixes:
            if rule_method == method and path.startswith(prefix):
                return bucket
        return DEFAULT

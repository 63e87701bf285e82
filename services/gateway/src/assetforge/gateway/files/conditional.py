"""Conditional and ranged GETs (RFC 9110 §13 and §14), decided from the request's
headers and what the store says of the object, before a byte is read."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assetforge.common.blobs import ByteRange

# One range only: "bytes=0-99", "bytes=100-", "bytes=-500".
_SINGLE = re.compile(r"bytes=(\d{0,19})-(\d{0,19})")


class Unsatisfiable(Exception):
    """No byte of the requested range exists (answered 416)."""


def etag_of(sha256: str) -> str:
    return f'"{sha256}"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` names this entity (weak comparison, as GET asks)."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(","))


def requested_range(header: str | None, size: int, *, if_range: str | None = None, etag: str = "") -> ByteRange | None:
    """The one range to send, or None for the whole object.

    Malformed headers and multiple ranges are answered with the whole object, as the
    RFC allows; ``If-Range`` naming another version asks for the whole object too. A
    range that starts past the end raises :class:`Unsatisfiable`.
    """
    if header is None or (if_range is not None and if_range.strip() != etag):
        return None
    found = _SINGLE.fullmatch(header.replace(" ", "").lower())
    if found is None:
        return None
    first, last = found.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(first)
    if last and int(last) < start:
        return None  # invalid, so ignored
    if start >= size:
        raise Unsatisfiable
    return ByteRange(start, min(int(last), size - 1) if last else size - 1)


@dataclass(frozen=True, slots=True)
class CachePolicy:
    """How long a client or a shared cache may keep a file."""

    max_age_s: int
    public: bool = True
    immutable: bool = False

    def header(self) -> str:
        scope = "public" if self.public else "private"
        return f"{scope}, max-age={self.max_age_s}" + (", immutable" if self.immutable else "")


YEAR_S = 365 * 24 * 3600
# Content-addressed files never change under their name.
IMMUTABLE = CachePolicy(YEAR_S, immutable=True)
# Files whose name may be written again (a regenerated thumbnail).
SHORT = CachePolicy(300)
# Temporary images expire; a cache should not outlive them by much.
TEMPORARY = CachePolicy(60)

"""Which object a file URL names, refusing anything that could reach another one.

A name is checked twice: on the raw path as the client sent it (before any decoding,
so ``%2e%2e``, ``%252e`` and ``%5c`` are seen as what they are) and segment by segment
after decoding, against an allowlist. A refusal is the same 404 as a missing file, so
probing tells nothing. Names starting with a dot can never be reached, which keeps the
blob store's staging area (``.staging/``) out of every URL.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from assetforge.common.errors import NotFound

MAX_NAME = 512
MAX_SEGMENTS = 8
# What a generated or uploaded file's name is made of; the first character is never a
# dot, so "." and ".." (and hidden names) are refused by the same rule.
_SEGMENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._~+-]{0,199}")
# Percent-encoded dot, slash, backslash, NUL and percent (double encoding), in any case.
_ENCODED = re.compile(rb"%(2e|2f|5c|00|25)", re.IGNORECASE)


def not_found() -> NotFound:
    return NotFound("no such file")


def _check_raw(raw: bytes) -> None:
    if _ENCODED.search(raw) or b"\\" in raw or b"\x00" in raw or b"//" in raw:
        raise not_found()
    if any(segment in {b".", b".."} for segment in raw.split(b"/")):
        raise not_found()


def object_name(raw_path: bytes, prefix: str, decoded: str) -> str:
    """The object name under ``prefix`` (a route's fixed start, ``/gdd-assets/<id>/``),
    from the request's raw path and the router's decoded rest of it."""
    raw = raw_path.split(b"?", 1)[0]
    if not raw.startswith(prefix.encode()):
        # The router matched a path the raw one does not spell the same way.
        raise not_found()
    _check_raw(raw)
    name = decoded.removeprefix("/")
    if name != unquote(raw[len(prefix) :].decode("latin-1")) or len(name) > MAX_NAME:
        raise not_found()
    segments = name.split("/")
    if len(segments) > MAX_SEGMENTS or not all(_SEGMENT.fullmatch(segment) for segment in segments):
        raise not_found()
    return name


def segment(value: str) -> str:
    """One path segment (an asset id, a temporary image's name), checked the same way."""
    if not _SEGMENT.fullmatch(value):
        raise not_found()
    return value

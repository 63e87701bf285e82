"""Answering a GET or HEAD for one stored object: found, conditional, ranged, cached."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import PurePosixPath
from typing import Any

from litestar.exceptions import HTTPException
from litestar.response.base import ASGIResponse

from assetforge.common.blobs import BlobInfo, BlobNotFound
from assetforge.gateway.files.conditional import (
    IMMUTABLE,
    SHORT,
    CachePolicy,
    Unsatisfiable,
    etag_of,
    matches,
    requested_range,
)
from assetforge.gateway.files.parts import FileServices
from assetforge.gateway.files.paths import not_found
from assetforge.gateway.files.response import BlobResponse

# What the stored kinds are called when the store did not record a type.
_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".glb": "model/gltf-binary",
    ".vrm": "model/gltf-binary",
    ".gltf": "model/gltf+json",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".ogg": "audio/ogg",
    ".m4a": "audio/mp4",
    ".json": "application/json",
}
_OCTETS = "application/octet-stream"
# A type safe to put in a header as it is (no parameters but a charset, no line breaks).
_SAFE_TYPE = re.compile(r"[a-z0-9][a-z0-9.+-]*/[a-z0-9][a-z0-9.+-]*(; ?charset=[a-z0-9-]+)?", re.IGNORECASE)
_DIGEST = re.compile(r"[0-9a-f]{64}")
# Files are shown by other origins (the studio's <img> and 3D viewer), and must never be
# run as a page of ours if one is opened directly.
_ALWAYS = {
    "accept-ranges": "bytes",
    "cross-origin-resource-policy": "cross-origin",
    "content-security-policy": "default-src 'none'; sandbox",
}


@dataclass(frozen=True, slots=True)
class Download:
    """What a GET or HEAD asked for, as far as serving a file goes."""

    head: bool
    if_none_match: str | None = None
    range: str | None = None
    if_range: str | None = None

    @classmethod
    def of(cls, method: str, headers: Any) -> Download:
        return cls(
            head=method == "HEAD",
            if_none_match=headers.get("if-none-match"),
            range=headers.get("range"),
            if_range=headers.get("if-range"),
        )


def content_addressed(name: str, info: BlobInfo) -> bool:
    """Whether the name is the file's digest (``<sha256>.glb``), so it never changes."""
    stem = PurePosixPath(name).name.split(".", 1)[0]
    return bool(_DIGEST.fullmatch(stem)) and stem == info.sha256


def by_name(name: str, info: BlobInfo, *, public: bool = True) -> CachePolicy:
    """A year for content-addressed names, a few minutes for names that may be rewritten."""
    policy = IMMUTABLE if content_addressed(name, info) else SHORT
    return policy if public else CachePolicy(policy.max_age_s, public=False, immutable=policy.immutable)


def _http_date(moment: datetime) -> str:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return format_datetime(aware.astimezone(UTC), usegmt=True)


def content_type(name: str, recorded: str | None) -> str:
    if recorded and _SAFE_TYPE.fullmatch(recorded):
        return recorded
    return _TYPES.get(PurePosixPath(name).suffix.lower(), _OCTETS)


async def serve(
    files: FileServices,
    bucket: str,
    name: str,
    download: Download,
    policy: CachePolicy | None = None,
    *,
    public: bool = True,
    mime_type: str | None = None,
) -> ASGIResponse:
    """The response for ``bucket/name``: 200, 206, 304, or raises 404 / 416.

    ``policy`` None means "by name" (:func:`by_name`); ``mime_type`` overrides the
    type the store recorded (the media record's, which the content decided)."""
    store = files.store
    info = await store.stat(bucket, name)
    if info is None:
        raise not_found()
    etag = etag_of(info.sha256)
    cache = policy or by_name(name, info, public=public)
    headers = {
        **_ALWAYS,
        "etag": etag,
        "cache-control": cache.header(),
        "last-modified": _http_date(info.modified_at),
    }
    if matches(download.if_none_match, etag):
        return ASGIResponse(status_code=304, headers=headers)
    try:
        byte_range = requested_range(download.range, info.size, if_range=download.if_range, etag=etag)
    except Unsatisfiable:
        raise HTTPException(
            status_code=416, detail="range not satisfiable", headers={"content-range": f"bytes */{info.size}"}
        ) from None
    headers["content-type"] = content_type(name, mime_type or info.content_type)
    length = info.size if byte_range is None else byte_range.length
    headers["content-length"] = str(length)
    if byte_range is not None:
        headers["content-range"] = f"bytes {byte_range.start}-{byte_range.end}/{info.size}"
    status = 200 if byte_range is None else 206
    if not download.head and files.small.fits(info):
        try:
            body = await files.small.body(store, info)
        except BlobNotFound:
            raise not_found() from None  # deleted since the stat
        if body is not None:
            part = body if byte_range is None else body[byte_range.start : byte_range.end + 1]
            return ASGIResponse(status_code=status, headers=headers, body=part)
    return BlobResponse(store, bucket, name, byte_range, status, length, headers, head=download.head)

"""The blob store's interface: what callers may ask of wherever bytes are kept.

The system's store is JetStream's Object Store (``jetstream.py``), so no pod needs a
shared volume and files replicate with the NATS cluster. Callers see only this
protocol, so an S3-compatible store can be added beside it without touching them.

Writers never make a file visible half-written: bytes are streamed under a staging
name (``STAGING_PREFIX`` + a random id) and then *promoted* to their final name, which
for immutable files is their SHA-256 (content addressing). Promotion moves no bytes.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

# The buckets, as the public URL paths name them.
GDD_ASSETS = "gdd-assets"  # generated files: /gdd-assets/{assetId}/{path}
MEDIA = "media"  # uploads, content-addressed: /api/media/{id}/content
TEMP_IMAGES = "temp-images"  # short-lived images handed to providers: /temp-images/{name}
IMAGES = "images"  # static images: /images/{path}
BUCKETS = (GDD_ASSETS, MEDIA, TEMP_IMAGES, IMAGES)
STAGING_PREFIX = ".staging/"


class BlobNotFound(Exception):
    """No object of that name (or it was deleted)."""


class BlobTooLarge(Exception):
    """The stream went past the ``max_size`` it was allowed; nothing was kept."""


class BlobCorrupt(Exception):
    """The bytes read do not match the stored digest or size."""


@dataclass(frozen=True, slots=True)
class BlobInfo:
    bucket: str
    name: str
    size: int
    sha256: str  # hex
    content_type: str | None
    modified_at: datetime


@dataclass(frozen=True, slots=True)
class ByteRange:
    """Bytes ``start`` to ``end`` inclusive, as HTTP ``Range`` counts them."""

    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1


class BlobStore(Protocol):
    async def put(
        self,
        bucket: str,
        chunks: AsyncIterable[bytes],
        *,
        name: str | None = None,
        content_type: str | None = None,
        max_size: int | None = None,
    ) -> BlobInfo:
        """Stream ``chunks`` into ``bucket`` as they arrive, never holding the whole file.

        Stored under ``name``, or under a new staging name when ``name`` is None (to be
        promoted once checked). Raises :class:`BlobTooLarge` past ``max_size``; on that
        or any failure, including the source iterator raising (a client that went
        away), nothing is left behind.
        """
        ...

    async def promote(self, bucket: str, staged: str, name: str) -> BlobInfo:
        """Give a staged object its final name, moving no bytes. If ``name`` already
        holds the same bytes (same digest) the staged copy is dropped; if it holds
        other bytes, they are replaced."""
        ...

    def read(self, bucket: str, name: str, byte_range: ByteRange | None = None) -> AsyncIterator[bytes]:
        """The object's bytes, streamed. Reading it whole verifies its digest as it goes
        and raises :class:`BlobCorrupt` at the end on a mismatch. Raises
        :class:`BlobNotFound` (before the first chunk) when there is no such object."""
        ...

    async def stat(self, bucket: str, name: str) -> BlobInfo | None: ...

    async def delete(self, bucket: str, name: str) -> bool:
        """Whether there was an object to delete."""
        ...

    def list(self, bucket: str, prefix: str = "") -> AsyncIterator[BlobInfo]: ...

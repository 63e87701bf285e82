"""Blob storage: where every file's bytes live. See docs/blobs.md for the interface."""

from assetforge.common.blobs.buckets import ensure_buckets, open_blob_store
from assetforge.common.blobs.jetstream import JetStreamBlobStore
from assetforge.common.blobs.store import (
    BUCKETS,
    GDD_ASSETS,
    IMAGES,
    MEDIA,
    STAGING_PREFIX,
    TEMP_IMAGES,
    BlobCorrupt,
    BlobInfo,
    BlobNotFound,
    BlobStore,
    BlobTooLarge,
    ByteRange,
)

__all__ = [
    "BUCKETS",
    "GDD_ASSETS",
    "IMAGES",
    "MEDIA",
    "STAGING_PREFIX",
    "TEMP_IMAGES",
    "BlobCorrupt",
    "BlobInfo",
    "BlobNotFound",
    "BlobStore",
    "BlobTooLarge",
    "ByteRange",
    "JetStreamBlobStore",
    "ensure_buckets",
    "open_blob_store",
]

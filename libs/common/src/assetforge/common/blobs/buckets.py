"""The four Object Store buckets, declared idempotently at start-up."""

from __future__ import annotations

import logging

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError

from assetforge.common.blobs import _meta as m
from assetforge.common.blobs.jetstream import JetStreamBlobStore
from assetforge.common.blobs.store import BUCKETS

log = logging.getLogger(__name__)


def bucket_config(bucket: str, replicas: int) -> StreamConfig:
    """The stream nats-py's ``create_object_store`` (and the Go client) would make."""
    return StreamConfig(
        name=m.stream_name(bucket),
        subjects=[f"$O.{bucket}.C.>", m.all_metas(bucket)],
        storage=StorageType.FILE,
        num_replicas=replicas,
        discard=DiscardPolicy.NEW,
        allow_rollup_hdrs=True,
        allow_direct=True,
        max_bytes=-1,
    )


async def ensure_buckets(js: JetStreamContext, replicas: int = 1) -> None:
    """Create the buckets when missing. An existing bucket is left as it is, except that
    its replica count is raised to ``replicas`` (never lowered: an operator may have
    raised it)."""
    for bucket in BUCKETS:
        config = bucket_config(bucket, replicas)
        name = config.name or ""
        try:
            existing = (await js.stream_info(name)).config
        except NotFoundError:
            try:
                await js.add_stream(config)
                log.info("created bucket %s (%d replicas)", bucket, replicas)
                continue
            except BadRequestError:
                # Another service created it a moment ago.
                existing = (await js.stream_info(name)).config
        if (existing.num_replicas or 1) < replicas:
            existing.num_replicas = replicas
            await js.update_stream(existing)
            log.info("raised bucket %s to %d replicas", bucket, replicas)


async def open_blob_store(js: JetStreamContext, *, replicas: int = 1) -> JetStreamBlobStore:
    """The store, once its buckets exist."""
    await ensure_buckets(js, replicas)
    return JetStreamBlobStore(js)

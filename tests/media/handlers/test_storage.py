"""Storage health: the counts the admin page shows, on the session stack (no CDN)."""

from __future__ import annotations

import random

from nats.aio.client import Client

from assetforge.common.blobs import MEDIA, JetStreamBlobStore
from assetforge.common.contracts import media as contract
from tests.media import files
from tests.media.support import call, stage
from tests.support import RunningService


async def test_storage_health_counts_files_and_says_no_cdn_is_configured(
    media: RunningService, nc: Client, store: JetStreamBlobStore, owner: str
) -> None:
    before = (await call(nc, contract.STORAGE_HEALTH, {})).body
    staged = await stage(store, MEDIA, files.png(random.randrange(1 << 30)))
    assert (await call(nc, contract.FILE_REGISTER, {"staged": staged}, owner)).ok
    after = (await call(nc, contract.STORAGE_HEALTH, {})).body
    assert (after["cdnConfigured"], after["cdnReachable"]) == (False, None)
    assert after["files"] == before["files"] + 1
    # Without a CDN nothing waits for one.
    assert (after["mirrored"], after["pending"], after["failed"]) == (0, 0, 0)

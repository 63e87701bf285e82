"""Small objects in one round trip: a batched direct get (nats-server 2.11+).

A pull consumer costs two JetStream API calls (create, delete) and consumer state on
the server before the first byte; for an object of a few chunks that dominates the
read (``bench/blobs.py``: 64 concurrent reads of a 200 KB object). One direct get
``{"next_by_subj": <chunk subject>, "batch": n}`` returns up to ``n`` messages of the
subject followed by an end-of-batch status, with no state left on the server.

Direct gets may be answered by any replica, including one that is behind; the caller
gets None whenever fewer chunks came back than expected (or anything went wrong) and
reads through a consumer on the stream leader instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

import nats.errors
from nats.aio.client import Client

log = logging.getLogger(__name__)

MAX_CHUNKS = 8  # 1 MiB: what a read may buffer before yielding its first chunk
TIMEOUT_S = 5.0
_END_OF_BATCH = "204"


async def get_chunks(nc: Client, stream: str, subject: str, *, start_seq: int, count: int) -> list[bytes] | None:
    """The ``count`` chunks of ``subject`` from ``start_seq`` (0: the first), or None."""
    inbox = nc.new_inbox()
    sub = await nc.subscribe(inbox)
    request = {"seq": start_seq, "next_by_subj": subject, "batch": count}
    chunks: list[bytes] = []
    try:
        await nc.publish(f"$JS.API.DIRECT.GET.{stream}", json.dumps(request).encode(), reply=inbox)
        async with asyncio.timeout(TIMEOUT_S):
            while True:
                msg = await sub.next_msg(timeout=None)
                status = (msg.headers or {}).get("Status")
                if status is not None:
                    if status != _END_OF_BATCH:
                        log.debug("direct get on %s: status %s", stream, status)
                    break
                chunks.append(msg.data)
                if len(chunks) == count:
                    break
    except (nats.errors.Error, TimeoutError) as exc:
        log.debug("direct get on %s failed: %r", stream, exc)
        return None
    finally:
        with contextlib.suppress(nats.errors.Error):
            await sub.unsubscribe()
    return chunks if len(chunks) == count else None

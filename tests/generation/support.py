"""Pipelines through the generation service's bus API, as the gateway calls it."""

from __future__ import annotations

import asyncio
from typing import Any

from nats.aio.client import Client
from nats.errors import ConnectionClosedError, NoRespondersError
from nats.errors import TimeoutError as NatsTimeout

from assetforge.common.contracts import pipelines as contract
from tests.media.support import Reply, call

TERMINAL = {"completed", "failed", "cancelled"}


async def submit(nc: Client, owner: str, key: str | None = None, **config: Any) -> Reply:
    body: dict[str, Any] = {"config": {"name": "rusty longsword", "type": "weapon", **config}}
    if key is not None:
        body["idempotencyKey"] = key
    return await call(nc, contract.PIPELINE_SUBMIT, body, owner)


async def status(nc: Client, owner: str, pipeline_id: str, role: str = "member") -> Reply:
    return await call(nc, contract.PIPELINE_GET, {"id": pipeline_id}, owner, role)


async def until_done(nc: Client, owner: str, pipeline_id: str, timeout: float = 30.0) -> dict[str, Any]:
    """The pipeline's status once it has ended."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            reply = await status(nc, owner, pipeline_id)
        except (NoRespondersError, NatsTimeout, ConnectionClosedError):  # a service (or NATS) restarting
            reply = None
        if reply is not None:
            assert reply.ok, reply.body
            if reply.body["status"] in TERMINAL:
                return reply.body
        if loop.time() > deadline:
            raise AssertionError(f"pipeline not done after {timeout}s: {reply.body if reply else None}")
        await asyncio.sleep(0.05)

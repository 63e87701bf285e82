"""The streams exist with file storage and a two-minute duplicate window, and a service
start puts a drifted setting back."""

from __future__ import annotations

from nats.aio.client import Client
from nats.js.api import RetentionPolicy, StorageType

from assetforge.common.bus.streams import COMMANDS, DUPLICATE_WINDOW_S, EVENTS, ensure_streams
from tests.support import RunningService


async def test_streams_are_durable_and_deduplicate(stack: dict[str, RunningService], nc: Client) -> None:
    js = nc.jetstream()
    events = (await js.stream_info(EVENTS)).config
    commands = (await js.stream_info(COMMANDS)).config
    assert events.storage == StorageType.FILE
    assert commands.storage == StorageType.FILE
    assert commands.retention == RetentionPolicy.WORK_QUEUE
    assert events.duplicate_window == DUPLICATE_WINDOW_S
    assert commands.duplicate_window == DUPLICATE_WINDOW_S


async def test_a_drifted_duplicate_window_is_restored(stack: dict[str, RunningService], nc: Client) -> None:
    js = nc.jetstream()
    drifted = (await js.stream_info(EVENTS)).config
    drifted.duplicate_window = 1.0
    await js.update_stream(drifted)

    await ensure_streams(js)

    assert (await js.stream_info(EVENTS)).config.duplicate_window == DUPLICATE_WINDOW_S

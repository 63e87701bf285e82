"""The real Meshy client against a fake Meshy on loopback: task lifecycles, outputs,
errors and the retry rules that keep a create from being paid twice."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from assetforge.generation.providers.base import (
    ANIMATION_PREFIX,
    MODEL,
    RIGGED,
    THUMBNAIL,
    ImageTo3DRequest,
    ProviderError,
    RetextureRequest,
    RiggingRequest,
    TaskState,
    TaskStatus,
)
from assetforge.generation.providers.http import HttpSettings
from assetforge.generation.providers.meshy import MeshyImageTo3D, MeshyRetexture, MeshyRigging
from assetforge.generation.providers.openai import PNG_SIGNATURE
from tests.generation.fakes.meshy import FakeMeshy
from tests.support import serve_asgi

KEY = "msy-test-key"
REQUEST = ImageTo3DRequest(
    image_url="data:image/png;base64,iVBORw0KGgo=",
    prompt="an oak barrel",
    asset_type="prop",
    target_polycount=8000,
    texture_resolution=2048,
)


@pytest.fixture
async def meshy() -> AsyncIterator[FakeMeshy]:
    fake = FakeMeshy(api_key=KEY)
    served = await serve_asgi(fake.app())
    fake.url = served.url
    yield fake
    if fake.hold_create is not None:
        fake.hold_create.set()  # release a stalled create, or the server cannot stop
    await served.stop()


Calls = list[tuple[str, str, str, float]]


@pytest.fixture
async def client(meshy: FakeMeshy) -> AsyncIterator[Callable[..., Any]]:
    """Makes clients of the fake (``kind`` a client class, settings as keywords, fast
    backoff by default) and closes them after the test."""
    made: list[Any] = []

    def make(kind: type[Any] = MeshyImageTo3D, *, key: str = KEY, calls: Calls | None = None, **http: Any) -> Any:
        settings = HttpSettings(base_delay_s=0.01, on_call=recorder(calls), **http)
        made.append(kind(key, base_url=f"{meshy.url}/openapi", settings=settings))
        return made[-1]

    yield make
    for each in made:
        await each.aclose()


def recorder(calls: Calls | None) -> Callable[[str, str, str, float], None] | None:
    if calls is None:
        return None
    return lambda provider, model, status, seconds: calls.append((provider, model, status, seconds))


async def finish(provider: Any, task_id: str, limit: int = 50) -> list[TaskState]:
    states = [await provider.poll(task_id)]
    while not states[-1].terminal and len(states) < limit:
        states.append(await provider.poll(task_id))
    return states


async def test_a_task_of_many_polls_succeeds_and_fetch_returns_its_glb(meshy: FakeMeshy, client: Any) -> None:
    meshy.polls_to_finish = 6
    provider = client()
    task_id = await provider.create(REQUEST)
    states = await finish(provider, task_id)
    assert [s.status for s in states][:2] == [TaskStatus.PENDING, TaskStatus.IN_PROGRESS]
    assert states[-1].status is TaskStatus.SUCCEEDED
    assert len(states) == 7
    progress = [s.progress for s in states]
    assert progress == sorted(progress)
    assert progress[-1] == 100
    outputs = states[-1].outputs
    assert outputs[MODEL] == f"{meshy.url}/assets/{task_id}/model.glb"
    assert (await provider.fetch(outputs[MODEL]))[:4] == b"glTF"
    assert (await provider.fetch(outputs[THUMBNAIL])).startswith(PNG_SIGNATURE)
    kind, body = meshy.create_bodies[0]
    assert kind == "image-to-3d"
    assert body == {
        "image_url": REQUEST.image_url,
        "enable_pbr": True,
        "ai_model": "meshy-5",
        "topology": "quad",
        "target_polycount": 8000,
        "texture_resolution": "2k",
        "should_remesh": True,
    }


async def test_a_failed_task_carries_task_error_message(meshy: FakeMeshy, client: Any) -> None:
    meshy.fail_next["image-to-3d"] = "The image contains no recognisable object"
    provider = client()
    state = (await finish(provider, await provider.create(REQUEST)))[-1]
    assert state.status is TaskStatus.FAILED
    assert state.error == "The image contains no recognisable object"
    meshy.fail_next["image-to-3d"] = ""
    state = (await finish(provider, await provider.create(REQUEST)))[-1]
    assert state.error is not None
    assert "no reason" in state.error


async def test_a_canceled_task_maps_to_canceled(meshy: FakeMeshy, client: Any) -> None:
    meshy.cancel_next.add("image-to-3d")
    provider = client()
    state = (await finish(provider, await provider.create(REQUEST)))[-1]
    assert state.status is TaskStatus.CANCELED
    assert state.terminal


async def test_402_is_final_names_meshy_and_is_not_retried(meshy: FakeMeshy, client: Any) -> None:
    meshy.reject_next = [402]
    with pytest.raises(ProviderError) as caught:
        await client().create(REQUEST)
    assert not caught.value.retryable
    assert caught.value.status == 402
    assert "Meshy" in caught.value.message
    assert "no credits" in caught.value.message
    assert meshy.creates["image-to-3d"] == 1


async def test_429_is_retried_after_its_retry_after_and_succeeds(meshy: FakeMeshy, client: Any) -> None:
    meshy.reject_next = [429]
    calls: Calls = []
    started = time.monotonic()
    task_id = await client(calls=calls).create(REQUEST)
    assert time.monotonic() - started >= 1.0
    assert task_id in meshy.tasks
    assert meshy.creates["image-to-3d"] == 2
    # The hook counts each attempt, with the client's provider and model.
    assert [(c[0], c[1], c[2]) for c in calls] == [("meshy", "meshy-5", "429"), ("meshy", "meshy-5", "ok")]
    assert all(c[3] >= 0 for c in calls)


async def test_a_retry_after_beyond_the_cap_is_left_to_the_pipeline(meshy: FakeMeshy, client: Any) -> None:
    meshy.reject_next, meshy.retry_after = [429], "120"
    with pytest.raises(ProviderError) as caught:
        await client().create(REQUEST)
    assert caught.value.retryable
    assert caught.value.retry_after_s == 120
    assert meshy.creates["image-to-3d"] == 1


async def test_a_500_on_create_is_not_retried_and_is_retryable(meshy: FakeMeshy, client: Any) -> None:
    meshy.reject_next = [500]
    with pytest.raises(ProviderError) as caught:
        await client().create(REQUEST)
    assert caught.value.retryable
    assert caught.value.status == 500
    assert meshy.creates["image-to-3d"] == 1


async def test_polls_retry_a_500(meshy: FakeMeshy, client: Any) -> None:
    provider = client()
    task_id = await provider.create(REQUEST)
    meshy.reject_polls = [500, 503]
    state = await provider.poll(task_id)
    assert state.status is TaskStatus.PENDING
    assert meshy.polls == 3


async def test_a_stalled_create_times_out_unretried_and_find_created_adopts_it(meshy: FakeMeshy, client: Any) -> None:
    meshy.hold_create = asyncio.Event()
    provider = client(read_s=0.3)
    since = datetime.now(UTC)
    with pytest.raises(ProviderError) as caught:
        await provider.create(REQUEST)
    assert caught.value.retryable
    await asyncio.sleep(0.1)  # a retry would have arrived by now
    assert meshy.creates["image-to-3d"] == 1
    (task_id,) = meshy.tasks
    assert await provider.find_created(REQUEST, since, set()) == task_id
    assert await provider.find_created(REQUEST, since, {task_id}) is None
    assert await provider.find_created(REQUEST, since + timedelta(seconds=30), set()) is None


async def test_find_created_matches_what_retexture_tasks_echo(meshy: FakeMeshy, client: Any) -> None:
    provider = client(MeshyRetexture)
    since = datetime.now(UTC)
    bronze = RetextureRequest(input_task_id="t-1", style_prompt="weathered bronze", preset_id="bronze")
    gold = RetextureRequest(input_task_id="t-1", style_prompt="polished gold", preset_id="gold")
    bronze_id = await provider.create(bronze)
    gold_id = await provider.create(gold)
    assert await provider.find_created(bronze, since, set()) == bronze_id
    assert await provider.find_created(gold, since, set()) == gold_id
    assert meshy.create_bodies[0] == (
        "retexture",
        {"input_task_id": "t-1", "text_style_prompt": "weathered bronze", "enable_original_uv": True},
    )


async def test_rigging_has_no_list_so_find_created_answers_none(meshy: FakeMeshy, client: Any) -> None:
    provider = client(MeshyRigging)
    since = datetime.now(UTC)
    await provider.create(RiggingRequest(input_task_id="t-1"))
    assert await provider.find_created(RiggingRequest(input_task_id="t-1"), since, set()) is None


async def test_rigging_poll_maps_rigged_walking_and_running(meshy: FakeMeshy, client: Any) -> None:
    meshy.polls_to_finish = 1
    provider = client(MeshyRigging)
    task_id = await provider.create(RiggingRequest(input_task_id="t-1", height_meters=1.5))
    state = (await finish(provider, task_id))[-1]
    assert state.status is TaskStatus.SUCCEEDED
    base = f"{meshy.url}/assets/{task_id}"
    assert state.outputs == {
        RIGGED: f"{base}/rigged.glb",
        ANIMATION_PREFIX + "walking": f"{base}/walking.glb",
        ANIMATION_PREFIX + "running": f"{base}/running.glb",
    }
    assert (await provider.fetch(state.outputs[ANIMATION_PREFIX + "walking"]))[:4] == b"glTF"
    assert meshy.create_bodies[0] == ("rigging", {"input_task_id": "t-1", "height_meters": 1.5})


async def test_a_bad_key_is_final(meshy: FakeMeshy, client: Any) -> None:
    with pytest.raises(ProviderError) as caught:
        await client(key="msy-wrong").create(REQUEST)
    assert not caught.value.retryable
    assert caught.value.status == 401
    assert "key" in caught.value.message
    assert meshy.creates["image-to-3d"] == 0


async def test_an_unknown_task_is_not_found(client: Any) -> None:
    with pytest.raises(ProviderError) as caught:
        await client().poll("no-such-task")
    assert not caught.value.retryable
    assert "not found" in caught.value.message


async def test_cancel_deletes_the_task(meshy: FakeMeshy, client: Any) -> None:
    provider = client()
    task_id = await provider.create(REQUEST)
    assert await provider.cancel(task_id) is True
    assert meshy.deleted == [task_id]
    assert await provider.cancel(task_id) is True  # already gone


async def test_fetch_follows_redirects_and_caps_the_size(meshy: FakeMeshy, client: Any) -> None:
    meshy.redirect_assets, meshy.polls_to_finish = True, 0
    provider = client()
    state = await provider.poll(await provider.create(REQUEST))
    assert (await provider.fetch(state.outputs[MODEL]))[:4] == b"glTF"
    small = MeshyImageTo3D(KEY, base_url=f"{meshy.url}/openapi", max_download_bytes=100)
    try:
        with pytest.raises(ProviderError, match="more than 100 bytes"):
            await small.fetch(state.outputs[MODEL])
    finally:
        await small.aclose()


async def test_a_create_that_cannot_connect_is_retried() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    calls: Calls = []
    provider = MeshyImageTo3D(
        KEY,
        base_url=f"http://127.0.0.1:{port}/openapi",
        settings=HttpSettings(base_delay_s=0.01, on_call=recorder(calls)),
    )
    try:
        with pytest.raises(ProviderError) as caught:
            await provider.create(REQUEST)
    finally:
        await provider.aclose()
    # Refused before anything was sent: nothing can have been paid, so all attempts ran.
    assert caught.value.retryable
    assert [c[2] for c in calls] == ["error", "error", "error"]

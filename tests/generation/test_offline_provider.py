"""The offline providers as the pipeline uses them: create, poll, fetch, across restarts.

A task id is all the state there is, so these tests also make a fresh provider (as a
restarted worker would) and check it carries on with ids an earlier one handed out.
"""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import UTC, datetime
from io import BytesIO

import pygltflib
import pytest
from PIL import Image

from assetforge.generation.offline.glb import to_hex
from assetforge.generation.offline.provider import (
    OfflineImageTo3D,
    OfflineRetexture,
    OfflineRigging,
    offline_providers,
)
from assetforge.generation.offline.validate import check_glb
from assetforge.generation.providers.base import (
    ANIMATION_PREFIX,
    MODEL,
    RIGGED,
    THUMBNAIL,
    ImageTo3DRequest,
    ProviderError,
    RetextureRequest,
    RiggingRequest,
    TaskStatus,
)


def image_request(asset_type: str = "weapon", prompt: str = "a rune-etched longsword") -> ImageTo3DRequest:
    return ImageTo3DRequest(
        image_url="data:image/png;base64,AAAA",
        prompt=prompt,
        asset_type=asset_type,
        target_polycount=30000,
        texture_resolution=1024,
    )


def is_png(data: bytes) -> bool:
    return Image.open(BytesIO(data)).format == "PNG"


def forged(payload: object) -> str:
    return "off-" + base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


async def test_image_to_3d_succeeds_at_once_with_a_model_and_a_thumbnail() -> None:
    provider = OfflineImageTo3D()
    task_id = await provider.create(image_request())
    state = await provider.poll(task_id)
    assert state.status is TaskStatus.SUCCEEDED
    assert state.terminal
    assert state.progress == 100
    assert set(state.outputs) == {MODEL, THUMBNAIL}
    summary = check_glb(await provider.fetch(state.outputs[MODEL]))
    assert {"blade", "guard", "grip"} <= set(summary.node_names)
    assert is_png(await provider.fetch(state.outputs[THUMBNAIL]))


@pytest.mark.parametrize(("asset_type", "part"), [("character", "head"), ("building", "roof"), ("prop", "body")])
async def test_the_model_follows_the_asset_type(asset_type: str, part: str) -> None:
    provider = OfflineImageTo3D()
    state = await provider.poll(await provider.create(image_request(asset_type, "something")))
    assert part in check_glb(await provider.fetch(state.outputs[MODEL])).node_names


async def test_with_latency_a_task_runs_then_succeeds() -> None:
    provider = OfflineImageTo3D(latency_ms=200)
    task_id = await provider.create(image_request())
    first = await provider.poll(task_id)
    assert first.status is TaskStatus.IN_PROGRESS
    assert not first.terminal
    assert 0 <= first.progress < 100
    assert first.outputs == {}
    await asyncio.sleep(0.21)
    assert (await provider.poll(task_id)).status is TaskStatus.SUCCEEDED


async def test_a_restarted_provider_polls_and_fetches_an_old_task() -> None:
    task_id = await OfflineImageTo3D().create(image_request("character", "a tall knight"))
    before = await OfflineImageTo3D().poll(task_id)
    restarted = OfflineImageTo3D()
    after = await restarted.poll(task_id)
    assert after == before
    assert await restarted.fetch(after.outputs[MODEL]) == await OfflineImageTo3D().fetch(before.outputs[MODEL])


GARBAGE = [
    "",
    "nope",
    "meshy-0193f0c2-1234",
    "off-",
    "off-!!!not base64!!!",
    forged({"k": "zzz", "t": "weapon", "s": 1, "ts": 1}),
    forged(["a", "list"]),
    forged({"k": "i3d", "t": "weapon", "s": "seed", "ts": 1}),
    "off-" + "A" * 600,
]


@pytest.mark.parametrize("task_id", GARBAGE)
async def test_a_garbage_id_is_refused_for_good(task_id: str) -> None:
    provider = OfflineImageTo3D()
    for call in (provider.poll(task_id), provider.fetch(task_id + "#model")):
        with pytest.raises(ProviderError) as raised:
            await call
        assert raised.value.retryable is False
        assert raised.value.provider == "offline"
    with pytest.raises(ProviderError):
        await OfflineRetexture().create(RetextureRequest(input_task_id=task_id, style_prompt="", preset_id="gold"))
    with pytest.raises(ProviderError):
        await OfflineRigging().create(RiggingRequest(input_task_id=task_id))


async def test_a_ref_for_an_output_the_task_has_not_is_refused() -> None:
    provider = OfflineImageTo3D()
    task_id = await provider.create(image_request())
    with pytest.raises(ProviderError) as raised:
        await provider.fetch(task_id + "#rigged")
    assert raised.value.retryable is False


async def test_retexture_paints_an_image_to_3d_model_in_the_preset_colour() -> None:
    source = await OfflineImageTo3D().create(image_request())
    provider = OfflineRetexture()
    request = RetextureRequest(input_task_id=source, style_prompt="polished gold", preset_id="gold", color="#D4A843")
    state = await provider.poll(await provider.create(request))
    assert state.status is TaskStatus.SUCCEEDED
    assert set(state.outputs) == {MODEL, THUMBNAIL}
    model = await provider.fetch(state.outputs[MODEL])
    summary = check_glb(model)
    assert {"blade", "guard", "grip"} <= set(summary.node_names)
    for material in pygltflib.GLTF2.load_from_bytes(model).materials:
        assert to_hex(material.pbrMetallicRoughness.baseColorFactor) == "#d4a843"
        assert material.pbrMetallicRoughness.metallicFactor == pytest.approx(0.9)  # "gold" reads as metal
    original = await OfflineImageTo3D().fetch(source + "#model")
    assert model != original
    assert summary.bounds_max == check_glb(original).bounds_max  # same shape, new paint
    assert is_png(await provider.fetch(state.outputs[THUMBNAIL]))


def first_colour(glb: bytes) -> str:
    return to_hex(pygltflib.GLTF2.load_from_bytes(glb).materials[0].pbrMetallicRoughness.baseColorFactor)


async def test_a_preset_without_a_colour_still_gets_one_of_its_own() -> None:
    source = await OfflineImageTo3D().create(image_request("prop", "a barrel"))
    provider = OfflineRetexture()
    ids = [
        await provider.create(RetextureRequest(input_task_id=source, style_prompt="mossy", preset_id=preset))
        for preset in ("moss", "moss", "ash")
    ]
    colours = [
        to_hex(
            pygltflib.GLTF2.load_from_bytes(await provider.fetch(i + "#model"))
            .materials[0]
            .pbrMetallicRoughness.baseColorFactor
        )
        for i in ids
    ]
    assert colours[0] == colours[1] != colours[2]


async def test_retexture_refuses_a_colour_that_is_not_one() -> None:
    source = await OfflineImageTo3D().create(image_request())
    with pytest.raises(ProviderError) as raised:
        await OfflineRetexture().create(
            RetextureRequest(input_task_id=source, style_prompt="", preset_id="x", color="red")
        )
    assert raised.value.retryable is False


@pytest.mark.parametrize("height", [1.83, 1.5])
async def test_rigging_an_image_to_3d_model_gives_a_rig_and_two_animations(height: float) -> None:
    source = await OfflineImageTo3D().create(image_request("character", "a wandering bard"))
    provider = OfflineRigging()
    state = await provider.poll(await provider.create(RiggingRequest(input_task_id=source, height_meters=height)))
    assert state.status is TaskStatus.SUCCEEDED
    walking, running = ANIMATION_PREFIX + "walking", ANIMATION_PREFIX + "running"
    assert set(state.outputs) == {RIGGED, walking, running}
    rig = check_glb(await provider.fetch(state.outputs[RIGGED]))
    assert rig.skins == 1
    assert rig.joints >= 13
    assert rig.height == pytest.approx(height, abs=1e-3)
    assert check_glb(await provider.fetch(state.outputs[walking])).animation_names == ("walking",)
    assert check_glb(await provider.fetch(state.outputs[running])).animation_names == ("running",)


async def test_rigging_a_retextured_model_keeps_its_colour_and_a_short_id() -> None:
    source = await OfflineImageTo3D().create(image_request("a very long asset type name " * 5, "prompt " * 200))
    painted = await OfflineRetexture().create(
        RetextureRequest(input_task_id=source, style_prompt="steel plate " * 50, preset_id="p" * 200, color="#336699")
    )
    task_id = await OfflineRigging().create(RiggingRequest(input_task_id=painted, height_meters=1.7654321))
    assert len(source) < 250
    assert len(painted) < 250
    assert len(task_id) < 250
    assert first_colour(await OfflineRigging().fetch(task_id + "#rigged")) == "#336699"


async def test_rigging_refuses_an_impossible_height() -> None:
    source = await OfflineImageTo3D().create(image_request("character"))
    with pytest.raises(ProviderError) as raised:
        await OfflineRigging().create(RiggingRequest(input_task_id=source, height_meters=0))
    assert raised.value.retryable is False


async def test_cancel_is_accepted_and_nothing_is_ever_lost() -> None:
    provider = OfflineImageTo3D(latency_ms=10_000)
    request = image_request()
    task_id = await provider.create(request)
    assert await provider.cancel(task_id) is True
    assert await provider.find_created(request, datetime.now(tz=UTC), set()) is None
    retexture = RetextureRequest(input_task_id=task_id, style_prompt="", preset_id="x")
    assert await OfflineRetexture().find_created(retexture, datetime.now(tz=UTC), set()) is None
    rigging = RiggingRequest(input_task_id=task_id)
    assert await OfflineRigging().find_created(rigging, datetime.now(tz=UTC), set()) is None


async def test_chat_improves_a_prompt_the_same_way_every_time() -> None:
    chat = offline_providers(0).chat
    answer = await chat.complete("Improve this prompt for an image model.", "a rusty sword")
    assert answer.startswith("a rusty sword")
    assert "game-ready 3D asset" in answer
    assert "PBR" in answer
    assert answer == await chat.complete("Improve this prompt for an image model.", "a rusty sword")
    assert await chat.complete("Improve it.", answer) == answer  # improving twice adds nothing


async def test_chat_answers_json_when_the_system_prompt_asks_for_it() -> None:
    answer = await offline_providers(0).chat.complete("Answer with a JSON object.", "a goblin merchant")
    data = json.loads(answer)
    assert data["prompt"] == "a goblin merchant"
    assert "a goblin merchant" in data["text"]


async def test_images_generate_concept_art_for_a_prompt() -> None:
    images = offline_providers(0).images
    first, again = await images.generate("a dwarven hammer"), await images.generate("a dwarven hammer")
    assert is_png(first)
    assert first == again
    assert first != await images.generate("a crystal shard")


async def test_offline_providers_are_wired_with_one_latency() -> None:
    providers = offline_providers(latency_ms=50)
    everyone = [providers.chat, providers.images, providers.image_to_3d, providers.retexture, providers.rigging]
    assert {(p.provider, p.model) for p in everyone} == {("offline", "offline-procedural-1")}
    assert providers.image_to_3d.latency_ms == providers.retexture.latency_ms == providers.rigging.latency_ms == 50
    with pytest.raises(AttributeError):
        providers.chat = providers.chat  # type: ignore[misc]  # frozen

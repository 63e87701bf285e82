"""Offline PNGs: concept art that follows its prompt, and thumbnails of a model.

What matters to a user is that each opens as a PNG of the asked size, that a prompt
always gives the same picture (a rerun of a pipeline makes the same files), and that
two prompts give two pictures.
"""

from __future__ import annotations

from io import BytesIO

import numpy as np
import pytest
from PIL import Image

from assetforge.generation.offline.images import concept_art, thumbnail
from assetforge.generation.offline.shapes import model_for

TYPES = ["weapon", "character", "building", "armor", "shield", "potion", "tool", "resource", "prop", "gizmo"]


def opened(data: bytes) -> Image.Image:
    image = Image.open(BytesIO(data))
    assert image.format == "PNG"
    image.load()
    return image


@pytest.mark.parametrize("asset_type", TYPES)
def test_concept_art_is_a_png_of_the_default_size(asset_type: str) -> None:
    image = opened(concept_art("a weathered iron relic", asset_type))
    assert image.size == (512, 512)
    colours = {tuple(pixel) for pixel in np.asarray(image.convert("RGB")).reshape(-1, 3)[::97].tolist()}
    assert len(colours) > 10  # not a flat fill


@pytest.mark.parametrize("size", [64, 256, 1024])
def test_concept_art_has_the_requested_size(size: int) -> None:
    assert opened(concept_art("a small crate", "prop", size)).size == (size, size)


def test_the_same_prompt_gives_the_same_bytes() -> None:
    assert concept_art("an elven bow", "weapon") == concept_art("an elven bow", "weapon")


def test_different_prompts_give_different_images() -> None:
    images = {concept_art(prompt, "weapon") for prompt in ["an elven bow", "a dwarven axe", "a glass sword"]}
    assert len(images) == 3


def test_a_long_or_empty_prompt_still_renders() -> None:
    opened(concept_art("an ornate ceremonial halberd " * 40, "weapon"))
    opened(concept_art("", "prop"))


@pytest.mark.parametrize("asset_type", ["weapon", "character", "building", "resource"])
def test_a_thumbnail_shows_the_model(asset_type: str) -> None:
    image = opened(thumbnail(model_for(asset_type, "thumbnail test")))
    assert image.size == (256, 256)
    pixels = np.asarray(image.convert("RGB")).astype(int)
    background = pixels[0, 0]
    differs = np.abs(pixels - background).sum(axis=2) > 60
    assert 0.02 < differs.mean() < 0.9  # the model covers part of the picture


def test_a_thumbnail_in_a_preset_colour_is_tinted_by_it() -> None:
    scene = model_for("prop", "a red crate")
    plain, red = thumbnail(scene, 128), thumbnail(scene, 128, color="#ff0000")
    assert plain != red
    pixels = np.asarray(opened(red).convert("RGB")).astype(int)
    reddish = (pixels[:, :, 0] > 100) & (pixels[:, :, 1] < 40) & (pixels[:, :, 2] < 40)
    assert reddish.mean() > 0.05

"""The offline models a user opens: shaped by asset type, PBR, normalized, recoloured, checked.

Every GLB is read back with both pygltflib and trimesh, as ``check_glb`` does, so a file
that only one reader accepts fails here rather than in a viewer.
"""

from __future__ import annotations

from io import BytesIO

import numpy as np
import pygltflib
import pytest
import trimesh
from trimesh.visual.material import PBRMaterial

from assetforge.generation.offline.glb import recolour, scene_to_glb, to_hex
from assetforge.generation.offline.normalize import normalize_glb
from assetforge.generation.offline.rigged import rigged_glb
from assetforge.generation.offline.shapes import model_for
from assetforge.generation.offline.validate import InvalidModel, check_glb

EXPECTED_NODES = {
    "weapon": {"blade", "guard", "grip"},
    "character": {"head", "torso", "arm_left", "arm_right", "leg_left", "leg_right"},
    "avatar": {"head", "torso", "arm_left", "arm_right", "leg_left", "leg_right"},
    "NPC": {"head", "torso", "arm_left", "arm_right", "leg_left", "leg_right"},
    "building": {"walls", "roof"},
    "structure": {"walls", "roof"},
    "armor": {"plate"},
    "shield": {"face", "rim"},
    "potion": {"bottle", "cork"},
    "consumable": {"bottle", "cork"},
    "tool": {"handle", "head"},
    "resource": {"rock"},
    "prop": {"body"},
    "item": {"body"},
    "flux capacitor": {"body"},  # a type nobody planned for gets the generic prop
}
WEAPON_PROMPTS = ["a knight's longsword", "a rusty axe", "spiked mace", "a long spear", "war hammer", "dagger", "x"]


def glb_for(asset_type: str, prompt: str = "a test asset") -> bytes:
    return scene_to_glb(model_for(asset_type, prompt))


def load(glb: bytes) -> trimesh.Scene:
    scene = trimesh.load(file_obj=BytesIO(glb), file_type="glb", force="scene")
    assert isinstance(scene, trimesh.Scene)
    return scene


def node_centre(scene: trimesh.Scene, name: str) -> np.ndarray:
    transform, geometry = scene.graph[name]
    points = trimesh.transform_points(scene.geometry[geometry].vertices, transform)
    return (points.min(axis=0) + points.max(axis=0)) / 2


@pytest.mark.parametrize("asset_type", list(EXPECTED_NODES))
def test_each_type_is_a_glb_of_named_pbr_parts(asset_type: str) -> None:
    glb = glb_for(asset_type)
    summary = check_glb(glb)
    assert EXPECTED_NODES[asset_type] <= set(summary.node_names)
    assert summary.meshes >= 2
    gltf = pygltflib.GLTF2.load_from_bytes(glb)
    assert gltf.materials
    for material in gltf.materials:
        pbr = material.pbrMetallicRoughness
        assert pbr is not None
        assert len(pbr.baseColorFactor) == 4
        assert 0 <= pbr.metallicFactor <= 1
        assert 0 <= pbr.roughnessFactor <= 1
    for mesh in load(glb).geometry.values():
        assert isinstance(mesh.visual.material, PBRMaterial)


@pytest.mark.parametrize("prompt", WEAPON_PROMPTS)
def test_every_weapon_has_blade_guard_and_grip_along_y(prompt: str) -> None:
    scene = load(glb_for("weapon", prompt))
    assert {"blade", "guard", "grip"} <= set(scene.graph.nodes_geometry)
    assert np.allclose(node_centre(scene, "grip"), 0, atol=1e-6)
    extents = scene.extents
    assert int(np.argmax(extents)) == 1  # the weapon's length is along Y
    assert node_centre(scene, "blade")[1] > node_centre(scene, "grip")[1]


def test_the_prompt_picks_the_weapon_and_varies_it() -> None:
    axe, sword = load(glb_for("weapon", "a rusty axe")), load(glb_for("weapon", "a knight's longsword"))
    assert "haft" in axe.graph.nodes_geometry
    assert "haft" not in sword.graph.nodes_geometry
    assert glb_for("weapon", "sword one") != glb_for("weapon", "sword two")
    assert glb_for("building", "same prompt") == glb_for("building", "same prompt")


@pytest.mark.parametrize("prompt", WEAPON_PROMPTS)
def test_a_normalized_weapon_is_held_at_the_origin(prompt: str) -> None:
    raw = load(glb_for("weapon", prompt))
    raw.apply_translation((3.0, -2.0, 0.5))  # as if a provider had put it anywhere
    normalized = load(normalize_glb(scene_to_glb(raw), "weapon"))
    assert np.allclose(node_centre(normalized, "grip"), 0, atol=1e-5)


def test_a_weapon_without_a_grip_node_is_held_15_percent_up_its_length() -> None:
    # One merged mesh with no part names, as an image-to-3D model arrives.
    merged = trimesh.util.concatenate(list(model_for("weapon", "a long spear").dump()))
    merged.apply_translation((1.0, 5.0, -1.0))
    normalized = check_glb(normalize_glb(scene_to_glb(trimesh.Scene(merged)), "melee weapon"))
    length = normalized.size[1]
    assert normalized.bounds_min[1] == pytest.approx(-0.15 * length, abs=1e-5)
    # Centred on the haft, not on the whole (the spear's haft is its widest part here).
    assert abs(normalized.bounds_min[0] + normalized.bounds_max[0]) < 0.1


@pytest.mark.parametrize("asset_type", ["character", "avatar", "npc", "humanoid"])
def test_a_normalized_character_is_183_tall_on_the_ground(asset_type: str) -> None:
    raw = load(glb_for(asset_type))
    raw.apply_transform(np.diag([40.0, 40.0, 40.0, 1.0]))  # centimetres, and off the ground
    raw.apply_translation((5.0, 12.0, -3.0))
    summary = check_glb(normalize_glb(scene_to_glb(raw), asset_type))
    assert summary.height == pytest.approx(1.83, abs=0.01)
    assert summary.bounds_min[1] == pytest.approx(0.0, abs=1e-6)
    assert summary.bounds_min[0] + summary.bounds_max[0] == pytest.approx(0.0, abs=1e-6)
    assert summary.bounds_min[2] + summary.bounds_max[2] == pytest.approx(0.0, abs=1e-6)


def test_a_character_can_be_normalized_to_another_height() -> None:
    summary = check_glb(normalize_glb(glb_for("character"), "character", height_m=1.2))
    assert summary.height == pytest.approx(1.2, abs=0.01)


@pytest.mark.parametrize("asset_type", ["building", "prop", "potion", "resource", "shield", "tool", "armor"])
def test_other_types_stand_centred_on_the_ground(asset_type: str) -> None:
    raw = load(glb_for(asset_type))
    raw.apply_translation((2.0, 3.0, 4.0))
    before = raw.extents
    summary = check_glb(normalize_glb(scene_to_glb(raw), asset_type))
    assert summary.bounds_min[1] == pytest.approx(0.0, abs=1e-6)
    assert summary.bounds_min[0] + summary.bounds_max[0] == pytest.approx(0.0, abs=1e-6)
    assert summary.bounds_min[2] + summary.bounds_max[2] == pytest.approx(0.0, abs=1e-6)
    assert np.allclose(summary.size, before, atol=1e-6)  # moved, not scaled


@pytest.mark.parametrize("asset_type", ["weapon", "character", "building", "prop"])
def test_normalizing_twice_changes_nothing(asset_type: str) -> None:
    once = normalize_glb(glb_for(asset_type), asset_type)
    twice = normalize_glb(once, asset_type)
    first, second = check_glb(once), check_glb(twice)
    assert np.allclose(first.bounds_min, second.bounds_min, atol=1e-6)
    assert np.allclose(first.bounds_max, second.bounds_max, atol=1e-6)
    assert set(first.node_names) == set(second.node_names)
    assert first.materials == second.materials


def base_colours(glb: bytes) -> dict[str, list[float]]:
    return {m.name: m.pbrMetallicRoughness.baseColorFactor for m in pygltflib.GLTF2.load_from_bytes(glb).materials}


def test_normalizing_keeps_part_names_and_materials() -> None:
    original, normalized = glb_for("weapon"), normalize_glb(glb_for("weapon"), "weapon")
    assert set(check_glb(normalized).node_names) == set(check_glb(original).node_names)
    colours = {
        m.name: m.pbrMetallicRoughness.baseColorFactor for m in pygltflib.GLTF2.load_from_bytes(original).materials
    }
    after = {
        m.name: m.pbrMetallicRoughness.baseColorFactor for m in pygltflib.GLTF2.load_from_bytes(normalized).materials
    }
    assert after.keys() == colours.keys()
    for name, colour in colours.items():
        assert np.allclose(after[name], colour, atol=1e-3)


def test_normalize_refuses_what_is_not_a_model() -> None:
    with pytest.raises(InvalidModel):
        normalize_glb(b"not a glb at all", "weapon")


@pytest.mark.parametrize("preset", ["#b08d57", "#ff0000", "#1a2b3c"])
def test_a_recoloured_variant_wears_the_preset_colour(preset: str) -> None:
    original = glb_for("weapon", "a plain sword")
    variant = recolour(original, preset, metallic=0.9, roughness=0.25)
    check_glb(variant)
    before = [m.pbrMetallicRoughness for m in pygltflib.GLTF2.load_from_bytes(original).materials]
    after = [m.pbrMetallicRoughness for m in pygltflib.GLTF2.load_from_bytes(variant).materials]
    assert len(after) == len(before)
    for pbr in after:
        assert to_hex(pbr.baseColorFactor) == preset
        assert pbr.metallicFactor == 0.9
        assert pbr.roughnessFactor == 0.25
    assert any(to_hex(pbr.baseColorFactor) != preset for pbr in before)
    assert variant != original


def test_recolouring_keeps_factors_it_was_not_given_and_the_geometry() -> None:
    original = glb_for("building")
    variant = recolour(original, "#336699", metallic=None, roughness=None)
    before = pygltflib.GLTF2.load_from_bytes(original).materials
    after = pygltflib.GLTF2.load_from_bytes(variant).materials
    for old, new in zip(before, after, strict=True):
        assert new.pbrMetallicRoughness.metallicFactor == old.pbrMetallicRoughness.metallicFactor
        assert new.pbrMetallicRoughness.roughnessFactor == old.pbrMetallicRoughness.roughnessFactor
    assert check_glb(variant).bounds_max == check_glb(original).bounds_max


def test_recolouring_a_rigged_model_keeps_its_skin_and_animations() -> None:
    variant = check_glb(recolour(rigged_glb(1.83), "#aa3300"))
    assert variant.skins == 1
    assert set(variant.animation_names) == {"walking", "running"}


def test_recolour_refuses_a_bad_colour() -> None:
    with pytest.raises(ValueError, match="colour"):
        recolour(glb_for("prop"), "gold")


def glb_without_mesh() -> bytes:
    gltf = pygltflib.GLTF2(scene=0, scenes=[pygltflib.Scene(nodes=[0])], nodes=[pygltflib.Node(name="empty")])
    return b"".join(gltf.save_to_bytes())


@pytest.mark.parametrize(
    "data",
    [b"", b"garbage bytes that are no model", b"glTF" + b"\0" * 40, glb_without_mesh()],
    ids=["empty", "garbage", "header-only", "no-mesh"],
)
def test_check_glb_refuses_what_is_no_model(data: bytes) -> None:
    with pytest.raises(InvalidModel):
        check_glb(data)


def test_check_glb_refuses_a_truncated_file() -> None:
    glb = glb_for("character")
    with pytest.raises(InvalidModel):
        check_glb(glb[: len(glb) // 2])


def test_check_glb_counts_what_is_in_the_file() -> None:
    summary = check_glb(glb_for("building"))
    assert summary.nodes == len(summary.node_names) >= 2
    assert summary.materials >= 2
    assert (summary.skins, summary.animations, summary.joints) == (0, 0, 0)
    assert all(low < high for low, high in zip(summary.bounds_min, summary.bounds_max, strict=True))


def test_a_rigged_model_is_left_as_it_is_rather_than_stripped_of_its_rig() -> None:
    rigged = rigged_glb(1.83)
    assert normalize_glb(rigged, "character") == rigged
    assert check_glb(normalize_glb(rigged, "character")).skins == 1

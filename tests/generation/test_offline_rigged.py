"""The offline rigged avatar: a skin a game engine can drive, and walk and run loops.

The file is read back with pygltflib and its binary data decoded here, so the checks
are on what an engine would read (weights, bind matrices, channel targets), not on the
code that wrote them.
"""

from __future__ import annotations

import numpy as np
import pygltflib
import pytest

from assetforge.generation.offline.rigged import rigged_glb as make_rigged
from assetforge.generation.offline.rigged import run_glb, walk_glb
from assetforge.generation.offline.validate import check_glb

REQUIRED_JOINTS = {
    "hips", "spine", "chest", "neck", "head",
    "upper_arm_l", "lower_arm_l", "upper_arm_r", "lower_arm_r",
    "upper_leg_l", "lower_leg_l", "upper_leg_r", "lower_leg_r",
}  # fmt: skip
COMPONENTS = {
    pygltflib.FLOAT: np.float32,
    pygltflib.UNSIGNED_BYTE: np.uint8,
    pygltflib.UNSIGNED_SHORT: np.uint16,
    pygltflib.UNSIGNED_INT: np.uint32,
}
WIDTHS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT4": 16}


def read(gltf: pygltflib.GLTF2, index: int) -> np.ndarray:
    """An accessor's data as an array of shape (count, width)."""
    accessor = gltf.accessors[index]
    view = gltf.bufferViews[accessor.bufferView]
    blob = gltf.binary_blob()
    start = (view.byteOffset or 0) + (accessor.byteOffset or 0)
    dtype, width = COMPONENTS[accessor.componentType], WIDTHS[accessor.type]
    data = np.frombuffer(blob, dtype=dtype, count=accessor.count * width, offset=start)
    return data.reshape(accessor.count, width)


@pytest.fixture(scope="module")
def rigged() -> pygltflib.GLTF2:
    return pygltflib.GLTF2.load_from_bytes(make_rigged(1.83))


def joint_names(gltf: pygltflib.GLTF2) -> list[str]:
    return [gltf.nodes[j].name for j in gltf.skins[0].joints]


def test_one_skin_with_the_humanoid_joints(rigged: pygltflib.GLTF2) -> None:
    assert len(rigged.skins) == 1
    names = joint_names(rigged)
    assert len(names) >= 13
    assert set(names) >= REQUIRED_JOINTS
    skinned = [node for node in rigged.nodes if node.skin is not None]
    assert len(skinned) == 1
    assert skinned[0].skin == 0
    assert skinned[0].mesh is not None


def test_every_vertex_is_weighted_to_joints_summing_to_one(rigged: pygltflib.GLTF2) -> None:
    primitive = rigged.meshes[0].primitives[0]
    joints = read(rigged, primitive.attributes.JOINTS_0)
    weights = read(rigged, primitive.attributes.WEIGHTS_0)
    positions = read(rigged, primitive.attributes.POSITION)
    assert len(joints) == len(weights) == len(positions) > 0
    assert np.allclose(weights.sum(axis=1), 1.0, atol=1e-3)
    assert (weights >= 0).all()
    assert joints.max() < len(rigged.skins[0].joints)
    # Every joint moves some vertex, and some vertices are shared between two joints.
    assert set(joints[weights > 0].ravel()) == set(range(len(rigged.skins[0].joints)))
    assert ((weights > 0).sum(axis=1) == 2).any()


def world_positions(gltf: pygltflib.GLTF2) -> dict[int, np.ndarray]:
    """Each node's world position (the rig has translations only)."""
    positions: dict[int, np.ndarray] = {}

    def visit(index: int, parent: np.ndarray) -> None:
        node = gltf.nodes[index]
        positions[index] = parent + np.array(node.translation or [0.0, 0.0, 0.0])
        for child in node.children or []:
            visit(child, positions[index])

    for root in gltf.scenes[gltf.scene].nodes:
        visit(root, np.zeros(3))
    return positions


def test_inverse_bind_matrices_undo_each_joints_rest_pose(rigged: pygltflib.GLTF2) -> None:
    skin = rigged.skins[0]
    matrices = read(rigged, skin.inverseBindMatrices)
    assert len(matrices) == len(skin.joints)
    world = world_positions(rigged)
    for joint, flat in zip(skin.joints, matrices, strict=True):
        inverse = flat.reshape(4, 4).T  # stored column-major
        rest = np.eye(4)
        rest[:3, 3] = world[joint]
        assert np.allclose(inverse @ rest, np.eye(4), atol=1e-5)


def test_walking_and_running_loops_turn_the_legs_and_arms(rigged: pygltflib.GLTF2) -> None:
    assert {animation.name for animation in rigged.animations} == {"walking", "running"}
    joints = set(rigged.skins[0].joints)
    for animation in rigged.animations:
        targets = {rigged.nodes[channel.target.node].name for channel in animation.channels}
        assert {"upper_leg_l", "upper_leg_r", "upper_arm_l", "upper_arm_r"} <= targets
        for channel in animation.channels:
            assert channel.target.node in joints
            assert channel.target.path == "rotation"
            sampler = animation.samplers[channel.sampler]
            assert sampler.interpolation == "LINEAR"
            times, values = read(rigged, sampler.input), read(rigged, sampler.output)
            assert times[0, 0] == 0.0
            assert 0.5 <= times[-1, 0] <= 1.5  # about a second
            assert np.allclose(values[0], values[-1], atol=1e-6)  # it loops
            assert np.allclose(np.linalg.norm(values, axis=1), 1.0, atol=1e-5)  # unit quaternions


@pytest.mark.parametrize("height", [1.83, 1.2, 2.5])
def test_the_figure_is_as_tall_as_asked(height: float) -> None:
    summary = check_glb(make_rigged(height))
    assert summary.height == pytest.approx(height, abs=1e-3)
    assert summary.bounds_min[1] == pytest.approx(0.0, abs=1e-6)
    assert summary.joints >= 13
    assert summary.skins == 1


def test_walk_and_run_files_hold_one_animation_each_on_the_same_rig() -> None:
    walk, run = check_glb(walk_glb(1.83)), check_glb(run_glb(1.83))
    assert walk.animation_names == ("walking",)
    assert run.animation_names == ("running",)
    assert walk.joints == run.joints == check_glb(make_rigged(1.83)).joints
    assert walk.height == pytest.approx(1.83, abs=1e-3)


def test_a_non_positive_height_is_refused() -> None:
    with pytest.raises(ValueError, match="height"):
        make_rigged(0.0)

"""A rigged, animated low-poly humanoid, written with pygltflib (trimesh cannot write skins).

One skinned mesh of boxes, one per bone, over a 17-joint skeleton (hips, spine, chest,
neck, head; upper arm, lower arm, hand, upper leg, lower leg, foot on each side). Each
box follows its joint; where a limb bends (elbows, knees, the spine) the vertices at the
joint are shared half and half with the parent bone, so the bend does not tear.

The figure is built at its final height (its head's top at ``height_m``, feet on y=0,
facing +Z, its left on +X), since normalizing through trimesh would drop the skin.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pygltflib  # type: ignore[import-untyped]  # ships no type information
from numpy.typing import NDArray

from assetforge.generation.offline.glb import gltf_bytes, linear_rgb

# name, parent, joint position, box (x0, y0, z0, x1, y1, z1), whether the joint end blends
# with the parent. Positions are for a figure one unit tall; they are scaled to height_m.
_Box = tuple[float, float, float, float, float, float]
_BONES: list[tuple[str, str | None, tuple[float, float, float], _Box, bool]] = [
    ("hips", None, (0, 0.52, 0), (-0.11, 0.47, -0.065, 0.11, 0.60, 0.065), False),
    ("spine", "hips", (0, 0.60, 0), (-0.105, 0.60, -0.06, 0.105, 0.70, 0.06), True),
    ("chest", "spine", (0, 0.70, 0), (-0.13, 0.70, -0.07, 0.13, 0.83, 0.07), True),
    ("neck", "chest", (0, 0.83, 0), (-0.03, 0.83, -0.03, 0.03, 0.87, 0.03), False),
    ("head", "neck", (0, 0.87, 0), (-0.06, 0.87, -0.065, 0.06, 1.0, 0.065), False),
]


def _limb(x: float, top: float, bottom: float, half: float, depth: tuple[float, float] | None = None) -> _Box:
    """The box of a limb hanging from ``top`` to ``bottom`` at ``x``."""
    back, front = depth or (-half, half)
    return (x - half, bottom, back, x + half, top, front)


for _side, _x in (("l", 1.0), ("r", -1.0)):
    _arm, _leg = 0.16 * _x, 0.065 * _x
    _BONES += [
        (f"upper_arm_{_side}", "chest", (_arm, 0.81, 0), _limb(_arm, 0.81, 0.64, 0.03), False),
        (f"lower_arm_{_side}", f"upper_arm_{_side}", (_arm, 0.64, 0), _limb(_arm, 0.64, 0.49, 0.025), True),
        (f"hand_{_side}", f"lower_arm_{_side}", (_arm, 0.49, 0), _limb(_arm, 0.49, 0.42, 0.02, (-0.03, 0.03)), False),
        (f"upper_leg_{_side}", "hips", (_leg, 0.50, 0), _limb(_leg, 0.50, 0.27, 0.045), False),
        (f"lower_leg_{_side}", f"upper_leg_{_side}", (_leg, 0.27, 0), _limb(_leg, 0.27, 0.05, 0.035), True),
        (f"foot_{_side}", f"lower_leg_{_side}", (_leg, 0.05, 0), _limb(_leg, 0.05, 0.0, 0.035, (-0.035, 0.11)), False),
    ]
JOINT_NAMES = tuple(bone[0] for bone in _BONES)
_INDEX = {name: i for i, name in enumerate(JOINT_NAMES)}

# A box's six faces: outward normal and its four corners (indices into the 8 corners,
# bit 0 = x max, bit 1 = y max, bit 2 = z max), counter-clockwise seen from outside.
_FACES = [
    ((1, 0, 0), (1, 3, 7, 5)), ((-1, 0, 0), (0, 4, 6, 2)),
    ((0, 1, 0), (2, 6, 7, 3)), ((0, -1, 0), (0, 1, 5, 4)),
    ((0, 0, 1), (4, 5, 7, 6)), ((0, 0, -1), (0, 2, 3, 1)),
]  # fmt: skip

WALKING = "walking"
RUNNING = "running"


def _mesh(height_m: float) -> tuple[NDArray[np.float32], ...]:
    """Positions, normals, joints, weights and indices of the figure, scaled."""
    positions: list[tuple[float, float, float]] = []
    normals: list[tuple[int, int, int]] = []
    joints: list[tuple[int, int, int, int]] = []
    weights: list[tuple[float, float, float, float]] = []
    indices: list[int] = []
    for index, (_, parent, head, box, blend) in enumerate(_BONES):
        corners = [(box[3 * (c & 1)], box[1 + 3 * (c >> 1 & 1)], box[2 + 3 * (c >> 2 & 1)]) for c in range(8)]
        for normal, quad in _FACES:
            base = len(positions)
            for corner in quad:
                point = corners[corner]
                positions.append(point)
                normals.append(normal)
                shared = blend and parent is not None and abs(point[1] - head[1]) < 1e-6
                joints.append((index, _INDEX[parent] if shared and parent else 0, 0, 0))
                weights.append((0.5, 0.5, 0, 0) if shared else (1.0, 0, 0, 0))
            indices += [base, base + 1, base + 2, base, base + 2, base + 3]
    return (
        np.array(positions, dtype=np.float32) * np.float32(height_m),
        np.array(normals, dtype=np.float32),
        np.array(joints, dtype=np.uint8),
        np.array(weights, dtype=np.float32),
        np.array(indices, dtype=np.uint16),
    )


def _quat_x(degrees: float) -> tuple[float, float, float, float]:
    half = math.radians(degrees) / 2
    return (math.sin(half), 0.0, 0.0, math.cos(half))


# joint -> angle about X (degrees) at phase p (radians); negative swings a limb forward.
_Pose = dict[str, Callable[[float], float]]
_POSES: dict[str, tuple[float, _Pose]] = {
    WALKING: (
        1.0,
        {
            "upper_leg_l": lambda p: -25 * math.sin(p),
            "upper_leg_r": lambda p: 25 * math.sin(p),
            "lower_leg_l": lambda p: 25 * (1 - math.cos(p)) / 2,
            "lower_leg_r": lambda p: 25 * (1 + math.cos(p)) / 2,
            "upper_arm_l": lambda p: 20 * math.sin(p),
            "upper_arm_r": lambda p: -20 * math.sin(p),
            "lower_arm_l": lambda p: -15 - 10 * max(0.0, -math.sin(p)),
            "lower_arm_r": lambda p: -15 - 10 * max(0.0, math.sin(p)),
        },
    ),
    RUNNING: (
        0.8,
        {
            "spine": lambda _: 10.0,
            "upper_leg_l": lambda p: -45 * math.sin(p),
            "upper_leg_r": lambda p: 45 * math.sin(p),
            "lower_leg_l": lambda p: 70 * (1 - math.cos(p)) / 2,
            "lower_leg_r": lambda p: 70 * (1 + math.cos(p)) / 2,
            "upper_arm_l": lambda p: 40 * math.sin(p),
            "upper_arm_r": lambda p: -40 * math.sin(p),
            "lower_arm_l": lambda _: -70.0,
            "lower_arm_r": lambda _: -70.0,
        },
    ),
}
_KEYS = 9  # samples per loop; the last equals the first, so the loop is seamless


class _Writer:
    """Packs arrays into one buffer and describes each with a view and an accessor."""

    def __init__(self, gltf: pygltflib.GLTF2) -> None:
        self.gltf = gltf
        self.blob = bytearray()

    def add(
        self, data: NDArray[Any], kind: str, component: int, target: int | None = None, bounds: bool = False
    ) -> int:
        self.blob += b"\0" * (-len(self.blob) % 4)
        view = pygltflib.BufferView(buffer=0, byteOffset=len(self.blob), byteLength=data.nbytes, target=target)
        self.blob += data.tobytes()
        self.gltf.bufferViews.append(view)
        rows = data.reshape(len(data), -1)
        accessor = pygltflib.Accessor(
            bufferView=len(self.gltf.bufferViews) - 1,
            componentType=component,
            count=len(data),
            type=kind,
            min=rows.min(axis=0).tolist() if bounds else None,
            max=rows.max(axis=0).tolist() if bounds else None,
        )
        self.gltf.accessors.append(accessor)
        return len(self.gltf.accessors) - 1

    def finish(self) -> None:
        self.gltf.buffers = [pygltflib.Buffer(byteLength=len(self.blob))]
        self.gltf.set_binary_blob(bytes(self.blob))


def _animation(writer: _Writer, name: str, joint_nodes: Sequence[int]) -> pygltflib.Animation:
    period, pose = _POSES[name]
    times = np.linspace(0.0, period, _KEYS, dtype=np.float32)
    time_accessor = writer.add(times, pygltflib.SCALAR, pygltflib.FLOAT, bounds=True)
    animation = pygltflib.Animation(name=name, samplers=[], channels=[])
    for joint, angle in pose.items():
        phases = 2 * math.pi * times / period
        values = np.array([_quat_x(angle(float(p))) for p in phases], dtype=np.float32)
        output = writer.add(values, pygltflib.VEC4, pygltflib.FLOAT)
        sampler = pygltflib.AnimationSampler(input=time_accessor, output=output, interpolation="LINEAR")
        animation.samplers.append(sampler)
        target = pygltflib.AnimationChannelTarget(node=joint_nodes[_INDEX[joint]], path="rotation")
        animation.channels.append(pygltflib.AnimationChannel(sampler=len(animation.samplers) - 1, target=target))
    return animation


def humanoid_glb(height_m: float = 1.83, animations: Sequence[str] = (), color: str = "#7a8fb0") -> bytes:
    """The rigged figure, ``height_m`` tall, with the named animations (walking, running)."""
    if not height_m > 0:
        raise ValueError(f"height must be positive, not {height_m}")
    gltf = pygltflib.GLTF2(asset=pygltflib.Asset(generator="assetforge offline", version="2.0"))
    writer = _Writer(gltf)
    positions, normals, joints, weights, indices = _mesh(height_m)
    attributes = pygltflib.Attributes(
        POSITION=writer.add(positions, pygltflib.VEC3, pygltflib.FLOAT, pygltflib.ARRAY_BUFFER, bounds=True),
        NORMAL=writer.add(normals, pygltflib.VEC3, pygltflib.FLOAT, pygltflib.ARRAY_BUFFER),
        JOINTS_0=writer.add(joints, pygltflib.VEC4, pygltflib.UNSIGNED_BYTE, pygltflib.ARRAY_BUFFER),
        WEIGHTS_0=writer.add(weights, pygltflib.VEC4, pygltflib.FLOAT, pygltflib.ARRAY_BUFFER),
    )
    index_accessor = writer.add(indices, pygltflib.SCALAR, pygltflib.UNSIGNED_SHORT, pygltflib.ELEMENT_ARRAY_BUFFER)
    primitive = pygltflib.Primitive(attributes=attributes, indices=index_accessor, material=0)
    gltf.meshes = [pygltflib.Mesh(name="body", primitives=[primitive])]
    pbr = pygltflib.PbrMetallicRoughness(
        baseColorFactor=[*linear_rgb(color), 1.0], metallicFactor=0.0, roughnessFactor=0.7
    )
    gltf.materials = [pygltflib.Material(name="body", pbrMetallicRoughness=pbr)]

    # Node 0 is the armature, 1 the skinned mesh, 2.. the joints in _BONES order.
    joint_nodes = [2 + i for i in range(len(_BONES))]
    armature = pygltflib.Node(name="armature", children=[joint_nodes[0]])
    gltf.nodes = [armature, pygltflib.Node(name="body", mesh=0, skin=0)]
    inverse_binds = []
    for name, parent, head, _, _ in _BONES:
        at = np.array(head) * height_m
        local = at - (np.array(_BONES[_INDEX[parent]][2]) * height_m if parent else 0.0)
        children = [joint_nodes[i] for i, bone in enumerate(_BONES) if bone[1] == name]
        gltf.nodes.append(pygltflib.Node(name=name, translation=[float(v) for v in local], children=children or None))
        inverse = np.eye(4, dtype=np.float32)
        inverse[:3, 3] = -at
        inverse_binds.append(inverse.T)  # glTF matrices are column-major
    binds = writer.add(np.array(inverse_binds, dtype=np.float32), pygltflib.MAT4, pygltflib.FLOAT)
    skin = pygltflib.Skin(name="skeleton", joints=joint_nodes, skeleton=joint_nodes[0], inverseBindMatrices=binds)
    gltf.skins = [skin]
    gltf.animations = [_animation(writer, name, joint_nodes) for name in animations]
    gltf.scenes = [pygltflib.Scene(name="humanoid", nodes=[0, 1])]
    gltf.scene = 0
    writer.finish()
    return gltf_bytes(gltf)


def rigged_glb(height_m: float = 1.83, color: str = "#7a8fb0") -> bytes:
    """The rigged model, with both its animations."""
    return humanoid_glb(height_m, (WALKING, RUNNING), color)


def walk_glb(height_m: float = 1.83, color: str = "#7a8fb0") -> bytes:
    return humanoid_glb(height_m, (WALKING,), color)


def run_glb(height_m: float = 1.83, color: str = "#7a8fb0") -> bytes:
    return humanoid_glb(height_m, (RUNNING,), color)

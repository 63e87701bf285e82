"""Whether bytes are a GLB a viewer will open, and what is in it.

A GLB is checked with two independent readers: pygltflib reads the container and the
glTF JSON as written (skins, animations), trimesh reads the geometry the way a renderer
would. A file only one of them accepts is not trusted, and a file with no mesh is no
model at all. The pipeline checks every GLB it writes with :func:`check_glb`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from io import BytesIO

import numpy as np
import pygltflib  # type: ignore[import-untyped]  # ships no type information
import trimesh
from numpy.typing import NDArray

GLB_MAGIC = b"glTF"

Vector = tuple[float, float, float]


class InvalidModel(Exception):
    """Bytes that are not a usable GLB model; the message says why."""


@dataclass(frozen=True, slots=True)
class GlbSummary:
    nodes: int
    meshes: int
    materials: int
    skins: int
    animations: int
    joints: int  # of skin 0; 0 when there is no skin
    bounds_min: Vector
    bounds_max: Vector
    node_names: tuple[str, ...] = ()
    animation_names: tuple[str, ...] = ()

    @property
    def size(self) -> Vector:
        low, high = self.bounds_min, self.bounds_max
        return (high[0] - low[0], high[1] - low[1], high[2] - low[2])

    @property
    def height(self) -> float:
        return self.size[1]


def load_scene(data: bytes) -> trimesh.Scene:
    """The GLB as a trimesh scene; raises :class:`InvalidModel` if trimesh cannot read it."""
    try:
        loaded = trimesh.load(file_obj=BytesIO(data), file_type="glb", force="scene")
    except Exception as exc:  # trimesh raises anything from KeyError to struct.error
        raise InvalidModel(f"trimesh cannot read the GLB: {exc}") from exc
    if not isinstance(loaded, trimesh.Scene):
        raise InvalidModel(f"trimesh read a {type(loaded).__name__}, not a scene")
    return loaded


def check_glb(data: bytes) -> GlbSummary:
    """What the GLB holds. Raises :class:`InvalidModel` if it is not a GLB with a mesh."""
    if len(data) < 20 or data[:4] != GLB_MAGIC:
        raise InvalidModel("not a binary glTF (no 'glTF' header)")
    version, length = struct.unpack_from("<II", data, 4)
    if version != 2:
        raise InvalidModel(f"a binary glTF of version {version}, not 2")
    if length > len(data):
        raise InvalidModel(f"a truncated GLB: its header says {length} bytes, it has {len(data)}")
    try:
        gltf = pygltflib.GLTF2.load_from_bytes(data)
    except Exception as exc:  # pygltflib raises OSError, json and struct errors alike
        raise InvalidModel(f"pygltflib cannot read the GLB: {exc}") from exc
    if gltf is None:  # what pygltflib answers for some files it cannot read
        raise InvalidModel("pygltflib cannot read the GLB")
    if not gltf.meshes:
        raise InvalidModel("the GLB has no mesh")
    scene = load_scene(data)
    if not scene.geometry:
        raise InvalidModel("the GLB has no geometry trimesh can read")
    bounds = scene.bounds
    if bounds is None:
        raise InvalidModel("the GLB's geometry has no extent")
    return GlbSummary(
        nodes=len(gltf.nodes),
        meshes=len(gltf.meshes),
        materials=len(gltf.materials),
        skins=len(gltf.skins),
        animations=len(gltf.animations),
        joints=len(gltf.skins[0].joints) if gltf.skins else 0,
        bounds_min=_point(bounds[0]),
        bounds_max=_point(bounds[1]),
        node_names=tuple(str(node.name) for node in gltf.nodes if node.name),
        animation_names=tuple(str(animation.name) for animation in gltf.animations if animation.name),
    )


def _point(row: NDArray[np.float64]) -> Vector:
    return (float(row[0]), float(row[1]), float(row[2]))

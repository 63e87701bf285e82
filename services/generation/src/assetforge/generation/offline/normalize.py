"""Models from any provider put where a game engine expects them.

* Characters (character, avatar, npc, humanoid...) are scaled uniformly so their bounding
  box is ``height_m`` tall, centred on x/z with their feet on y=0.
* Weapons are moved, not scaled, so the point a hand holds is at the origin. A model with
  a node named ``grip`` (the offline ones) is held at that node's centre. Any other model
  is held by the heuristic in :func:`grip_point`.
* Everything else is centred on x/z with its base on y=0.

Each rule only looks at the model's bounds or shape, which a translation or uniform
scale carries along, so normalizing a normalized model changes nothing.

trimesh loads, transforms and writes the file, so meshes, node names and PBR materials
(textures included) are kept. A file with skins or animations (a rigged model) is
answered as it is: trimesh would drop them, and a parent node over a skinned mesh is
applied twice by some engines (three.js), so moving one portably means rewriting its
vertices and bind matrices. Rigged models are made at their final height instead (both
Meshy's and the offline rigging take ``height_meters``).
"""

from __future__ import annotations

import numpy as np
import trimesh
from numpy.typing import NDArray

from assetforge.generation.offline import kinds
from assetforge.generation.offline.glb import read_glb, scene_to_glb
from assetforge.generation.offline.validate import InvalidModel, load_scene

GRIP_FRACTION = 0.15  # how far along the longest axis a hand holds a weapon


def _world_mesh(scene: trimesh.Scene) -> trimesh.Trimesh:
    """Every mesh of the scene in world coordinates, as one mesh."""
    parts = []
    for node in scene.graph.nodes_geometry:
        transform, geometry_name = scene.graph[node]
        geometry = scene.geometry[geometry_name]
        if isinstance(geometry, trimesh.Trimesh) and len(geometry.faces):
            parts.append(trimesh.Trimesh(geometry.vertices, geometry.faces, process=False).apply_transform(transform))
    if not parts:
        raise InvalidModel("the model has no triangles")
    merged = parts[0] if len(parts) == 1 else trimesh.util.concatenate(parts)
    if not isinstance(merged, trimesh.Trimesh):
        raise InvalidModel("the model's meshes do not merge into one")
    return merged


def _named_grip(scene: trimesh.Scene) -> NDArray[np.float64] | None:
    """The centre of the node called ``grip``, if the model has one."""
    for node in scene.graph.nodes_geometry:
        if str(node).lower() != "grip":
            continue
        transform, geometry_name = scene.graph[node]
        geometry = scene.geometry[geometry_name]
        if isinstance(geometry, trimesh.Trimesh) and len(geometry.vertices):
            points = trimesh.transform_points(geometry.vertices, transform)
            centre: NDArray[np.float64] = (points.min(axis=0) + points.max(axis=0)) / 2
            return centre
    return None


def grip_point(mesh: trimesh.Trimesh) -> NDArray[np.float64]:
    """Where a hand holds a weapon with no ``grip`` node.

    The point ``GRIP_FRACTION`` (15%) of the way along the longest axis of the bounding
    box from its minimum: a weapon arrives upright with its handle down (the offline
    chat asks image prompts for exactly that), and a hand sits about that far up a sword,
    axe or mace. On the two other axes it is the centre of the vertices in that lowest
    15% slab, not of the whole model, so an axe is held on its haft, not under its head.
    (Choosing the end by where the surface lies fails on swords with a broad guard.)
    """
    vertices = np.asarray(mesh.vertices, dtype=np.float64)
    low, high = vertices.min(axis=0), vertices.max(axis=0)
    axis = int(np.argmax(high - low))
    at = float(low[axis] + GRIP_FRACTION * (high[axis] - low[axis]))
    slab = vertices[vertices[:, axis] <= at]
    point: NDArray[np.float64] = (slab.min(axis=0) + slab.max(axis=0)) / 2
    point[axis] = at
    return point


def placement(scene: trimesh.Scene, asset_type: str, *, height_m: float = 1.83) -> NDArray[np.float64]:
    """The 4x4 transform that normalizes ``scene``; see the module docstring."""
    kind = kinds.kind_of(asset_type)
    mesh = _world_mesh(scene)
    low, high = mesh.vertices.min(axis=0), mesh.vertices.max(axis=0)
    transform = np.eye(4)
    if kind == kinds.CHARACTER:
        height = float(high[1] - low[1])
        if height <= 0:
            raise InvalidModel("the character has no height")
        scale = height_m / height
        transform[:3, :3] *= scale
        transform[:3, 3] = -np.array([(low[0] + high[0]) / 2, low[1], (low[2] + high[2]) / 2]) * scale
    elif kind == kinds.WEAPON:
        grip = _named_grip(scene)
        transform[:3, 3] = -(grip if grip is not None else grip_point(mesh))
    else:
        transform[:3, 3] = -np.array([(low[0] + high[0]) / 2, low[1], (low[2] + high[2]) / 2])
    return transform


def normalize_scene(scene: trimesh.Scene, asset_type: str, *, height_m: float = 1.83) -> trimesh.Scene:
    """``scene`` moved (and for characters scaled) in place."""
    transform = placement(scene, asset_type, height_m=height_m)
    scene.apply_transform(transform)  # type: ignore[no-untyped-call]  # trimesh leaves it unannotated
    return scene


def normalize_glb(glb: bytes, asset_type: str, *, height_m: float = 1.83) -> bytes:
    """The GLB normalized for ``asset_type`` (a rigged one unchanged); raises
    :class:`InvalidModel` if it is not a GLB trimesh can read."""
    try:
        document, _ = read_glb(glb)
    except ValueError as exc:
        raise InvalidModel(str(exc)) from exc
    if document.get("skins") or document.get("animations"):
        return glb
    scene = load_scene(glb)
    return scene_to_glb(normalize_scene(scene, asset_type, height_m=height_m))

"""Procedural models whose shape follows the asset type, with PBR materials.

Each model is a ``trimesh.Scene`` of named parts (a weapon's ``blade``, ``guard`` and
``grip``; a character's ``head``, ``torso``, arms and legs), so a viewer, a test or a
later stage can tell the parts apart. Proportions and colours vary a little with the
prompt's seed, so two prompts give two models, and one prompt always the same model.

Conventions match what ``normalize.py`` produces: +Y is up, a character stands on y=0
about one unit tall, a weapon's grip is centred on the origin with the blade along +Y.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import trimesh
from numpy.typing import NDArray
from trimesh import creation
from trimesh.visual.material import PBRMaterial

from assetforge.generation.offline import kinds
from assetforge.generation.offline.glb import linear_rgb

# name -> (sRGB colour, metallic, roughness)
MATERIALS: dict[str, tuple[str, float, float]] = {
    "steel": ("#b8bcc4", 0.9, 0.3),
    "iron": ("#6e7076", 0.85, 0.55),
    "gold": ("#d4a843", 1.0, 0.25),
    "bronze": ("#b08d57", 0.9, 0.4),
    "leather": ("#6b4428", 0.0, 0.8),
    "wood": ("#8a5a32", 0.0, 0.75),
    "dark_wood": ("#4e3220", 0.0, 0.8),
    "stone": ("#8d8a84", 0.0, 0.9),
    "plaster": ("#d9cdb4", 0.0, 0.9),
    "roof_tile": ("#8e3b2c", 0.0, 0.7),
    "cloth": ("#3f5f8a", 0.0, 0.85),
    "cloth_red": ("#8a2f2f", 0.0, 0.85),
    "skin": ("#d8a47f", 0.0, 0.6),
    "glass": ("#8fd4c8", 0.1, 0.05),
    "cork": ("#a8865c", 0.0, 0.9),
    "crystal": ("#6fa8ff", 0.2, 0.1),
}


def rotation(angle: float, axis: tuple[float, float, float]) -> NDArray[np.float64]:
    """A 4x4 rotation by ``angle`` radians about ``axis`` (Rodrigues' formula)."""
    x, y, z = np.asarray(axis, dtype=np.float64) / np.linalg.norm(axis)
    cross = np.array([[0.0, -z, y], [z, 0.0, -x], [-y, x, 0.0]])
    matrix = np.eye(4)
    matrix[:3, :3] = np.eye(3) + math.sin(angle) * cross + (1 - math.cos(angle)) * cross @ cross
    return matrix


def scaling(x: float, y: float, z: float) -> NDArray[np.float64]:
    return np.diag([x, y, z, 1.0])


_Z_TO_Y = rotation(-math.pi / 2, (1.0, 0.0, 0.0))


def material(name: str) -> PBRMaterial:
    color, metallic, roughness = MATERIALS[name]
    rgba = [round(c * 255) for c in linear_rgb(color)] + [255]
    # trimesh's material and visuals constructors carry no annotations.
    return PBRMaterial(name=name, baseColorFactor=rgba, metallicFactor=metallic, roughnessFactor=roughness)  # type: ignore[no-untyped-call]


class _Builder:
    """Collects parts into a scene; each part's vertices are placed where they belong."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.scene = trimesh.Scene()

    def vary(self, value: float, spread: float = 0.1) -> float:
        """``value`` give or take ``spread`` (a fraction), from the seed."""
        return float(value * (1 + self.rng.uniform(-spread, spread)))

    def pick(self, *names: str) -> str:
        return names[int(self.rng.integers(len(names)))]

    def add(self, name: str, mesh: trimesh.Trimesh, mat: str, at: tuple[float, float, float] = (0, 0, 0)) -> None:
        mesh.apply_translation(at)
        mesh.visual = trimesh.visual.TextureVisuals(material=material(mat))  # type: ignore[no-untyped-call]
        self.scene.add_geometry(mesh, node_name=name, geom_name=name)


def _upright(mesh: trimesh.Trimesh) -> trimesh.Trimesh:
    """A Z-axis primitive (trimesh's cylinders and cones) turned to stand along +Y."""
    mesh.apply_transform(_Z_TO_Y)
    return mesh


def _rod(radius: float, length: float, sections: int = 12) -> trimesh.Trimesh:
    return _upright(creation.cylinder(radius=radius, height=length, sections=sections))


def _slab(outline: list[tuple[float, float]], thickness: float) -> trimesh.Trimesh:
    """A convex outline in the XY plane, extruded ``thickness`` along Z and centred on z=0."""
    faces = [[0, i, i + 1] for i in range(1, len(outline) - 1)]
    mesh = creation.extrude_triangulation(np.array(outline), np.array(faces), thickness)
    mesh.apply_translation((0, 0, -thickness / 2))
    return mesh


def _weapon(b: _Builder, variant: str | None) -> None:
    variant = variant or b.pick("sword", "sword", "axe", "mace")
    metal = b.pick("steel", "steel", "iron", "bronze")
    long_haft = variant in {"axe", "mace", "hammer", "spear"}
    grip_len = b.vary(0.16 if not long_haft else 0.22)
    b.add("grip", _rod(b.vary(0.018), grip_len), "leather")
    pommel = creation.icosphere(1, radius=b.vary(0.028))
    b.add("pommel", pommel, b.pick("gold", "bronze", metal), (0, -grip_len / 2 - 0.02, 0))
    top = grip_len / 2
    if long_haft:
        haft = b.vary({"spear": 1.1, "axe": 0.55}.get(variant, 0.45))
        b.add("haft", _rod(0.016, haft), b.pick("wood", "dark_wood"), (0, top + haft / 2, 0))
        top += haft
    guard_w = b.vary(0.2 if variant in {"sword", "dagger"} else 0.05)
    b.add("guard", creation.box((guard_w, 0.03, 0.045)), b.pick("gold", "bronze", metal), (0, top + 0.015, 0))
    top += 0.03
    if variant in {"sword", "dagger"}:
        length, width = b.vary(0.75 if variant == "sword" else 0.28), b.vary(0.04)
        shoulder = (width * 0.8, length * 0.88)
        outline = [(-width, 0.0), (width, 0.0), shoulder, (0.0, length), (-shoulder[0], shoulder[1])]
        b.add("blade", _slab(outline, 0.012), metal, (0, top, 0))
    elif variant == "axe":
        reach, height = b.vary(0.2), b.vary(0.2)
        outline = [(0.0, 0.05), (reach, -height / 2), (reach * 1.1, 0.02), (reach, height / 2 + 0.03), (0.0, 0.1)]
        b.add("blade", _slab(outline, 0.02), metal, (0.01, top - 0.08, 0))
    elif variant == "spear":
        b.add("blade", _upright(creation.cone(b.vary(0.035), b.vary(0.25), sections=4)), metal, (0, top, 0))
    elif variant == "hammer":
        b.add("blade", creation.box((b.vary(0.22), b.vary(0.1), 0.1)), metal, (0, top + 0.05, 0))
    else:  # mace
        radius = b.vary(0.08)
        b.add("blade", creation.icosphere(1, radius=radius), metal, (0, top + radius, 0))


def _character(b: _Builder) -> None:
    leg, torso, shirt = b.vary(0.46, 0.06), b.vary(0.3, 0.06), b.pick("cloth", "cloth_red", "leather")
    width = b.vary(0.24, 0.12)
    b.add("leg_left", _rod(0.045, leg), "dark_wood", (0.06, leg / 2, 0))
    b.add("leg_right", _rod(0.045, leg), "dark_wood", (-0.06, leg / 2, 0))
    b.add("torso", creation.box((width, torso, 0.14)), shirt, (0, leg + torso / 2, 0))
    shoulder = leg + torso - 0.02
    arm = b.vary(0.38, 0.05)
    for side, x in (("left", 1.0), ("right", -1.0)):
        b.add(f"arm_{side}", _rod(0.035, arm), shirt, (x * (width / 2 + 0.04), shoulder - arm / 2, 0))
    head = (1.0 - leg - torso) / 2
    b.add("head", creation.icosphere(2, radius=head * 0.95), "skin", (0, leg + torso + head, 0))


def _building(b: _Builder) -> None:
    w, h, d = b.vary(2.0, 0.2), b.vary(1.6, 0.2), b.vary(1.6, 0.2)
    b.add("walls", creation.box((w, h, d)), b.pick("plaster", "stone", "wood"), (0, h / 2, 0))
    b.add("door", creation.box((0.4, 0.75, 0.05)), "dark_wood", (0, 0.375, d / 2 + 0.02))
    if b.pick("gable", "pyramid") == "gable":
        rise = b.vary(0.8, 0.2)
        outline = [(-w / 2 - 0.1, 0.0), (w / 2 + 0.1, 0.0), (0.0, rise)]
        b.add("roof", _slab(outline, d + 0.2), "roof_tile", (0, h, 0))
    else:
        pyramid = creation.cone(max(w, d) * 0.75, b.vary(1.0, 0.2), sections=4)
        pyramid.apply_transform(rotation(math.pi / 4, (0.0, 0.0, 1.0)))
        b.add("roof", _upright(pyramid), "roof_tile", (0, h, 0))


def _armor(b: _Builder) -> None:
    metal = b.pick("steel", "iron", "bronze", "gold")
    plate = _rod(0.16, b.vary(0.4), sections=16).apply_transform(scaling(b.vary(1.0), 1.0, 0.6))
    b.add("plate", plate, metal, (0, 0.25, 0))
    for side, x in (("left", 1.0), ("right", -1.0)):
        b.add(f"pauldron_{side}", creation.icosphere(1, radius=b.vary(0.08)), metal, (x * 0.17, 0.43, 0))
    belt = _rod(0.165, 0.05, sections=16).apply_transform(scaling(1.0, 1.0, 0.62))
    b.add("belt", belt, "leather", (0, 0.06, 0))


def _shield(b: _Builder) -> None:
    radius = b.vary(0.35)
    face = creation.cylinder(radius=radius, height=0.03, sections=24)
    b.add("face", face, b.pick("wood", "cloth_red", "cloth"), (0, radius, 0))
    rim = creation.annulus(r_min=radius * 0.94, r_max=radius * 1.02, height=0.04, sections=24)
    b.add("rim", rim, "iron", (0, radius, 0))
    boss = creation.icosphere(1, radius=radius * 0.22).apply_transform(scaling(1.0, 1.0, 0.5))
    b.add("boss", boss, b.pick("steel", "gold"), (0, radius, 0.02))


def _potion(b: _Builder) -> None:
    radius = b.vary(0.1)
    b.add("bottle", creation.icosphere(2, radius=radius), "glass", (0, radius, 0))
    neck = b.vary(0.08)
    b.add("neck", _rod(radius * 0.3, neck), "glass", (0, radius * 1.9 + neck / 2, 0))
    b.add("cork", _rod(radius * 0.33, 0.04), "cork", (0, radius * 1.9 + neck + 0.02, 0))


def _tool(b: _Builder) -> None:
    handle = b.vary(0.45)
    b.add("handle", _rod(0.018, handle), b.pick("wood", "dark_wood"), (0, handle / 2, 0))
    pick = b.pick("pick", "hammer") == "pick"
    b.add("head", creation.box((b.vary(0.3), 0.05, 0.05) if pick else (0.15, 0.08, 0.08)), "iron", (0, handle, 0))


def _resource(b: _Builder) -> None:
    rock = creation.icosphere(2, radius=0.3)
    bumps = b.rng.uniform(0.8, 1.15, size=(len(rock.vertices), 1))
    rock.vertices = rock.vertices * bumps * np.array([b.vary(1.0, 0.2), b.vary(0.7, 0.2), b.vary(1.0, 0.2)])
    rock.apply_translation((0, -rock.bounds[0][1], 0))
    b.add("rock", rock, "stone")
    for index in range(int(b.rng.integers(2, 5))):
        angle = b.rng.uniform(0, 2 * math.pi)
        crystal = _upright(creation.cone(0.05, b.vary(0.25, 0.3), sections=6))
        tilt = rotation(float(b.rng.uniform(-0.5, 0.5)), (math.cos(angle), 0.0, math.sin(angle)))
        at = (0.15 * math.cos(angle), 0.25, 0.15 * math.sin(angle))
        b.add(f"crystal_{index}", crystal.apply_transform(tilt), b.pick("crystal", "gold"), at)


def _generic(b: _Builder) -> None:
    if b.pick("crate", "barrel") == "crate":
        size = b.vary(0.5)
        b.add("body", creation.box((size, size, size)), "wood", (0, size / 2, 0))
        for index, y in enumerate((0.04, size - 0.04)):
            b.add(f"band_{index}", creation.box((size + 0.02, 0.05, size + 0.02)), "dark_wood", (0, y, 0))
    else:
        height, radius = b.vary(0.6), b.vary(0.22)
        b.add("body", _rod(radius, height, sections=20), "wood", (0, height / 2, 0))
        for index, y in enumerate((0.08, height - 0.08)):
            b.add(f"band_{index}", _rod(radius * 1.03, 0.04, sections=20), "iron", (0, y, 0))


_BUILDERS: dict[str, Callable[[_Builder], None]] = {
    kinds.CHARACTER: _character,
    kinds.BUILDING: _building,
    kinds.ARMOR: _armor,
    kinds.SHIELD: _shield,
    kinds.POTION: _potion,
    kinds.TOOL: _tool,
    kinds.RESOURCE: _resource,
    kinds.GENERIC: _generic,
}


def build(spec: kinds.Spec) -> trimesh.Scene:
    """The model ``spec`` describes."""
    builder = _Builder(spec.seed)
    if spec.kind == kinds.WEAPON:
        _weapon(builder, spec.variant)
    else:
        _BUILDERS.get(spec.kind, _generic)(builder)
    return builder.scene


def model_for(asset_type: str, prompt: str) -> trimesh.Scene:
    """The model for an asset type and prompt (unknown types get a generic prop)."""
    return build(kinds.Spec.of(asset_type, prompt))

"""PNG images made with Pillow: concept art for a prompt, and a thumbnail of a model.

Concept art is a stand-in for an image model's answer: a background gradient and a
silhouette suggesting the asset type, with the prompt written on it, all seeded by the
prompt, so one prompt always gives the same bytes and two prompts two images. A
thumbnail is a flat-shaded three-quarter view of a model's triangles, drawn far to near.
"""

from __future__ import annotations

import colorsys
import math
import textwrap
from collections.abc import Callable
from io import BytesIO

import numpy as np
import trimesh
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont
from trimesh.visual.material import PBRMaterial

from assetforge.generation.offline import kinds
from assetforge.generation.offline.glb import linear_to_srgb, parse_hex
from assetforge.generation.offline.shapes import rotation

_At = Callable[[float, float], tuple[float, float]]  # (u, v) in 0-1 -> pixels
_Draw = Callable[[ImageDraw.ImageDraw, _At, np.random.Generator], None]
_RGB = tuple[int, int, int]


def _png(image: Image.Image) -> bytes:
    out = BytesIO()
    # The fastest zlib level: these are made in bulk (bench/generation.py), and level 6
    # took four times as long for a file 10-20% smaller.
    image.save(out, format="PNG", optimize=False, compress_level=1)
    return out.getvalue()


def _gradient(size: int, top: _RGB, bottom: _RGB) -> Image.Image:
    t = np.linspace(0.0, 1.0, size, dtype=np.float32)[:, None]
    rows = np.array(top, dtype=np.float32) * (1 - t) + np.array(bottom, dtype=np.float32) * t
    pixels = np.repeat(rows[:, None, :], size, axis=1).astype(np.uint8)
    return Image.fromarray(pixels, "RGB")


def _hsv(h: float, s: float, v: float) -> _RGB:
    r, g, b = colorsys.hsv_to_rgb(h % 1.0, s, v)
    return (round(r * 255), round(g * 255), round(b * 255))


# Silhouettes draw on a mask: 0 is the shape, 1 its highlights. Each varies a little by rng.


def _weapon(variant: str | None) -> _Draw:
    def draw(d: ImageDraw.ImageDraw, p: _At, rng: np.random.Generator) -> None:
        top = float(rng.uniform(0.04, 0.1))
        if variant in {"axe", "hammer", "mace", "spear"}:
            d.rectangle([p(0.485, top + 0.08), p(0.515, 0.82)], fill=0)
            if variant == "axe":
                d.polygon(
                    [p(0.5, top + 0.1), p(0.68, top), p(0.72, top + 0.17), p(0.68, top + 0.32), p(0.5, top + 0.24)],
                    fill=0,
                )
            elif variant == "spear":
                d.polygon([p(0.5, top - 0.04), p(0.54, top + 0.1), p(0.46, top + 0.1)], fill=0)
            else:
                d.ellipse([p(0.41, top), p(0.59, top + 0.18)], fill=0)
            return
        d.polygon([p(0.47, top + 0.09), p(0.5, top), p(0.53, top + 0.09), p(0.53, 0.62), p(0.47, 0.62)], fill=0)
        d.rectangle([p(0.38, 0.62), p(0.62, 0.66)], fill=0)
        d.rectangle([p(0.485, 0.66), p(0.515, 0.78)], fill=0)
        d.ellipse([p(0.475, 0.775), p(0.525, 0.825)], fill=0)

    return draw


def _character(d: ImageDraw.ImageDraw, p: _At, rng: np.random.Generator) -> None:
    width = float(rng.uniform(0.08, 0.12))
    d.ellipse([p(0.44, 0.1), p(0.56, 0.25)], fill=0)
    d.rectangle([p(0.5 - width, 0.26), p(0.5 + width, 0.52)], fill=0)
    d.rectangle([p(0.5 - width - 0.07, 0.27), p(0.5 - width - 0.01, 0.52)], fill=0)
    d.rectangle([p(0.5 + width + 0.01, 0.27), p(0.5 + width + 0.07, 0.52)], fill=0)
    d.rectangle([p(0.42, 0.53), p(0.49, 0.82)], fill=0)
    d.rectangle([p(0.51, 0.53), p(0.58, 0.82)], fill=0)


def _building(d: ImageDraw.ImageDraw, p: _At, rng: np.random.Generator) -> None:
    peak = float(rng.uniform(0.1, 0.22))
    d.rectangle([p(0.25, 0.42), p(0.75, 0.82)], fill=0)
    d.polygon([p(0.18, 0.43), p(0.5, peak), p(0.82, 0.43)], fill=0)
    d.rectangle([p(0.45, 0.62), p(0.55, 0.82)], fill=1)


def _armor(d: ImageDraw.ImageDraw, p: _At, rng: np.random.Generator) -> None:
    w = float(rng.uniform(-0.03, 0.03))
    outline = [(0.32 - w, 0.2), (0.42, 0.18), (0.5, 0.24), (0.58, 0.18), (0.68 + w, 0.2), (0.7 + w, 0.35)]
    outline += [(0.64 + w, 0.4), (0.62 + w, 0.78), (0.38 - w, 0.78), (0.36 - w, 0.4), (0.3 - w, 0.35)]
    d.polygon([p(u, v) for u, v in outline], fill=0)


def _shield(d: ImageDraw.ImageDraw, p: _At, rng: np.random.Generator) -> None:
    w = float(rng.uniform(0.17, 0.23))
    d.polygon([p(0.5 - w, 0.16), p(0.5 + w, 0.16), p(0.5 + w, 0.45), p(0.5, 0.82), p(0.5 - w, 0.45)], fill=0)
    d.ellipse([p(0.46, 0.36), p(0.54, 0.44)], fill=1)


def _potion(d: ImageDraw.ImageDraw, p: _At, rng: np.random.Generator) -> None:
    r = float(rng.uniform(0.13, 0.18))
    d.ellipse([p(0.5 - r, 0.82 - 2.5 * r), p(0.5 + r, 0.82)], fill=0)
    d.rectangle([p(0.46, 0.26), p(0.54, 0.86 - 2.5 * r)], fill=0)
    d.rectangle([p(0.44, 0.2), p(0.56, 0.27)], fill=1)


def _tool(d: ImageDraw.ImageDraw, p: _At, rng: np.random.Generator) -> None:
    w = float(rng.uniform(0.12, 0.22))
    d.rectangle([p(0.48, 0.28), p(0.52, 0.82)], fill=0)
    d.polygon([p(0.5 - w, 0.26), p(0.5, 0.18), p(0.5 + w, 0.26), p(0.5, 0.3)], fill=0)


def _resource(d: ImageDraw.ImageDraw, p: _At, rng: np.random.Generator) -> None:
    points = []
    for i in range(9):
        angle, radius = 2 * math.pi * i / 9, float(rng.uniform(0.18, 0.3))
        points.append(p(0.5 + radius * math.cos(angle), 0.58 + 0.8 * radius * math.sin(angle)))
    d.polygon(points, fill=0)


def _generic(d: ImageDraw.ImageDraw, p: _At, rng: np.random.Generator) -> None:
    h = float(rng.uniform(0.18, 0.24))
    d.rectangle([p(0.5 - h, 0.8 - 2 * h), p(0.5 + h, 0.8)], fill=0)
    d.line([p(0.52 - h, 0.82 - 2 * h), p(0.48 + h, 0.78)], fill=1, width=3)
    d.line([p(0.48 + h, 0.82 - 2 * h), p(0.52 - h, 0.78)], fill=1, width=3)


_SILHOUETTES: dict[str, _Draw] = {
    kinds.CHARACTER: _character,
    kinds.BUILDING: _building,
    kinds.ARMOR: _armor,
    kinds.SHIELD: _shield,
    kinds.POTION: _potion,
    kinds.TOOL: _tool,
    kinds.RESOURCE: _resource,
    kinds.GENERIC: _generic,
}


def concept_art(prompt: str, asset_type: str, size: int = 512) -> bytes:
    """A ``size`` x ``size`` PNG for ``prompt``: the same prompt always gives the same bytes."""
    spec = kinds.Spec.of(asset_type, prompt)
    rng = np.random.default_rng(spec.seed)
    hue = float(rng.uniform(0, 1))
    image = _gradient(size, _hsv(hue, 0.35, 0.95), _hsv(hue + 0.08, 0.6, 0.55))

    # The silhouette is drawn as a mask (0 the shape, 1 its highlights, 255 nothing).
    mask = Image.new("L", (size, size), 255)
    silhouette = _weapon(spec.variant) if spec.kind == kinds.WEAPON else _SILHOUETTES.get(spec.kind, _generic)
    silhouette(ImageDraw.Draw(mask), lambda u, v: (u * size, v * size), rng)
    draw = ImageDraw.Draw(image)
    draw.ellipse([size * 0.28, size * 0.8, size * 0.72, size * 0.86], fill=_hsv(hue + 0.08, 0.5, 0.4))
    image.paste(_hsv(hue + 0.5, 0.55, 0.25), mask=mask.point(lambda v: 255 if v == 0 else 0))
    image.paste(_hsv(hue + 0.5, 0.25, 0.85), mask=mask.point(lambda v: 255 if v == 1 else 0))

    font_size = max(10, size // 28)
    font = ImageFont.load_default(size=font_size)
    draw.text((size * 0.04, size * 0.03), asset_type.upper()[:40], fill=(255, 255, 255), font=font)
    lines = textwrap.wrap(" ".join(prompt.split()), width=max(12, int(size / (font_size * 0.55)))) or [""]
    if len(lines) > 3:
        lines = [*lines[:2], lines[2][: max(0, len(lines[2]) - 1)] + "\u2026"]
    top = size * 0.87
    draw.rectangle([0, top - size * 0.01, size, size], fill=_hsv(hue, 0.3, 0.15))
    for row, line in enumerate(lines):
        draw.text((size * 0.04, top + row * font_size * 1.15), line, fill=(240, 240, 240), font=font)
    return _png(image)


def _colour(geometry: trimesh.Trimesh, override: str | None) -> NDArray[np.float64]:
    """The sRGB colour (0-1) a part is drawn in: the override, or its PBR base colour."""
    if override is not None:
        return np.array(parse_hex(override))
    material = getattr(geometry.visual, "material", None)
    if isinstance(material, PBRMaterial) and material.baseColorFactor is not None:
        linear = np.asarray(material.baseColorFactor, dtype=np.float64)[:3] / 255
        return np.array([linear_to_srgb(float(c)) for c in linear])
    return np.array([0.7, 0.7, 0.7])


def _rasterize(
    image: NDArray[np.uint8], xy: NDArray[np.float64], depth: NDArray[np.float64], rgb: NDArray[np.uint8]
) -> None:
    """Fill each triangle (pixel coordinates ``xy``) into ``image``, nearest depth winning.

    A depth buffer, not a far-to-near sort: a thin part on a big face (a door on a
    wall) is drawn right whatever the triangles' sizes.
    """
    height, width = image.shape[:2]
    nearest = np.full((height, width), -np.inf)
    for (a, b, c), (za, zb, zc), colour in zip(xy, depth, rgb, strict=True):
        area = (b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1])
        x0, x1 = max(int(min(a[0], b[0], c[0])), 0), min(int(max(a[0], b[0], c[0])) + 1, width)
        y0, y1 = max(int(min(a[1], b[1], c[1])), 0), min(int(max(a[1], b[1], c[1])) + 1, height)
        if abs(area) < 1e-12 or x0 >= x1 or y0 >= y1:
            continue
        px = np.arange(x0, x1, dtype=np.float64)[None, :] + 0.5
        py = np.arange(y0, y1, dtype=np.float64)[:, None] + 0.5
        wa = ((b[0] - px) * (c[1] - py) - (c[0] - px) * (b[1] - py)) / area
        wb = ((c[0] - px) * (a[1] - py) - (a[0] - px) * (c[1] - py)) / area
        wc = 1.0 - wa - wb
        z = wa * (za - zc) + wb * (zb - zc) + zc
        window = nearest[y0:y1, x0:x1]
        drawn = (wa >= 0) & (wb >= 0) & (wc >= 0) & (z > window)
        window[drawn] = z[drawn]
        image[y0:y1, x0:x1][drawn] = colour


def thumbnail(scene: trimesh.Scene, size: int = 256, color: str | None = None) -> bytes:
    """A PNG of ``scene`` seen from the front-left and a little above, flat shaded."""
    view = rotation(math.radians(20), (1.0, 0.0, 0.0)) @ rotation(math.radians(-35), (0.0, 1.0, 0.0))
    triangles, colours = [], []
    for node in scene.graph.nodes_geometry:
        transform, name = scene.graph[node]
        geometry = scene.geometry[name]
        if isinstance(geometry, trimesh.Trimesh) and len(geometry.faces):
            points = trimesh.transform_points(geometry.vertices, view @ transform)
            triangles.append(points[geometry.faces])
            colours.append(np.repeat(_colour(geometry, color)[None, :], len(geometry.faces), axis=0))
    scale = 2  # drawn at twice the size, then reduced: smooth edges for free
    pixels = np.asarray(_gradient(size * scale, (236, 238, 242), (190, 194, 202))).copy()
    if triangles:
        tris, cols = np.concatenate(triangles), np.concatenate(colours)
        normals = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
        normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)
        facing = normals[:, 2] >= 0  # a face turned away is hidden behind the front ones
        tris, cols, normals = tris[facing], cols[facing], normals[facing]
        low, high = tris.reshape(-1, 3).min(axis=0), tris.reshape(-1, 3).max(axis=0)
        fit = 0.84 * size * scale / max(float(np.max(high[:2] - low[:2])), 1e-9)
        light = np.array([-0.4, 0.6, 0.7]) / np.linalg.norm([-0.4, 0.6, 0.7])
        shade = 0.35 + 0.65 * np.clip(normals @ light, 0.0, 1.0)
        rgb = np.clip(cols * shade[:, None] * 255, 0, 255).astype(np.uint8)
        xy = (tris[:, :, :2] - (low[:2] + high[:2]) / 2) * fit * np.array([1.0, -1.0]) + size * scale / 2
        _rasterize(pixels, xy, tris[:, :, 2], rgb)
    image = Image.fromarray(pixels, "RGB")
    return _png(image.resize((size, size), Image.Resampling.BILINEAR))

"""GLB bytes in and out: writing a trimesh scene, and repainting any GLB's materials.

``recolour`` edits only the GLB's JSON chunk instead of going through trimesh, so it keeps
whatever the file has that trimesh would drop or re-encode (skins, animations, textures)
and takes about a millisecond: a retexture variant of a Meshy model or a rigged avatar
stays intact. (pygltflib would keep all that too, but parses a file 50 times slower.)
"""

from __future__ import annotations

import json
import re
import struct
from typing import Any

import pygltflib  # type: ignore[import-untyped]  # ships no type information
import trimesh

_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")
_MAGIC = b"glTF"
_JSON = 0x4E4F534A  # chunk types, as the GLB container names them
_BIN = 0x004E4942


def srgb_to_linear(channel: float) -> float:
    """One sRGB channel (0-1) in linear light, which is what ``baseColorFactor`` holds."""
    if channel <= 0.04045:
        return channel / 12.92
    return float(((channel + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(channel: float) -> float:
    if channel <= 0.0031308:
        return channel * 12.92
    return float(1.055 * channel ** (1 / 2.4) - 0.055)


def parse_hex(color_hex: str) -> tuple[float, float, float]:
    """``"#b08d57"`` as sRGB channels 0-1. Raises ValueError for anything else."""
    match = _HEX.match(color_hex.strip())
    if match is None:
        raise ValueError(f"not a #rrggbb colour: {color_hex!r}")
    value = match.group(1)
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)


def linear_rgb(color_hex: str) -> tuple[float, float, float]:
    """A ``#rrggbb`` colour as the linear RGB a glTF ``baseColorFactor`` wants."""
    r, g, b = parse_hex(color_hex)
    return (srgb_to_linear(r), srgb_to_linear(g), srgb_to_linear(b))


def to_hex(linear: tuple[float, float, float] | list[float]) -> str:
    """A linear ``baseColorFactor`` back to ``#rrggbb`` (what a preset's colour looks like)."""
    channels = (round(max(0.0, min(1.0, linear_to_srgb(float(c)))) * 255) for c in linear[:3])
    return "#" + "".join(f"{c:02x}" for c in channels)


def scene_to_glb(scene: trimesh.Scene) -> bytes:
    """The scene as one binary glTF (node names and PBR materials kept)."""
    data = scene.export(file_type="glb")  # type: ignore[no-untyped-call]  # trimesh leaves it unannotated
    if not isinstance(data, bytes):  # trimesh answers bytes for "glb"; a str would be a bug
        raise TypeError(f"trimesh exported {type(data).__name__}, not bytes")
    return data


def gltf_bytes(gltf: pygltflib.GLTF2) -> bytes:
    """A pygltflib document as GLB bytes (its ``save_to_bytes`` answers a list of chunks)."""
    return b"".join(gltf.save_to_bytes())


def read_glb(data: bytes) -> tuple[dict[str, Any], bytes | None]:
    """A GLB's JSON document and binary chunk. Raises ValueError if it is not a GLB."""
    if len(data) < 20 or data[:4] != _MAGIC:
        raise ValueError("not a binary glTF (no 'glTF' header)")
    _, _, length = struct.unpack_from("<4sII", data, 0)
    json_length, json_type = struct.unpack_from("<II", data, 12)
    if json_type != _JSON or 20 + json_length > min(length, len(data)):
        raise ValueError("the GLB's first chunk is not its JSON")
    document = json.loads(data[20 : 20 + json_length])
    if not isinstance(document, dict):
        raise ValueError("the GLB's JSON is not an object")  # noqa: TRY004  # bad bytes, not a bad argument type
    offset, binary = 20 + json_length, None
    if offset + 8 <= len(data):
        bin_length, bin_type = struct.unpack_from("<II", data, offset)
        if bin_type == _BIN:
            binary = data[offset + 8 : offset + 8 + bin_length]
    return document, binary


def write_glb(document: dict[str, Any], binary: bytes | None) -> bytes:
    """A GLB of ``document`` and ``binary`` (each chunk padded to 4 bytes, as the spec asks)."""
    text = json.dumps(document, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 4)
    chunks = struct.pack("<II", len(text), _JSON) + text
    if binary is not None:
        binary += b"\0" * (-len(binary) % 4)
        chunks += struct.pack("<II", len(binary), _BIN) + binary
    return struct.pack("<4sII", _MAGIC, 2, 12 + len(chunks)) + chunks


def recolour(glb: bytes, color_hex: str, *, metallic: float | None = None, roughness: float | None = None) -> bytes:
    """``glb`` with every material's base colour set to ``color_hex`` (alpha kept).

    A texture, if a material has one, is multiplied by the factor, so a textured model is
    tinted rather than flattened. ``metallic`` and ``roughness`` replace the materials'
    factors when given. A primitive with no material gets one, so nothing stays unpainted.
    Only the JSON chunk changes: buffers, skins, animations and extensions stay as they
    were. Raises ValueError for a bad colour or bytes that are not a GLB.
    """
    red, green, blue = linear_rgb(color_hex)
    document, binary = read_glb(glb)
    materials: list[dict[str, Any]] = document.setdefault("materials", [])
    primitives = [p for mesh in document.get("meshes", []) for p in mesh.get("primitives", [])]
    unpainted = [p for p in primitives if "material" not in p]
    if unpainted:
        materials.append({"name": "paint", "pbrMetallicRoughness": {}})
        for primitive in unpainted:
            primitive["material"] = len(materials) - 1
    for material in materials:
        pbr = material.setdefault("pbrMetallicRoughness", {})
        old = pbr.get("baseColorFactor")
        alpha = float(old[3]) if isinstance(old, list) and len(old) == 4 else 1.0
        pbr["baseColorFactor"] = [red, green, blue, alpha]
        if metallic is not None:
            pbr["metallicFactor"] = max(0.0, min(1.0, metallic))
        if roughness is not None:
            pbr["roughnessFactor"] = max(0.0, min(1.0, roughness))
    return write_glb(document, binary)

"""What a file is, decided by its bytes, never by its name or what its sender says.

The image and audio signatures are ``filetype``'s matchers, tried one by one against an
allowlist (so the library's order of guesses never decides), each confirmed by a check
of the structure that follows, since its matchers test a bare prefix. What it does not
know is written here: binary glTF (GLB) and VRM, glTF JSON, MPEG audio frames other than
the three byte pairs it lists, and M4A named only among an MP4 file's compatible brands.
"""

from __future__ import annotations

import struct
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec
from filetype.types import audio as audio_types  # type: ignore[import-untyped]
from filetype.types import image as image_types

from assetforge.common.contracts.media import Kind
from assetforge.common.errors import PayloadTooLarge, ValidationFailed

# Enough for every signature below; GLB and JSON need more and ask for it.
HEADER_BYTES = 4096
# JSON (a glTF document, a GLB's JSON chunk, a data file) is parsed whole to be checked,
# so it is bounded: a model larger than this is sent as a GLB, whose binary chunk is not read.
JSON_MAX_BYTES = 16 * 1024 * 1024
ALLOWED = "PNG, JPEG, WebP, GIF, GLB, glTF, VRM, MP3, WAV, OGG or M4A"
UNKNOWN = f"is not a {ALLOWED} file"

_GLB_MAGIC = b"glTF"
_GLB_HEADER = struct.Struct("<4sII")  # magic, version, total length
_CHUNK_HEADER = struct.Struct("<I4s")  # length, type
_VRM_EXTENSIONS = {"VRM": "0.x", "VRMC_vrm": "1.0"}
_M4A_BRANDS = {b"M4A ", b"M4B ", b"mp4a"}

# Reads ``length`` bytes from ``start`` (fewer at the end of the object).
ReadBytes = Callable[[int, int], Awaitable[bytes]]


@dataclass(frozen=True, slots=True)
class Detected:
    kind: Kind
    mime_type: str
    extension: str  # with its dot: the suffix of temporary and CDN names
    label: str  # what to call it in a message: "a PNG image"
    facts: dict[str, Any] = field(default_factory=dict)  # what the header told (the record's metadata)


def _png(header: bytes) -> bool:
    return header.startswith(b"\x89PNG\r\n\x1a\n") and header[12:16] == b"IHDR"


def _jpeg(header: bytes) -> bool:
    return len(header) > 3 and header[3] >= 0xC0  # a marker follows the start of image


def _gif(header: bytes) -> bool:
    return header[:6] in (b"GIF87a", b"GIF89a") and len(header) >= 13  # and its screen descriptor


def _webp(header: bytes) -> bool:
    return header[12:16] in (b"VP8 ", b"VP8L", b"VP8X")


def _ogg(header: bytes) -> bool:
    return len(header) >= 27 and header[4] == 0  # a whole page header, stream structure version 0


def _mp3(header: bytes) -> bool:
    if header.startswith(b"ID3"):
        return len(header) >= 10 and header[3] in (2, 3, 4)
    return _is_mpeg_audio_frame(header)


def _anything(_: bytes) -> bool:
    return True


# filetype's matchers, in our order, each with the check that confirms its candidate
# (its matchers test a prefix: "GIF", any FF FB pair): (matcher, confirmation, kind,
# MIME type, extension, label).
_SIGNATURES: tuple[tuple[Any, Callable[[bytes], bool], Kind, str, str, str], ...] = (
    (image_types.Png(), _png, Kind.IMAGE, "image/png", ".png", "a PNG image"),
    (image_types.Jpeg(), _jpeg, Kind.IMAGE, "image/jpeg", ".jpg", "a JPEG image"),
    (image_types.Webp(), _webp, Kind.IMAGE, "image/webp", ".webp", "a WebP image"),
    (image_types.Gif(), _gif, Kind.IMAGE, "image/gif", ".gif", "a GIF image"),
    (audio_types.Mp3(), _mp3, Kind.AUDIO, "audio/mpeg", ".mp3", "an MP3 file"),
    (audio_types.Wav(), _anything, Kind.AUDIO, "audio/wav", ".wav", "a WAV file"),
    (audio_types.Ogg(), _ogg, Kind.AUDIO, "audio/ogg", ".ogg", "an OGG file"),
    (audio_types.M4a(), _anything, Kind.AUDIO, "audio/mp4", ".m4a", "an M4A file"),
)
_MP3 = _SIGNATURES[4]
_M4A = _SIGNATURES[7]
_EXTENSIONS = {mime: extension for *_, mime, extension, _ in _SIGNATURES} | {
    "model/gltf-binary": ".glb",
    "model/gltf+json": ".gltf",
    "application/json": ".json",
}


def extension_of(mime_type: str, facts: dict[str, Any]) -> str:
    """The suffix a stored file's names get, from what detection recorded."""
    if facts.get("format") == "vrm":
        return ".vrm"
    return _EXTENSIONS.get(mime_type, "")


async def detect(read: ReadBytes, size: int, *, accept_data: bool = False) -> Detected:
    """The file's type, or :class:`ValidationFailed` naming ``file`` when it is none we keep.

    ``accept_data``: any JSON document is acceptable as :attr:`Kind.DATA` (files the
    services write themselves), a glTF document included when so declared.
    """
    header = await read(0, HEADER_BYTES) if size else b""
    if header.startswith(_GLB_MAGIC):
        return await _glb(read, header, size)
    for matcher, confirmed, kind, mime, extension, label in _SIGNATURES:
        if matcher.match(header) and confirmed(header):
            return Detected(kind, mime, extension, label, _image_facts(header, mime))
    if _is_mpeg_audio_frame(header):
        *_, kind, mime, extension, label = _MP3
        return Detected(kind, mime, extension, label)
    if _is_m4a(header):
        *_, kind, mime, extension, label = _M4A
        return Detected(kind, mime, extension, label)
    if _looks_like_json(header):
        return await _json(read, size, accept_data=accept_data)
    raise ValidationFailed.of("file", UNKNOWN)


async def _glb(read: ReadBytes, header: bytes, size: int) -> Detected:
    """A binary glTF 2.0: 12-byte header, then a JSON chunk (then, usually, a BIN chunk).
    VRM is a GLB whose JSON declares the VRM (0.x) or VRMC_vrm (1.0) extension."""
    if len(header) < _GLB_HEADER.size + _CHUNK_HEADER.size:
        raise ValidationFailed.of("file", "is a truncated GLB")
    _, version, length = _GLB_HEADER.unpack_from(header)
    if version != 2:
        raise ValidationFailed.of("file", f"is a GLB of version {version}; only glTF 2.0 is accepted")
    if length != size:
        raise ValidationFailed.of("file", f"is a GLB that says it has {length} bytes but has {size}")
    chunk_length, chunk_type = _CHUNK_HEADER.unpack_from(header, _GLB_HEADER.size)
    start = _GLB_HEADER.size + _CHUNK_HEADER.size
    if chunk_type != b"JSON" or start + chunk_length > size:
        raise ValidationFailed.of("file", "is a GLB whose first chunk is not its JSON")
    if chunk_length > JSON_MAX_BYTES:
        raise ValidationFailed.of("file", f"is a GLB whose JSON is larger than {megabytes(JSON_MAX_BYTES)}")
    document = _decode_json(await read(start, chunk_length))
    gltf_version = _gltf_version(document)
    if gltf_version is None:
        raise ValidationFailed.of("file", "is a GLB whose JSON has no asset.version")
    facts = _model_facts(document, gltf_version)
    vrm = _vrm_version(document)
    if vrm is not None:
        return Detected(Kind.MODEL, "model/gltf-binary", ".vrm", "a VRM model", {**facts, "format": "vrm", "vrm": vrm})
    return Detected(Kind.MODEL, "model/gltf-binary", ".glb", "a GLB model", {**facts, "format": "glb"})


async def _json(read: ReadBytes, size: int, *, accept_data: bool) -> Detected:
    if size > JSON_MAX_BYTES:
        what = "JSON files" if accept_data else "glTF JSON files (send larger models as GLB)"
        raise PayloadTooLarge.of("file", f"is larger than {megabytes(JSON_MAX_BYTES)}, the limit for {what}")
    try:
        document = msgspec.json.decode(await read(0, size))
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
        # Not JSON we can read (nesting past the parser's depth, broken UTF-8): not a file we take.
        raise ValidationFailed.of("file", UNKNOWN) from None
    gltf_version = _gltf_version(document) if not accept_data else None
    if gltf_version is not None:
        facts = {**_model_facts(document, gltf_version), "format": "gltf"}
        return Detected(Kind.MODEL, "model/gltf+json", ".gltf", "a glTF model", facts)
    if accept_data:
        return Detected(Kind.DATA, "application/json", ".json", "a JSON document")
    raise ValidationFailed.of("file", UNKNOWN)


def _decode_json(raw: bytes) -> Any:
    try:
        return msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
        raise ValidationFailed.of("file", "is a GLB whose JSON chunk is not JSON") from None


def _gltf_version(document: Any) -> str | None:
    """``asset.version`` ("2.0"), which every glTF document must carry."""
    if not isinstance(document, dict):
        return None
    asset = document.get("asset")
    version = asset.get("version") if isinstance(asset, dict) else None
    return version if isinstance(version, str) and version[:1].isdigit() else None


def _model_facts(document: dict[str, Any], version: str) -> dict[str, Any]:
    facts: dict[str, Any] = {"gltfVersion": version[:16]}
    generator = document["asset"].get("generator")
    if isinstance(generator, str):
        facts["generator"] = generator[:128]
    return facts


def _vrm_version(document: dict[str, Any]) -> str | None:
    used = document.get("extensionsUsed")
    declared = set(used) & _VRM_EXTENSIONS.keys() if isinstance(used, list) and all(map(_is_str, used)) else set()
    extensions = document.get("extensions")
    if isinstance(extensions, dict):
        declared |= extensions.keys() & _VRM_EXTENSIONS.keys()
    if not declared:
        return None
    # A file may carry both (a 1.0 model that kept its 0.x block): the newer one wins.
    return _VRM_EXTENSIONS["VRMC_vrm" if "VRMC_vrm" in declared else "VRM"]


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def _is_mpeg_audio_frame(header: bytes) -> bool:
    """An MPEG audio Layer III frame header: 11 sync bits, a defined version (1, 2 or
    2.5), Layer III, a bitrate that is not "bad" and a defined sampling rate. filetype
    knows only three of these byte pairs (FF FB, F3, F2), not FF FA, E3 and the rest."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return False
    version = (header[1] >> 3) & 0b11
    layer = (header[1] >> 1) & 0b11
    bitrate = header[2] >> 4
    sampling = (header[2] >> 2) & 0b11
    return version != 0b01 and layer == 0b01 and bitrate != 0b1111 and sampling != 0b11


def _is_m4a(header: bytes) -> bool:
    """An ISO media file (``ftyp`` box first) whose major or compatible brands say M4A
    audio; filetype reads only the major brand."""
    if len(header) < 16 or header[4:8] != b"ftyp":
        return False
    box_size = int.from_bytes(header[0:4], "big")
    if not 16 <= box_size <= len(header):
        return False
    brands = {header[8:12]} | {header[i : i + 4] for i in range(16, box_size - 3, 4)}
    return bool(brands & _M4A_BRANDS)


def _looks_like_json(header: bytes) -> bool:
    text = header.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    return text[:1] in {b"{", b"["}


def _image_facts(header: bytes, mime: str) -> dict[str, Any]:
    """Width and height where the first bytes hold them (PNG's IHDR, GIF's screen)."""
    if mime == "image/png" and len(header) >= 24 and header[12:16] == b"IHDR":
        width, height = struct.unpack_from(">II", header, 16)
        return {"width": width, "height": height}
    if mime == "image/gif" and len(header) >= 10:
        width, height = struct.unpack_from("<HH", header, 6)
        return {"width": width, "height": height}
    return {}


def megabytes(limit: int) -> str:
    """A byte limit as messages name it: "10 MB" (of 1024 * 1024 bytes)."""
    return f"{limit // (1024 * 1024)} MB"

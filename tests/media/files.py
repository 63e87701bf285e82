"""Small real files of every type the media service keeps, built here (no fixtures on disk).

``seed`` varies the bytes so tests sharing the session's store never share a digest by
accident (uploads are content-addressed).
"""

from __future__ import annotations

import io
import json
import struct
import wave
import zlib
from typing import Any


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(seed: int = 0, width: int = 2, height: int = 2) -> bytes:
    """An 8-bit RGB PNG, one filter byte and ``width`` pixels per row, deflated with zlib."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixel = bytes([seed % 256, (seed // 256) % 256, (seed // 65536) % 256])
    rows = b"".join(b"\x00" + pixel * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"tEXt", b"seed\x00" + str(seed).encode())
        + _png_chunk(b"IDAT", zlib.compress(rows))
        + _png_chunk(b"IEND", b"")
    )


def big_png(size: int, seed: int = 0) -> bytes:
    """A PNG of exactly ``size`` bytes: a real image, padded with an ancillary chunk."""
    small = png(seed)
    end = small.rindex(b"\x00\x00\x00\x00IEND")
    padding = size - len(small) - 12  # the chunk's length, type and CRC
    return small[:end] + _png_chunk(b"zzPd", bytes(padding)) + small[end:]


# The smallest well-known baseline-style JPEG (1 x 1, 125 bytes), then a comment with the seed.
_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010101004800480000ffdb004300030202020202030202020303030304060404040404080606"
    "050609080a0a090809090a0c0f0c0a0b0e0b09090d110d0e0f101011100a0c12131210130f101010ffc9000b0800010001"
    "01011100ffcc000600101005ffda0008010100003f00d2cf20ffd9"
)


def jpeg(seed: int = 0) -> bytes:
    comment = f"seed {seed}".encode()
    return _JPEG[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + _JPEG[2:]


def webp(seed: int = 0) -> bytes:
    """A 1 x 1 lossless WebP (one VP8L chunk), then a chunk of our own carrying the seed."""
    vp8l = bytes.fromhex("2f00000010071011118888fe07")
    extra = f"seed {seed:08d}".encode()  # an even length: RIFF pads odd chunks
    body = b"WEBP" + b"VP8L" + struct.pack("<I", len(vp8l)) + vp8l + b"\x00"
    body += b"SEED" + struct.pack("<I", len(extra)) + extra
    return b"RIFF" + struct.pack("<I", len(body)) + body


def gif(seed: int = 0) -> bytes:
    """A 1 x 1 GIF89a (two-colour table), with a comment extension carrying the seed."""
    screen = struct.pack("<HHBBB", 1, 1, 0x80, 0, 0) + bytes.fromhex("000000ffffff")
    comment = f"seed {seed}".encode()
    comment_block = b"\x21\xfe" + bytes([len(comment)]) + comment + b"\x00"
    image = b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + bytes.fromhex("0202440100")
    return b"GIF89a" + screen + comment_block + image + b"\x3b"


def wav(seed: int = 0) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(struct.pack("<h", seed % 30000) * 16)
    return out.getvalue()


def _mp3_frame(seed: int) -> bytes:
    # MPEG-1 Layer III, no CRC, 128 kbit/s, 44.1 kHz: 417 bytes per frame.
    frame = bytearray(b"\xff\xfb\x90\x44" + bytes(413))
    frame[10:14] = struct.pack(">I", seed)
    return bytes(frame)


def mp3(seed: int = 0, *, id3: bool = True) -> bytes:
    frames = _mp3_frame(seed) * 2
    if not id3:
        return frames
    title = b"\x00" + f"seed {seed}".encode()
    tag_frame = b"TIT2" + struct.pack(">I", len(title)) + b"\x00\x00" + title
    return b"ID3\x03\x00\x00" + bytes([0, 0, 0, len(tag_frame)]) + tag_frame + frames


def _ogg_crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def ogg(seed: int = 0) -> bytes:
    """One Ogg page (beginning of stream) holding a Vorbis identification header."""
    packet = b"\x01vorbis" + struct.pack("<IBIiiiBB", 0, 1, 8000, 0, 64000, 0, 0xB8, 1)
    header = b"OggS" + struct.pack("<BBqIII", 0, 2, 0, seed, 0, 0) + bytes([1, len(packet)])
    crc = _ogg_crc(header + packet)
    return header[:22] + struct.pack("<I", crc) + header[26:] + packet


def _box(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data) + 8) + kind + data


def m4a(seed: int = 0, *, major: bytes = b"M4A ", compatible: tuple[bytes, ...] = (b"M4A ", b"mp42", b"isom")) -> bytes:
    return _box(b"ftyp", major + b"\x00\x00\x00\x00" + b"".join(compatible)) + _box(
        b"mdat", struct.pack(">I", seed) * 4
    )


def _pad(data: bytes, filler: bytes) -> bytes:
    return data + filler * (-len(data) % 4)


def glb(seed: int = 0, *, extra: dict[str, Any] | None = None, version: int = 2, length_delta: int = 0) -> bytes:
    """A binary glTF: one triangle's positions in the BIN chunk, described by the JSON."""
    positions = struct.pack("<9f", 0, 0, 0, 1, 0, 0, 0, 1, float(seed % 1000))
    document: dict[str, Any] = {
        "asset": {"version": "2.0", "generator": "tests"},
        "buffers": [{"byteLength": len(positions)}],
        "bufferViews": [{"buffer": 0, "byteLength": len(positions)}],
        "accessors": [{"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3"}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}}]}],
        **(extra or {}),
    }
    json_chunk = _pad(json.dumps(document).encode(), b" ")
    bin_chunk = _pad(positions, b"\x00")
    body = (
        struct.pack("<I4s", len(json_chunk), b"JSON")
        + json_chunk
        + struct.pack("<I4s", len(bin_chunk), b"BIN\x00")
        + bin_chunk
    )
    return struct.pack("<4sII", b"glTF", version, 12 + len(body) + length_delta) + body


def vrm(seed: int = 0) -> bytes:
    return glb(
        seed,
        extra={"extensionsUsed": ["VRMC_vrm"], "extensions": {"VRMC_vrm": {"specVersion": "1.0"}}},
    )


def gltf(seed: int = 0) -> bytes:
    document = {"asset": {"version": "2.0", "generator": f"tests {seed}"}, "scenes": [{"nodes": []}]}
    return json.dumps(document).encode()


def elf() -> bytes:
    """The start of a 64-bit little-endian ELF executable."""
    return b"\x7fELF\x02\x01\x01" + bytes(9) + struct.pack("<HHI", 2, 0x3E, 1) + bytes(100)

"""A file's type comes from its bytes: every kept type is recognised, near misses are not."""

from __future__ import annotations

import json
import struct
from collections.abc import Callable

import pytest

from assetforge.common.contracts.media import Kind
from assetforge.common.errors import PayloadTooLarge, ValidationFailed
from assetforge.media.service.content_types import JSON_MAX_BYTES, Detected, ReadBytes, detect
from tests.media import files


def reader_of(data: bytes) -> ReadBytes:
    async def read(start: int, length: int) -> bytes:
        return data[start : start + length]

    return read


async def detect_bytes(data: bytes, *, accept_data: bool = False) -> Detected:
    return await detect(reader_of(data), len(data), accept_data=accept_data)


KEPT: list[tuple[Callable[[], bytes], Kind, str, str]] = [
    (files.png, Kind.IMAGE, "image/png", ".png"),
    (files.jpeg, Kind.IMAGE, "image/jpeg", ".jpg"),
    (files.webp, Kind.IMAGE, "image/webp", ".webp"),
    (files.gif, Kind.IMAGE, "image/gif", ".gif"),
    (files.glb, Kind.MODEL, "model/gltf-binary", ".glb"),
    (files.gltf, Kind.MODEL, "model/gltf+json", ".gltf"),
    (files.vrm, Kind.MODEL, "model/gltf-binary", ".vrm"),
    (files.mp3, Kind.AUDIO, "audio/mpeg", ".mp3"),
    (files.wav, Kind.AUDIO, "audio/wav", ".wav"),
    (files.ogg, Kind.AUDIO, "audio/ogg", ".ogg"),
    (files.m4a, Kind.AUDIO, "audio/mp4", ".m4a"),
]


@pytest.mark.parametrize(("build", "kind", "mime", "extension"), KEPT, ids=lambda v: getattr(v, "__name__", None))
async def test_every_kept_type_is_recognised(build: Callable[[], bytes], kind: Kind, mime: str, extension: str) -> None:
    detected = await detect_bytes(build())
    assert (detected.kind, detected.mime_type, detected.extension) == (kind, mime, extension)


async def test_what_the_header_says_is_kept_as_facts() -> None:
    assert (await detect_bytes(files.png(width=3, height=5))).facts == {"width": 3, "height": 5}
    assert (await detect_bytes(files.gif())).facts == {"width": 1, "height": 1}
    assert (await detect_bytes(files.vrm())).facts == {
        "gltfVersion": "2.0",
        "generator": "tests",
        "format": "vrm",
        "vrm": "1.0",
    }


async def test_vrm_0_is_recognised_by_its_extension_block() -> None:
    data = files.glb(extra={"extensions": {"VRM": {"exporterVersion": "UniVRM-0.99"}}})
    detected = await detect_bytes(data)
    assert (detected.extension, detected.facts["vrm"]) == (".vrm", "0.x")


async def test_mpeg_frames_filetype_does_not_list_are_mp3() -> None:
    # FF FA: MPEG-1 Layer III with CRC; FF E3: MPEG-2.5 Layer III.
    for second in (0xFA, 0xE3):
        frame = bytes([0xFF, second, 0x90, 0x44]) + bytes(400)
        assert (await detect_bytes(frame)).mime_type == "audio/mpeg"
    assert (await detect_bytes(files.mp3(id3=False))).mime_type == "audio/mpeg"


async def test_near_mpeg_frames_are_not_audio() -> None:
    # Layer bits 00 (reserved: AAC's ADTS uses it), and a "bad" bitrate index.
    for header in (b"\xff\xf1\x50\x80", b"\xff\xfb\xf0\x44"):
        with pytest.raises(ValidationFailed):
            await detect_bytes(header + bytes(400))


async def test_m4a_named_only_among_compatible_brands_is_audio() -> None:
    data = files.m4a(major=b"isom", compatible=(b"iso2", b"M4A "))
    assert (await detect_bytes(data)).mime_type == "audio/mp4"


async def test_an_mp4_video_is_not_m4a() -> None:
    with pytest.raises(ValidationFailed, match="not a PNG"):
        await detect_bytes(files.m4a(major=b"isom", compatible=(b"isom", b"avc1", b"mp41")))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (files.glb(version=1), "version 1"),
        (files.glb(length_delta=4), "says it has"),
        (b"glTF" + struct.pack("<II", 2, 20), "truncated"),
        (
            files.glb(extra={"asset": {"generator": "no version"}}),
            "no asset.version",
        ),
    ],
)
async def test_broken_glb_files_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message):
        await detect_bytes(data)


@pytest.mark.parametrize(
    "data",
    [
        files.elf(),
        b"MZ\x90\x00" + bytes(200),  # a Windows executable
        b"#!/bin/sh\nrm -rf /\n",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"",
        json.dumps({"asset": {"generator": "no version"}}).encode(),
        b"{not json",
        b"GIF",  # three bytes are not a file
    ],
    ids=["elf", "pe", "script", "svg", "empty", "json-without-version", "broken-json", "stub"],
)
async def test_anything_else_is_refused_with_the_list_of_types(data: bytes) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await detect_bytes(data)
    assert refused.value.fields is not None
    assert refused.value.fields[0].field == "file"


async def test_the_refusal_names_every_kept_type() -> None:
    with pytest.raises(ValidationFailed) as refused:
        await detect_bytes(files.elf())
    assert refused.value.message == "file is not a PNG, JPEG, WebP, GIF, GLB, glTF, VRM, MP3, WAV, OGG or M4A file"


async def test_json_is_data_only_when_data_is_accepted() -> None:
    document = b'{"name": "lantern", "tags": ["prop"]}'
    assert (await detect_bytes(document, accept_data=True)).kind is Kind.DATA
    with pytest.raises(ValidationFailed):
        await detect_bytes(document)


async def test_json_is_parsed_whole_so_it_is_bounded() -> None:
    huge = b'{"asset": {"version": "2.0"}, "pad": "' + b"x" * JSON_MAX_BYTES + b'"}'
    with pytest.raises(PayloadTooLarge, match="send larger models as GLB"):
        await detect_bytes(huge)

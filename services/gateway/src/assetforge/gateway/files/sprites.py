"""An asset's sprite sheet, as the original API took it: one JSON body of base64 PNGs,
each stored as ``gdd-assets/{assetId}/sprites/{angle}.png``, and the metadata beside
them. The body is read into a bounded buffer (its own limit, not JSON's 1 MB) and each
image is decoded slice by slice on its way into the store, never whole."""

from __future__ import annotations

import binascii
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import Request

from assetforge.common.blobs import GDD_ASSETS, BlobStore
from assetforge.common.bus.codec import validation_failure
from assetforge.common.bus.context import Principal
from assetforge.common.contracts.media import FILE_STORE, MAX_BYTES, Kind, MediaFile, StoreFile
from assetforge.common.errors import BadRequest, ValidationFailed
from assetforge.common.jsonvalue import holds_nul, too_deep
from assetforge.gateway.files.access import Requester, writable_by
from assetforge.gateway.files.body import bounded_body
from assetforge.gateway.files.parts import FileServices
from assetforge.gateway.files.staging import StagedObjects, stage
from assetforge.gateway.schemas.files import MAX_SPRITES_BODY, Sprite, SpritesSaved, SpriteUpload

PNG = b"\x89PNG\r\n\x1a\n"
# Characters of base64 decoded at a time: a multiple of 4, so every slice decodes alone.
_SLICE = 4 * 32 * 1024
_MAX_METADATA_DEPTH = 16
_decoder = msgspec.json.Decoder(SpriteUpload)
_media_file = msgspec.json.Decoder(MediaFile)


def decode_sprites(body: bytes | bytearray) -> SpriteUpload:
    try:
        upload = _decoder.decode(body)
    except UnicodeDecodeError:
        raise BadRequest.of("body", "is not valid UTF-8") from None
    except RecursionError:
        raise BadRequest.of("body", "nests too deeply") from None
    except msgspec.ValidationError as error:
        # Broken against the documented schema: a 400 naming the field, as Litestar's own.
        failure = validation_failure(error)
        raise BadRequest(failure.message, failure.fields) from None
    except msgspec.DecodeError as error:
        raise BadRequest.of("body", f"is not valid JSON ({error})") from None
    # Free-form metadata: no schema can state these, so they are a 422, not a 400.
    if upload.metadata is not None and too_deep(upload.metadata, _MAX_METADATA_DEPTH):
        raise ValidationFailed.of("metadata", f"nests deeper than {_MAX_METADATA_DEPTH} levels")
    if holds_nul(upload.metadata):
        raise ValidationFailed.of("metadata", "must not contain NUL (U+0000) characters")
    return upload


def file_name(angle: float | str) -> str:
    if isinstance(angle, str):
        return f"{angle}.png"
    return f"{int(angle)}.png" if float(angle).is_integer() else f"{angle:g}.png"


async def png_chunks(image_data: str, field: str) -> AsyncIterator[bytes]:
    """The PNG's bytes, decoded a slice at a time; 422 unless it is base64 of a PNG."""
    text = image_data
    if text.startswith("data:"):
        header, comma, text = text.partition(",")
        if not comma or not header.endswith(";base64"):
            raise ValidationFailed.of(field, "must be base64 or a base64 data URL")
    for offset in range(0, len(text), _SLICE):
        try:
            chunk = binascii.a2b_base64(text[offset : offset + _SLICE], strict_mode=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed.of(field, "is not valid base64") from None
        if offset == 0 and not chunk.startswith(PNG):
            raise ValidationFailed.of(field, "must be a PNG image")
        yield chunk


async def _single(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def save_sprites(
    files: FileServices, bus: Requester, request: Request[Any, Any, Any], asset_id: str, principal: Principal
) -> SpritesSaved:
    store, staged = files.store, files.staged
    owner = await writable_by(bus, asset_id, principal)
    upload = decode_sprites(await bounded_body(request, MAX_SPRITES_BODY))
    urls = [
        await _store(store, staged, bus, asset_id, owner, index, sprite) for index, sprite in enumerate(upload.sprites)
    ]
    if upload.metadata is not None:
        metadata = StoreFile(
            staged=await stage(
                store, GDD_ASSETS, _single(msgspec.json.encode(upload.metadata)), max_size=MAX_SPRITES_BODY
            ),
            asset_id=asset_id,
            path="sprites/sprite-metadata.json",
            owner_id=owner,
            kind=Kind.DATA,
            content_type="application/json",
        )
        await staged.hand_over(store, bus, FILE_STORE, metadata, metadata.staged)
    count = len(upload.sprites)
    return SpritesSaved(success=True, message=f"Saved {count} sprites", sprites_count=count, urls=urls)


async def _store(  # noqa: PLR0917 - one sprite and where it goes
    store: BlobStore, staged: StagedObjects, bus: Requester, asset_id: str, owner: str, index: int, sprite: Sprite
) -> str:
    chunks = png_chunks(sprite.image_data, f"sprites[{index}].imageData")
    put = await stage(store, GDD_ASSETS, chunks, max_size=MAX_BYTES[Kind.IMAGE], content_type="image/png")
    message = StoreFile(
        staged=put,
        asset_id=asset_id,
        path=f"sprites/{file_name(sprite.angle)}",
        owner_id=owner,
        kind=Kind.IMAGE,
        content_type="image/png",
    )
    return _media_file.decode(await staged.hand_over(store, bus, FILE_STORE, message, put)).url

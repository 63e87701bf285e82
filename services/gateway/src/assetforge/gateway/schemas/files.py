"""The HTTP messages of the original API's file routes (sprites, VRM models)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

# A sprite sheet is several images in one JSON body, base64: larger than JSON's 1 MB.
MAX_SPRITES_BODY = 20 * 1024 * 1024
MAX_SPRITES = 64
ANGLE_NAME = r"^[A-Za-z0-9_-]{1,32}$"

Angle = Annotated[float, msgspec.Meta(ge=0, lt=360)] | Annotated[str, msgspec.Meta(pattern=ANGLE_NAME)]


class Sprite(msgspec.Struct, frozen=True, rename="camel"):
    # Degrees (0, 45, 22.5) or a short name ("front"): the file is sprites/<angle>.png.
    angle: Angle
    # A PNG, base64 or as a data URL (data:image/png;base64,...).
    image_data: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_SPRITES_BODY)]


class SpriteUpload(msgspec.Struct, frozen=True, rename="camel"):
    sprites: Annotated[list[Sprite], msgspec.Meta(min_length=1, max_length=MAX_SPRITES)]
    # Stored beside them as sprites/sprite-metadata.json.
    metadata: dict[str, Any] | None = None


class SpritesSaved(msgspec.Struct, frozen=True, rename="camel"):
    success: bool
    message: str
    sprites_count: int
    urls: list[str]


class VrmUploaded(msgspec.Struct, frozen=True, rename="camel"):
    success: bool
    url: str
    file_name: str
    size: int
    media_id: str

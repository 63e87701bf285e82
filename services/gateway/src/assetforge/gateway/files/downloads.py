"""Which object each file URL serves, and who may read it."""

from __future__ import annotations

import msgspec
from litestar.response.base import ASGIResponse

from assetforge.common.blobs import GDD_ASSETS, IMAGES, MEDIA, TEMP_IMAGES
from assetforge.common.bus.context import Principal
from assetforge.common.contracts.media import FILE_GET, GetFile, MediaFile
from assetforge.gateway.files.access import Requester
from assetforge.gateway.files.conditional import IMMUTABLE, TEMPORARY, CachePolicy
from assetforge.gateway.files.parts import FileServices
from assetforge.gateway.files.paths import not_found, object_name, segment
from assetforge.gateway.files.serving import Download, serve

# Uploads are content-addressed; only their owner (or an admin) reads them.
_PRIVATE_IMMUTABLE = CachePolicy(IMMUTABLE.max_age_s, public=False, immutable=True)
_media_file = msgspec.json.Decoder(MediaFile)


async def asset_file(  # noqa: PLR0917 - the request and what serves it
    files: FileServices,
    bus: Requester,
    raw_path: bytes,
    asset_id: str,
    path: str,
    download: Download,
    principal: Principal | None,
) -> ASGIResponse:
    """``gdd-assets/{assetId}/{path}``: a generated file, readable by whoever may see the asset."""
    name = object_name(raw_path, f"/gdd-assets/{segment(asset_id)}/", path)
    public = await files.access.readable(bus, asset_id, anonymous=principal is None)
    return await serve(files, GDD_ASSETS, f"{asset_id}/{name}", download, public=public)


async def temp_image(files: FileServices, raw_path: bytes, name: str, download: Download) -> ASGIResponse:
    """``temp-images/{name}``: an image handed to a provider; public while it lasts."""
    checked = object_name(raw_path, "/temp-images/", name)
    return await serve(files, TEMP_IMAGES, checked, download, TEMPORARY)


async def static_image(files: FileServices, raw_path: bytes, path: str, download: Download) -> ASGIResponse:
    """``images/{path}``: a static image, public."""
    return await serve(files, IMAGES, object_name(raw_path, "/images/", path), download)


async def media_content(
    files: FileServices, bus: Requester, media_id: str, download: Download, principal: Principal
) -> ASGIResponse:
    """An upload's bytes, for its owner or an admin (404 for anyone else)."""
    record = _media_file.decode(await bus.request_raw(FILE_GET, GetFile(id=media_id)))
    if record.owner_id != principal.user_id and not principal.is_admin:
        raise not_found()
    bucket, name = record.bucket or MEDIA, record.object_name
    if not name:
        raise not_found()
    # Elsewhere (a generated file's record) the name decides, privately.
    policy = _PRIVATE_IMMUTABLE if bucket == MEDIA else None
    return await serve(files, bucket, name, download, policy, public=False, mime_type=record.mime_type)

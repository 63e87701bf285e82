from __future__ import annotations

from assetforge.common.bus.context import RequestContext
from assetforge.common.bus.rpc import RpcRouter
from assetforge.common.contracts import media as contract
from assetforge.common.db import Database
from assetforge.media.lifecycle import MediaParts
from assetforge.media.service import temp_images


def register(router: RpcRouter, database: Database, media: MediaParts) -> None:
    settings = media.settings

    async def create(command: contract.CreateTempImage, context: RequestContext) -> contract.TempImage:
        async with database.unit_of_work() as session:
            return await temp_images.create_temp_image(
                session,
                media.store,
                command,
                context.principal,
                default_ttl_s=settings.temp_image_ttl_s,
                image_server_url=settings.image_server_url,
            )

    router.add(
        contract.TEMP_IMAGE_CREATE,
        contract.CreateTempImage,
        contract.TempImage,
        create,
        "Keep a staged image under an unguessable name until it expires (24 h unless ttlS says)",
    )

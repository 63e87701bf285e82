from __future__ import annotations

from assetforge.common.bus.context import RequestContext
from assetforge.common.bus.rpc import RpcRouter
from assetforge.common.contracts import media as contract
from assetforge.common.db import Database
from assetforge.media.lifecycle import MediaParts
from assetforge.media.service import files, uploads


def register(router: RpcRouter, database: Database, media: MediaParts) -> None:
    cdn_enabled = media.cdn is not None

    async def register_upload(command: contract.RegisterUpload, context: RequestContext) -> contract.MediaFile:
        async with database.unit_of_work() as session:
            return await uploads.register_upload(
                session, media.store, command, context.principal, cdn_enabled=cdn_enabled
            )

    async def store_file(command: contract.StoreFile, _context: RequestContext) -> contract.MediaFile:
        async with database.unit_of_work() as session:
            return await uploads.store_generated(session, media.store, command, cdn_enabled=cdn_enabled)

    async def get_file(query: contract.GetFile, context: RequestContext) -> contract.MediaFile:
        async with database.read_only() as connection:
            return await files.get_file(connection, query.id, context.principal)

    async def list_files(query: contract.ListFiles, context: RequestContext) -> contract.FilePage:
        async with database.read_only() as connection:
            return await files.list_files(connection, query, context.principal)

    async def delete_file(command: contract.DeleteFile, context: RequestContext) -> contract.Deleted:
        async with database.unit_of_work() as session:
            return await files.delete_file(session, media.store, command.id, context.principal)

    router.add(
        contract.FILE_REGISTER,
        contract.RegisterUpload,
        contract.MediaFile,
        register_upload,
        "Take in a staged upload for the principal, typed by its content; emits evt.media.file.<id>.stored",
    )
    router.add(
        contract.FILE_STORE,
        contract.StoreFile,
        contract.MediaFile,
        store_file,
        "Store a staged generated file as gdd-assets/{assetId}/{path} (replacing that name); emits stored",
    )
    router.add(contract.FILE_GET, contract.GetFile, contract.MediaFile, get_file, "One file, for its owner or an admin")
    router.add(
        contract.FILE_LIST,
        contract.ListFiles,
        contract.FilePage,
        list_files,
        "The principal's files (an admin's: everyone's), newest first, by cursor",
    )
    router.add(
        contract.FILE_DELETE,
        contract.DeleteFile,
        contract.Deleted,
        delete_file,
        "Delete a file (owner or admin); its object goes with its last record; emits deleted",
    )

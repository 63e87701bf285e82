"""World configs on the bus: decode, one service call in its transaction, encode."""

from __future__ import annotations

from assetforge.assets.service import world_configs as configs
from assetforge.assets.service import world_exports as exports
from assetforge.common.bus.context import RequestContext
from assetforge.common.bus.rpc import RpcRouter
from assetforge.common.contracts import worlds as contract
from assetforge.common.db import Database


def register(router: RpcRouter, database: Database) -> None:
    async def list_configs(query: contract.ListWorldConfigs, context: RequestContext) -> contract.WorldConfigList:
        async with database.read_only() as connection:
            return await configs.list_configs(connection, query, context.principal)

    async def get_config(query: contract.WorldConfigRef, context: RequestContext) -> contract.WorldConfigReply:
        async with database.read_only() as connection:
            return await configs.get_config(connection, query, context.principal)

    async def active(_: contract.ActiveWorldConfig, context: RequestContext) -> contract.ActiveWorldConfigReply:
        async with database.read_only() as connection:
            return await configs.active_config(connection, context.principal)

    async def create(command: contract.CreateWorldConfig, context: RequestContext) -> contract.WorldConfigReply:
        async with database.unit_of_work() as session:
            return await configs.create_config(session, command, context.principal)

    async def update(command: contract.UpdateWorldConfig, context: RequestContext) -> contract.WorldConfigReply:
        async with database.unit_of_work() as session:
            return await configs.update_config(session, command, context.principal)

    async def delete(command: contract.WorldConfigRef, context: RequestContext) -> contract.WorldConfigDeleted:
        async with database.unit_of_work() as session:
            return await configs.delete_config(session, command, context.principal)

    async def activate(command: contract.WorldConfigRef, context: RequestContext) -> contract.WorldConfigReply:
        async with database.unit_of_work() as session:
            return await configs.activate_config(session, command, context.principal)

    async def clone(command: contract.CloneWorldConfig, context: RequestContext) -> contract.WorldConfigReply:
        async with database.unit_of_work() as session:
            return await exports.clone_config(session, command, context.principal)

    async def export(query: contract.WorldConfigRef, context: RequestContext) -> contract.WorldConfigExport:
        async with database.read_only() as connection:
            return await exports.export_config(connection, query, context.principal)

    async def import_(command: contract.ImportWorldConfig, context: RequestContext) -> contract.WorldConfigReply:
        async with database.unit_of_work() as session:
            return await exports.import_config(session, command, context.principal)

    async def validate(query: contract.ValidateWorldConfig, context: RequestContext) -> contract.ValidationReport:
        async with database.read_only() as connection:
            return await exports.validate(connection, query, context.principal)

    async def history(query: contract.WorldConfigHistoryQuery, context: RequestContext) -> contract.WorldConfigHistory:
        # Two statements (the config, then its history): one snapshot for both.
        async with database.unit_of_work() as session:
            return await configs.history(session, query, context.principal)

    async def templates(query: contract.ListWorldConfigs, context: RequestContext) -> contract.WorldConfigTemplates:
        async with database.read_only() as connection:
            return await exports.list_templates(connection, query, context.principal)

    async def from_template(command: contract.FromTemplate, context: RequestContext) -> contract.WorldConfigReply:
        async with database.unit_of_work() as session:
            return await exports.from_template(session, command, context.principal)

    reply = contract.WorldConfigReply
    router.add(
        contract.WORLD_CONFIG_LIST,
        contract.ListWorldConfigs,
        contract.WorldConfigList,
        list_configs,
        "The principal's world configs (an admin's: everyone's), newest first",
    )
    router.add(
        contract.WORLD_CONFIG_GET,
        contract.WorldConfigRef,
        reply,
        get_config,
        "One world config; another owner's is not found (admins see all)",
    )
    router.add(
        contract.WORLD_CONFIG_ACTIVE,
        contract.ActiveWorldConfig,
        contract.ActiveWorldConfigReply,
        active,
        "The principal's active world config, or null",
    )
    router.add(
        contract.WORLD_CONFIG_CREATE,
        contract.CreateWorldConfig,
        reply,
        create,
        "Create a world config (version 1); emits evt.assets.world_config.<id>.created",
    )
    router.add(
        contract.WORLD_CONFIG_UPDATE,
        contract.UpdateWorldConfig,
        reply,
        update,
        "Replace the fields given; each change is a new version with a history row",
    )
    router.add(
        contract.WORLD_CONFIG_DELETE,
        contract.WorldConfigRef,
        contract.WorldConfigDeleted,
        delete,
        "Delete a world config and its history",
    )
    router.add(
        contract.WORLD_CONFIG_ACTIVATE,
        contract.WorldConfigRef,
        reply,
        activate,
        "Activate a config, deactivating the owner's other one in the same transaction",
    )
    router.add(
        contract.WORLD_CONFIG_CLONE,
        contract.CloneWorldConfig,
        reply,
        clone,
        "Copy a config the principal sees into a new one of theirs",
    )
    router.add(
        contract.WORLD_CONFIG_EXPORT,
        contract.WorldConfigRef,
        contract.WorldConfigExport,
        export,
        "A config's content as the document import takes",
    )
    router.add(
        contract.WORLD_CONFIG_IMPORT,
        contract.ImportWorldConfig,
        reply,
        import_,
        "Create a config of the principal's from an exported document",
    )
    router.add(
        contract.WORLD_CONFIG_VALIDATE,
        contract.ValidateWorldConfig,
        contract.ValidationReport,
        validate,
        "Check a config document (or a stored config) and report every problem by its path",
    )
    router.add(
        contract.WORLD_CONFIG_HISTORY,
        contract.WorldConfigHistoryQuery,
        contract.WorldConfigHistory,
        history,
        "A config's versions, newest first",
    )
    router.add(
        contract.WORLD_CONFIG_TEMPLATES,
        contract.ListWorldConfigs,
        contract.WorldConfigTemplates,
        templates,
        "The template configs the principal sees",
    )
    router.add(
        contract.WORLD_CONFIG_FROM_TEMPLATE,
        contract.FromTemplate,
        reply,
        from_template,
        "Create a config from a template, with customizations",
    )

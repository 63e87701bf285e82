"""World configs, served by the assets service over NATS: private to their owner (an
admin's view holds everyone's), one active per owner."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Response, delete, get, patch, post, put
from litestar.params import JSONBody, PathParameter, QueryParameter

from assetforge.common.contracts import worlds as contract
from assetforge.gateway.auth.guards import requires_user
from assetforge.gateway.controllers.catalog import CatalogController, Cursor, Limit, json_body, refuse_nul
from assetforge.gateway.deps import Bus
from assetforge.gateway.openapi import ERRORS, ERRORS_WITH_NOT_FOUND, SECURED, json_reply
from assetforge.gateway.schemas import NO_NUL

ConfigId = Annotated[UUID, PathParameter()]
# The free-form members of a config (attribute -> wire name).
_FREE_FORM = {
    "races": "races",
    "factions": "factions",
    "skills": "skills",
    "settings": "settings",
    "npc_categories": "npcCategories",
    "quest_config": "questConfig",
    "items_config": "itemsConfig",
}


def _free_form(fields: contract.WorldConfigFields | contract.CreateWorldConfig) -> dict[str, Any]:
    return {wire: getattr(fields, name) for name, wire in _FREE_FORM.items()}


_REPLY = {200: json_reply(contract.WorldConfigReply, "The world config"), **ERRORS_WITH_NOT_FOUND}
_CREATED = {201: json_reply(contract.WorldConfigReply, "The new world config"), **ERRORS}
_CHANGES = (
    "The fields sent replace theirs (the others are kept); `isActive` activates or deactivates. "
    "Each change is a new version with a history row. Owner or admin."
)


class WorldConfigsController(CatalogController):
    path = "/api/world-config"
    tags = ["world configs"]  # noqa: RUF012 - Litestar reads this class attribute
    guards = [requires_user]  # noqa: RUF012
    security = SECURED

    @get(
        "/",
        summary="The caller's world configs",
        description="Newest first; pass `nextCursor` back as `cursor`. An admin sees everyone's (`ownerId` narrows).",
        responses={200: json_reply(contract.WorldConfigList, "A page of world configs"), **ERRORS},
    )
    async def list_configs(
        self,
        bus: Bus,
        limit: Limit = contract.DEFAULT_PAGE_SIZE,
        cursor: Cursor = None,
        include_templates: Annotated[bool, QueryParameter(name="includeTemplates")] = True,
        owner_id: Annotated[
            str | None, QueryParameter(name="ownerId", min_length=1, max_length=128, pattern=NO_NUL)
        ] = None,
    ) -> Response[bytes]:
        query = contract.ListWorldConfigs(
            limit=limit, cursor=cursor, include_templates=include_templates, owner_id=owner_id
        )
        return json_body(await bus.request_raw(contract.WORLD_CONFIG_LIST, query))

    @post("/", summary="Create a world config", description="Only `name` is required.", responses=_CREATED)
    async def create(self, bus: Bus, data: JSONBody[contract.CreateWorldConfig]) -> Response[bytes]:
        refuse_nul(**_free_form(data))
        return json_body(await bus.request_raw(contract.WORLD_CONFIG_CREATE, data), 201)

    @get(
        "/active",
        summary="The caller's active world config",
        responses={200: json_reply(contract.ActiveWorldConfigReply, "`config` is null when none is active"), **ERRORS},
    )
    async def active(self, bus: Bus) -> Response[bytes]:
        return json_body(await bus.request_raw(contract.WORLD_CONFIG_ACTIVE, contract.ActiveWorldConfig()))

    @get(
        ["/templates", "/templates/list"],
        summary="The caller's template configs",
        description="Configs with `isTemplate` (an admin sees everyone's); newest first.",
        responses={200: json_reply(contract.WorldConfigTemplates, "A page of templates"), **ERRORS},
    )
    async def templates(
        self, bus: Bus, limit: Limit = contract.DEFAULT_PAGE_SIZE, cursor: Cursor = None
    ) -> Response[bytes]:
        query = contract.ListWorldConfigs(limit=limit, cursor=cursor, templates_only=True)
        return json_body(await bus.request_raw(contract.WORLD_CONFIG_TEMPLATES, query))

    @post(
        "/from-template/{template_id:uuid}",
        summary="Create a world config from a template",
        description="The template's content, the fields sent replacing theirs; not a template unless `isTemplate`.",
        responses={201: json_reply(contract.WorldConfigReply, "The new world config"), **ERRORS_WITH_NOT_FOUND},
    )
    async def from_template(
        self, bus: Bus, template_id: ConfigId, data: JSONBody[contract.WorldConfigFields]
    ) -> Response[bytes]:
        refuse_nul(**_free_form(data))
        command = contract.FromTemplate(template_id=str(template_id), customizations=data)
        return json_body(await bus.request_raw(contract.WORLD_CONFIG_FROM_TEMPLATE, command), 201)

    @post(
        "/clone",
        summary="Copy a world config",
        description="`newName` defaults to '<name> (copy)'. A source the caller may not read is not found.",
        responses={**_CREATED, **ERRORS_WITH_NOT_FOUND},
    )
    async def clone(self, bus: Bus, data: JSONBody[contract.CloneWorldConfig]) -> Response[bytes]:
        return json_body(await bus.request_raw(contract.WORLD_CONFIG_CLONE, data), 201)

    @post(
        "/import",
        summary="Import a world config",
        description="`data` is what export answered (members of a stored copy, such as `id`, are ignored).",
        responses=_CREATED,
    )
    async def import_config(self, bus: Bus, data: JSONBody[contract.ImportWorldConfig]) -> Response[bytes]:
        refuse_nul(data=data.data)
        return json_body(await bus.request_raw(contract.WORLD_CONFIG_IMPORT, data), 201)

    @post(
        "/validate",
        summary="Check a world config document",
        description="Every problem is named by its path (`factions[2].alignment`); nothing is stored.",
        status_code=200,
        responses={200: json_reply(contract.ValidationReport, "The report"), **ERRORS},
    )
    async def validate(self, bus: Bus, data: JSONBody[dict[str, Any]]) -> Response[bytes]:
        refuse_nul(body=data)
        query = contract.ValidateWorldConfig(document=data)
        return json_body(await bus.request_raw(contract.WORLD_CONFIG_VALIDATE, query))

    @get("/{config_id:uuid}", summary="Get one world config", description="Owner or admin.", responses=_REPLY)
    async def get_config(self, bus: Bus, config_id: ConfigId) -> Response[bytes]:
        ref = contract.WorldConfigRef(id=str(config_id))
        return json_body(await bus.request_raw(contract.WORLD_CONFIG_GET, ref))

    @put("/{config_id:uuid}", summary="Change a world config", description=_CHANGES, responses=_REPLY)
    async def replace(
        self, bus: Bus, config_id: ConfigId, data: JSONBody[contract.WorldConfigChanges]
    ) -> Response[bytes]:
        return await self._update(bus, config_id, data)

    @patch("/{config_id:uuid}", summary="Change a world config", description=_CHANGES, responses=_REPLY)
    async def update(
        self, bus: Bus, config_id: ConfigId, data: JSONBody[contract.WorldConfigChanges]
    ) -> Response[bytes]:
        return await self._update(bus, config_id, data)

    async def _update(self, bus: Bus, config_id: UUID, data: contract.WorldConfigChanges) -> Response[bytes]:
        refuse_nul(**_free_form(data))
        command = contract.UpdateWorldConfig(id=str(config_id), changes=data)
        return json_body(await bus.request_raw(contract.WORLD_CONFIG_UPDATE, command))

    @delete(
        "/{config_id:uuid}",
        summary="Delete a world config",
        description="Owner or admin; its history goes with it.",
        status_code=200,
        responses={200: json_reply(contract.WorldConfigDeleted, "Deleted"), **ERRORS_WITH_NOT_FOUND},
    )
    async def delete_config(self, bus: Bus, config_id: ConfigId) -> Response[bytes]:
        ref = contract.WorldConfigRef(id=str(config_id))
        return json_body(await bus.request_raw(contract.WORLD_CONFIG_DELETE, ref))

    @post(
        "/{config_id:uuid}/activate",
        summary="Activate a world config",
        description="The owner's other active config is deactivated in the same transaction.",
        status_code=200,
        responses=_REPLY,
    )
    async def activate(self, bus: Bus, config_id: ConfigId) -> Response[bytes]:
        ref = contract.WorldConfigRef(id=str(config_id))
        return json_body(await bus.request_raw(contract.WORLD_CONFIG_ACTIVATE, ref))

    @get(
        ["/{config_id:uuid}/export", "/export/{config_id:uuid}"],
        summary="Export a world config",
        description="`data` is the document import takes; importing it and exporting the copy gives the same bytes.",
        responses={
            200: json_reply(contract.WorldConfigExport, "The document and a file name"),
            **ERRORS_WITH_NOT_FOUND,
        },
    )
    async def export(self, bus: Bus, config_id: ConfigId) -> Response[bytes]:
        ref = contract.WorldConfigRef(id=str(config_id))
        return json_body(await bus.request_raw(contract.WORLD_CONFIG_EXPORT, ref))

    @get(
        "/{config_id:uuid}/validate",
        summary="Check a stored world config",
        responses={200: json_reply(contract.ValidationReport, "The report"), **ERRORS_WITH_NOT_FOUND},
    )
    async def validate_stored(self, bus: Bus, config_id: ConfigId) -> Response[bytes]:
        query = contract.ValidateWorldConfig(id=str(config_id))
        return json_body(await bus.request_raw(contract.WORLD_CONFIG_VALIDATE, query))

    @get(
        "/{config_id:uuid}/history",
        summary="A world config's versions",
        description="Newest first: each change's version, who made it, what it changed and the config after it.",
        responses={200: json_reply(contract.WorldConfigHistory, "A page of history"), **ERRORS_WITH_NOT_FOUND},
    )
    async def history(self, bus: Bus, config_id: ConfigId, limit: Limit = 50, cursor: Cursor = None) -> Response[bytes]:
        query = contract.WorldConfigHistoryQuery(id=str(config_id), limit=limit, cursor=cursor)
        return json_body(await bus.request_raw(contract.WORLD_CONFIG_HISTORY, query))

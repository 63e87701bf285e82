"""Relationships between entities, served by the assets service over NATS: each user's own
(an admin's: any), and one entity's neighbourhood as a graph."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Response, delete, get, post
from litestar.openapi import ResponseSpec
from litestar.params import JSONBody, PathParameter, QueryParameter

from assetforge.common.contracts import projects as contract
from assetforge.gateway.auth.guards import requires_user
from assetforge.gateway.controllers.catalog import CatalogController, Cursor, Limit, OwnerId, json_body, refuse_nul
from assetforge.gateway.deps import Bus
from assetforge.gateway.openapi import ERRORS, ERRORS_WITH_NOT_FOUND, SECURED, json_reply
from assetforge.gateway.schemas import ErrorBody

_TYPE = r"^[a-z][a-z0-9_]*$"
_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"
_DUPLICATE = {
    409: ResponseSpec(data_container=ErrorBody, description="The caller has this link already", generate_examples=False)
}


class RelationshipsController(CatalogController):
    path = "/api/relationships"
    tags = ["relationships"]  # noqa: RUF012 - Litestar reads this class attribute
    guards = [requires_user]  # noqa: RUF012
    security = SECURED

    @post(
        "/",
        summary="Link two entities",
        description="Any two entities (`asset`, `project`, `npc`, `quest`, ...); an asset or project must be one "
        "the caller can see. 409 when the caller already has the same link.",
        responses={201: json_reply(contract.RelationshipReply, "The relationship"), **ERRORS, **_DUPLICATE},
    )
    async def create(self, bus: Bus, data: JSONBody[contract.CreateRelationship]) -> Response[bytes]:
        refuse_nul(metadata=data.metadata)
        return json_body(await bus.request_raw(contract.RELATIONSHIP_CREATE, data), 201)

    @get(
        "/",
        summary="The caller's relationships",
        description="Newest first, filtered by either end or by type. Pass `nextCursor` back as `cursor`. "
        "An admin may list another user's with `ownerId`.",
        responses={200: json_reply(contract.RelationshipList, "A page of relationships"), **ERRORS},
    )
    async def list_relationships(  # noqa: PLR0917 - Litestar maps each query parameter to an argument
        self,
        bus: Bus,
        limit: Limit = contract.DEFAULT_PAGE_SIZE,
        cursor: Cursor = None,
        source_type: Annotated[str | None, QueryParameter(name="sourceType", max_length=32, pattern=_TYPE)] = None,
        source_id: Annotated[str | None, QueryParameter(name="sourceId", max_length=128, pattern=_ID)] = None,
        target_type: Annotated[str | None, QueryParameter(name="targetType", max_length=32, pattern=_TYPE)] = None,
        target_id: Annotated[str | None, QueryParameter(name="targetId", max_length=128, pattern=_ID)] = None,
        relationship_type: Annotated[contract.RelationshipType | None, QueryParameter(name="type")] = None,
        owner_id: OwnerId = None,
    ) -> Response[bytes]:
        query = contract.ListRelationships(
            limit=limit,
            cursor=cursor,
            source_type=source_type,
            source_id=source_id,
            target_type=target_type,
            target_id=target_id,
            type=relationship_type,
            owner_id=owner_id,
        )
        return json_body(await bus.request_raw(contract.RELATIONSHIP_LIST, query))

    @get(
        "/graph/{entity_id:str}",
        summary="An entity's neighbourhood",
        description="The entity, its neighbours and theirs (depth 2, links followed both ways) over the caller's "
        "relationships; at most 500 links (`truncated` says when cut).",
        responses={200: json_reply(contract.Graph, "Nodes and edges"), **ERRORS_WITH_NOT_FOUND},
    )
    async def graph(
        self,
        bus: Bus,
        entity_id: Annotated[str, PathParameter(min_length=1, max_length=128, pattern=_ID)],
        owner_id: OwnerId = None,
    ) -> Response[bytes]:
        query = contract.GraphQuery(entity_id=entity_id, owner_id=owner_id)
        return json_body(await bus.request_raw(contract.RELATIONSHIP_GRAPH, query))

    @get(
        "/{relationship_id:uuid}",
        summary="Get one relationship",
        description="Its owner's or an admin's only (404 otherwise).",
        responses={200: json_reply(contract.RelationshipReply, "The relationship"), **ERRORS_WITH_NOT_FOUND},
    )
    async def get_relationship(self, bus: Bus, relationship_id: Annotated[UUID, PathParameter()]) -> Response[bytes]:
        query = contract.RelationshipRef(id=str(relationship_id))
        return json_body(await bus.request_raw(contract.RELATIONSHIP_GET, query))

    @delete(
        "/{relationship_id:uuid}",
        summary="Delete a relationship",
        description="Owner or admin.",
        status_code=200,
        responses={200: json_reply(contract.RelationshipDeleted, "Deleted"), **ERRORS_WITH_NOT_FOUND},
    )
    async def delete_relationship(self, bus: Bus, relationship_id: Annotated[UUID, PathParameter()]) -> Response[bytes]:
        query = contract.RelationshipRef(id=str(relationship_id))
        return json_body(await bus.request_raw(contract.RELATIONSHIP_DELETE, query))

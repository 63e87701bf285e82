"""Bus endpoints of relationships: decode, one service call, encode; the edge owns the transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.assets.service import relationships as service
from assetforge.common.bus.consumer import EventConsumer
from assetforge.common.bus.context import RequestContext
from assetforge.common.bus.rpc import RpcRouter
from assetforge.common.contracts import projects as contract
from assetforge.common.contracts.assets import ASSET_DELETED_FILTER, AssetDeleted
from assetforge.common.db import Database


def register(router: RpcRouter, database: Database) -> None:
    async def create(command: contract.CreateRelationship, context: RequestContext) -> contract.RelationshipReply:
        async with database.unit_of_work() as session:
            return await service.create_relationship(session, command, context.principal)

    async def list_links(query: contract.ListRelationships, context: RequestContext) -> contract.RelationshipList:
        async with database.read_only() as connection:
            return await service.list_relationships(connection, query, context.principal)

    async def get(query: contract.RelationshipRef, context: RequestContext) -> contract.RelationshipReply:
        async with database.read_only() as connection:
            return await service.get_relationship(connection, query.id, context.principal)

    async def delete(command: contract.RelationshipRef, context: RequestContext) -> contract.RelationshipDeleted:
        async with database.unit_of_work() as session:
            return await service.delete_relationship(session, command.id, context.principal)

    # Two statements (the entity's links, then its neighbours'), on one autocommit
    # connection: a link made in between shows up or not, as it would a moment later.
    async def graph(query: contract.GraphQuery, context: RequestContext) -> contract.Graph:
        async with database.read_only() as connection:
            return await service.graph(connection, query, context.principal)

    router.add(
        contract.RELATIONSHIP_CREATE,
        contract.CreateRelationship,
        contract.RelationshipReply,
        create,
        "Link two entities for the principal; 409 when the same link exists",
    )
    router.add(
        contract.RELATIONSHIP_LIST,
        contract.ListRelationships,
        contract.RelationshipList,
        list_links,
        "The principal's relationships, newest first, filtered by either end or type",
    )
    router.add(
        contract.RELATIONSHIP_GET,
        contract.RelationshipRef,
        contract.RelationshipReply,
        get,
        "One relationship; its owner's or an admin's only",
    )
    router.add(
        contract.RELATIONSHIP_DELETE,
        contract.RelationshipRef,
        contract.RelationshipDeleted,
        delete,
        "Delete a relationship (owner or admin)",
    )
    router.add(
        contract.RELATIONSHIP_GRAPH,
        contract.GraphQuery,
        contract.Graph,
        graph,
        "An entity and its neighbours to depth 2 over the principal's relationships",
    )


async def _asset_deleted(event: AssetDeleted, session: AsyncSession, _: RequestContext) -> None:
    await service.entity_deleted(session, contract.ASSET_ENTITY, event.asset_id)


# A deleted asset leaves no links behind (a deleted project's go in its own transaction).
CONSUMERS = [
    EventConsumer(
        durable="assets-relationships-asset-deleted",
        subject_filter=ASSET_DELETED_FILTER,
        event_type=AssetDeleted,
        effect=_asset_deleted,
    ),
]

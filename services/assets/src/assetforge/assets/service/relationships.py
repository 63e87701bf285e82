"""Relationships: links between any two entities, private to the user who made them
(admins reach all), and the neighbourhood of one entity as a graph."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.assets.repository.projects import ProjectRepository
from assetforge.assets.repository.relationships import (
    Entity,
    NewRelationship,
    RelationshipFilter,
    RelationshipRepository,
)
from assetforge.assets.service.projects import cut_page, decode_cursor, parse_uuid, signed_in
from assetforge.common.bus.context import Principal
from assetforge.common.contracts.projects import (
    ASSET_ENTITY,
    MAX_GRAPH_EDGES,
    PROJECT_ENTITY,
    CreateRelationship,
    Graph,
    GraphEdge,
    GraphNode,
    GraphQuery,
    ListRelationships,
    Relationship,
    RelationshipDeleted,
    RelationshipList,
    RelationshipReply,
)
from assetforge.common.db.repository import Executor
from assetforge.common.errors import Conflict, NotFound, ValidationFailed
from assetforge.common.ids import uuid7


def _scope(caller: Principal, owner_id: str | None) -> str | None:
    """Whose links a listing shows: the caller's own; an admin's choice with ``ownerId``.
    A member naming someone else sees nothing (their own links with that owner: none)."""
    if owner_id is None or owner_id == caller.user_id:
        return caller.user_id
    return owner_id if caller.is_admin else None


async def _check_end(db: Executor, caller: Principal, field: str, entity_type: str, entity_id: str) -> None:
    """An end that is a project or an asset of this service must be one the caller sees:
    no one links their graph to another user's private things."""
    if entity_type not in {ASSET_ENTITY, PROJECT_ENTITY}:
        return
    ident = parse_uuid(entity_id, field)
    projects = ProjectRepository(db)
    if entity_type == PROJECT_ENTITY:
        seen = await projects.get(ident, caller.user_id, admin=caller.is_admin) is not None
    else:
        seen = await projects.asset_visible(ident, caller.user_id, admin=caller.is_admin)
    if not seen:
        raise ValidationFailed.of(field, f"names no {entity_type} the caller can see")


async def create_relationship(
    session: AsyncSession, command: CreateRelationship, caller: Principal | None
) -> RelationshipReply:
    owner = signed_in(caller)
    if (command.source_type, command.source_id) == (command.target_type, command.target_id):
        raise ValidationFailed.of("targetId", "must differ from the source")
    await _check_end(session, owner, "sourceId", command.source_type, command.source_id)
    await _check_end(session, owner, "targetId", command.target_type, command.target_id)
    new = NewRelationship(
        id=uuid7(),
        owner_id=owner.user_id,
        source_type=command.source_type,
        source_id=command.source_id,
        target_type=command.target_type,
        target_id=command.target_id,
        relationship_type=command.relationship_type.value,
        strength=command.strength,
        metadata=command.metadata,
    )
    link = await RelationshipRepository(session).insert(new)
    if link is None:
        raise Conflict("this relationship already exists")
    return RelationshipReply(relationship=link)


async def list_relationships(db: Executor, query: ListRelationships, caller: Principal | None) -> RelationshipList:
    viewer = signed_in(caller)
    owner_id = _scope(viewer, query.owner_id)
    if owner_id is None:
        return RelationshipList(relationships=[], next_cursor=None)
    where = RelationshipFilter(
        owner_id=owner_id,
        source_type=query.source_type,
        source_id=query.source_id,
        target_type=query.target_type,
        target_id=query.target_id,
        relationship_type=query.type.value if query.type else None,
    )
    after = decode_cursor(query.cursor) if query.cursor else None
    rows = await RelationshipRepository(db).list_page(where, after, query.limit + 1)
    page, next_cursor = cut_page(rows, query.limit)
    return RelationshipList(relationships=page, next_cursor=next_cursor)


async def _own(db: Executor, link_id: str, caller: Principal) -> Relationship:
    owner = None if caller.is_admin else caller.user_id
    link = await RelationshipRepository(db).get(parse_uuid(link_id, "id"), owner)
    # Another user's link answers exactly like a missing one.
    if link is None:
        raise NotFound("relationship not found")
    return link


async def get_relationship(db: Executor, link_id: str, caller: Principal | None) -> RelationshipReply:
    return RelationshipReply(relationship=await _own(db, link_id, signed_in(caller)))


async def delete_relationship(session: AsyncSession, link_id: str, caller: Principal | None) -> RelationshipDeleted:
    link = await _own(session, link_id, signed_in(caller))
    await RelationshipRepository(session).delete(uuid.UUID(link.id))
    return RelationshipDeleted(id=link.id)


async def entity_deleted(session: AsyncSession, entity_type: str, entity_id: str) -> int:
    """An entity is gone: every user's links to and from it go too."""
    return await RelationshipRepository(session).delete_touching(entity_type, entity_id)


def _ends(link: Relationship) -> tuple[Entity, Entity]:
    return (link.source_type, link.source_id), (link.target_type, link.target_id)


def _edge(link: Relationship) -> GraphEdge:
    return GraphEdge(
        id=link.id,
        source=link.source_id,
        source_type=link.source_type,
        target=link.target_id,
        target_type=link.target_type,
        type=link.relationship_type,
        strength=link.strength,
    )


async def graph(db: Executor, query: GraphQuery, caller: Principal | None) -> Graph:
    """The entity, its neighbours and theirs (links followed both ways), in two queries:
    the links at the entity, then the links at its neighbours. A node is placed at the
    first depth it is reached, so a cycle adds an edge, never a walk; links beyond the
    second step are never read. At most MAX_GRAPH_EDGES links (``truncated`` says so)."""
    owner_id = _scope(signed_in(caller), query.owner_id)
    if owner_id is None:
        return Graph(nodes=[], edges=[], truncated=False)
    links = RelationshipRepository(db)
    first = await links.touching_id(query.entity_id, owner_id, MAX_GRAPH_EDGES + 1)
    truncated = len(first) > MAX_GRAPH_EDGES
    edges = {link.id: link for link in first[:MAX_GRAPH_EDGES]}
    depth: dict[Entity, int] = {}
    for link in edges.values():
        for end in _ends(link):
            if end[1] == query.entity_id:
                depth[end] = 0
    for link in edges.values():
        for end in _ends(link):
            depth.setdefault(end, 1)
    neighbours = [node for node, level in depth.items() if level == 1]
    if neighbours and not truncated:
        second = await links.touching_any(neighbours, owner_id, MAX_GRAPH_EDGES + 1)
        truncated = len(second) > MAX_GRAPH_EDGES
        for link in second:
            if link.id in edges:
                continue
            if len(edges) == MAX_GRAPH_EDGES:
                truncated = True
                break
            edges[link.id] = link
            for end in _ends(link):
                depth.setdefault(end, 2)
    nodes = [GraphNode(id=node[1], type=node[0], depth=level) for node, level in depth.items()]
    nodes.sort(key=lambda node: node.depth)
    return Graph(nodes=nodes, edges=[_edge(link) for link in edges.values()], truncated=truncated)

"""The assets service's projects and relationships on the bus: subjects, requests, replies
and events. Replies carry the original web frontend's wrappers (``{success, project}``,
``{success, projects}``), so the gateway passes their bytes through unchanged.

Projects are private to their owner; relationships too. The principal comes from the
message headers, never from the body.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import msgspec

from assetforge.common.contracts.assets import Asset

PROJECT_CREATE = "assets.v1.project.create"
PROJECT_LIST = "assets.v1.project.list"
PROJECT_GET = "assets.v1.project.get"
PROJECT_UPDATE = "assets.v1.project.update"
PROJECT_DELETE = "assets.v1.project.delete"
PROJECT_ARCHIVE = "assets.v1.project.archive"
PROJECT_RESTORE = "assets.v1.project.restore"
PROJECT_ASSETS = "assets.v1.project.assets"
PROJECT_STATS = "assets.v1.project.stats"

RELATIONSHIP_CREATE = "assets.v1.relationship.create"
RELATIONSHIP_LIST = "assets.v1.relationship.list"
RELATIONSHIP_GET = "assets.v1.relationship.get"
RELATIONSHIP_DELETE = "assets.v1.relationship.delete"
RELATIONSHIP_GRAPH = "assets.v1.relationship.graph"

# Lists default to their maximum, so a client that never pages (the original frontend)
# still gets everything up to the bound.
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 200
# The graph's bound: past this many links the reply is cut and says so (``truncated``).
MAX_GRAPH_EDGES = 500

NO_NUL = r"^[^\u0000]*$"
ProjectName = Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=NO_NUL)]
ProjectDescription = Annotated[str, msgspec.Meta(max_length=5000, pattern=NO_NUL)]
# Free-form objects, bounded in keys (the body limit bounds the rest).
JsonObject = Annotated[dict[str, Any], msgspec.Meta(max_length=100)]
PageSize = Annotated[int, msgspec.Meta(ge=1, le=MAX_PAGE_SIZE)]
Cursor = Annotated[str, msgspec.Meta(max_length=512, pattern=NO_NUL)]
OwnerId = Annotated[str, msgspec.Meta(min_length=1, max_length=128, pattern=NO_NUL)]
# Any kind of entity ("asset", "project", "npc", "quest", ...) and its id in its own service.
EntityType = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")]
EntityId = Annotated[str, msgspec.Meta(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")]
Strength = Annotated[float, msgspec.Meta(ge=0, le=1)]

# The kinds of entity this service holds itself: a link to one must name one the caller sees.
ASSET_ENTITY = "asset"
PROJECT_ENTITY = "project"


# Every event of every project.
PROJECT_EVENTS_FILTER = "evt.assets.project.*.*"


def project_event_subject(project_id: str, event: str) -> str:
    return f"evt.assets.project.{project_id}.{event}"


PROJECT_EVENTS = ("created", "updated", "archived", "restored", "deleted")


# --- projects ---------------------------------------------------------------------------


class Project(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    owner_id: str
    name: str
    description: str | None
    settings: dict[str, Any]
    metadata: dict[str, Any]
    # Derived from archivedAt; the original frontend reads the flag.
    is_archived: bool
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ProjectReply(msgspec.Struct, frozen=True, rename="camel"):
    project: Project
    success: bool = True


class ProjectList(msgspec.Struct, frozen=True, rename="camel"):
    projects: list[Project]
    # Pass back as ``cursor`` for the next page; null on the last page.
    next_cursor: str | None
    success: bool = True


class CreateProject(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    name: ProjectName
    description: ProjectDescription | None = None
    settings: JsonObject = msgspec.field(default_factory=dict)
    metadata: JsonObject = msgspec.field(default_factory=dict)


class ProjectChanges(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """A PATCH body: only the fields present change; ``description: null`` clears it;
    ``settings`` and ``metadata`` are replaced whole."""

    name: ProjectName | msgspec.UnsetType = msgspec.UNSET
    description: ProjectDescription | msgspec.UnsetType | None = msgspec.UNSET
    settings: JsonObject | msgspec.UnsetType = msgspec.UNSET
    metadata: JsonObject | msgspec.UnsetType = msgspec.UNSET


class UpdateProject(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    changes: ProjectChanges


class ListProjects(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """The caller's projects, newest first; an admin may name another owner."""

    limit: PageSize = DEFAULT_PAGE_SIZE
    cursor: Cursor | None = None
    include_archived: bool = False
    owner_id: OwnerId | None = None


class ProjectRef(msgspec.Struct, frozen=True, rename="camel"):
    """One project by id: get, delete, archive, restore, stats."""

    id: str


class ListProjectAssets(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    id: str
    limit: PageSize = DEFAULT_PAGE_SIZE
    cursor: Cursor | None = None


class ProjectAssets(msgspec.Struct, frozen=True, rename="camel", gc=False):
    assets: list[Asset]
    next_cursor: str | None
    success: bool = True


class ProjectStats(msgspec.Struct, frozen=True, rename="camel"):
    # Counted over the project's assets the caller may see (as its asset listing shows).
    asset_count: int
    assets_by_type: dict[str, int]
    # The sum of the sizes the catalog knows of the assets' files; 0 when none is known.
    total_size_bytes: int
    # The latest change to the project or any of those assets.
    last_modified_at: datetime
    success: bool = True


class ProjectDeleted(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    # How many assets left the project (they are kept, with no project).
    unassigned_assets: int
    success: bool = True


class ProjectEvent(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """Event ``evt.assets.project.<id>.<created|updated|archived|restored|deleted>``."""

    project_id: str
    owner_id: str
    name: str
    is_archived: bool
    occurred_at: datetime
    # Deleted only: how many assets now have no project.
    unassigned_assets: int | None = None


# --- relationships ----------------------------------------------------------------------


class RelationshipType(StrEnum):
    MENTIONS = "mentions"
    REQUIRES = "requires"
    LOCATED_IN = "located_in"
    GIVES_QUEST = "gives_quest"
    ENEMY_OF = "enemy_of"
    ALLY_OF = "ally_of"
    PLAYS_IN = "plays_in"
    THEME_FOR = "theme_for"
    RELATED_TO = "related_to"
    PART_OF = "part_of"
    PREREQUISITE_FOR = "prerequisite_for"


class Relationship(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    owner_id: str
    source_type: str
    source_id: str
    target_type: str
    target_id: str
    relationship_type: RelationshipType
    strength: float
    metadata: dict[str, Any]
    created_at: datetime


class RelationshipReply(msgspec.Struct, frozen=True, rename="camel"):
    relationship: Relationship
    success: bool = True


class RelationshipList(msgspec.Struct, frozen=True, rename="camel"):
    relationships: list[Relationship]
    next_cursor: str | None
    success: bool = True


class CreateRelationship(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    source_type: EntityType
    source_id: EntityId
    target_type: EntityType
    target_id: EntityId
    relationship_type: RelationshipType
    strength: Strength = 0.5
    metadata: JsonObject = msgspec.field(default_factory=dict)


class ListRelationships(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """The caller's relationships, newest first, filtered; an admin may name another owner."""

    limit: PageSize = DEFAULT_PAGE_SIZE
    cursor: Cursor | None = None
    source_type: EntityType | None = None
    source_id: EntityId | None = None
    target_type: EntityType | None = None
    target_id: EntityId | None = None
    type: RelationshipType | None = None
    owner_id: OwnerId | None = None


class RelationshipRef(msgspec.Struct, frozen=True, rename="camel"):
    id: str


class RelationshipDeleted(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    success: bool = True


class GraphQuery(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    entity_id: EntityId
    owner_id: OwnerId | None = None


class GraphNode(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    type: str
    # Links from the entity asked about: 0 for it, 1 for its neighbours, 2 for theirs.
    depth: int


class GraphEdge(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    source: str
    source_type: str
    target: str
    target_type: str
    type: RelationshipType
    strength: float


class Graph(msgspec.Struct, frozen=True, rename="camel"):
    """An entity and everything within two links of it, in either direction."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]
    # True when the neighbourhood had more than MAX_GRAPH_EDGES links and was cut.
    truncated: bool

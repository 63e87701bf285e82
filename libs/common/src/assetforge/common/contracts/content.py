"""Game content: NPCs, quests, dialogue trees, lore entries and world outlines, and the
requests that ask the generation service to write them.

The entities keep the original web frontend's camelCase shapes, so the gateway can pass
their bytes through and a catalog can store them as they are; every string and list is
bounded and refuses NUL, since a language model writes them and a database keeps them.
Requests are tagged by ``kind`` (``npc``, ``quest``, ``dialogue``, ``lore``, ``world``) so
one bus subject, job row and completed event carries any of them; the untagged
``...Fields`` are the HTTP bodies (:func:`tagged` makes one a bus request).
:class:`ContentContext` is what a world config contributes: its tone, races and factions.
``content_schema`` derives the JSON Schemas a model answers in and checks dialogues.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import msgspec

from assetforge.common.contracts.worlds import WorldConfig

MAX_TRAITS = 10
MAX_OBJECTIVES = 10
MAX_NODES = 50
MAX_RESPONSES = 6
MAX_LIST = 20  # an NPC's lines, a quest's reward items, related topics, each section of a world outline
MAX_NPC_IDS = 10
MAX_CONTEXT_NAMES = 100  # a world config's races or factions

_NO_NUL = r"^[^\u0000]*$"
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=128, pattern=_NO_NUL)]
Prompt = Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=_NO_NUL)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=_NO_NUL)]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=_NO_NUL)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=_NO_NUL)]
LongText = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000, pattern=_NO_NUL)]
Url = Annotated[str, msgspec.Meta(min_length=1, max_length=2048, pattern=_NO_NUL)]
Amount = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]


class ContentKind(StrEnum):
    NPC = "npc"
    QUEST = "quest"
    DIALOGUE = "dialogue"
    LORE = "lore"
    WORLD = "world"


class ObjectiveType(StrEnum):
    KILL = "kill"
    COLLECT = "collect"
    DELIVER = "deliver"
    ESCORT = "escort"
    EXPLORE = "explore"
    TALK = "talk"
    CRAFT = "craft"
    DEFEND = "defend"


class LoreCategory(StrEnum):
    HISTORY = "history"
    RELIGION = "religion"
    GEOGRAPHY = "geography"
    CULTURE = "culture"
    MAGIC = "magic"
    CREATURE = "creature"
    ARTIFACT = "artifact"
    FACTION = "faction"
    LEGEND = "legend"


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"
    EPIC = "epic"


class Alignment(StrEnum):  # as a world config's factions have it
    GOOD = "good"
    NEUTRAL = "neutral"
    EVIL = "evil"


# NPCs
class Personality(msgspec.Struct, frozen=True, rename="camel"):
    traits: Annotated[list[Label], msgspec.Meta(min_length=1, max_length=MAX_TRAITS)]
    background: Text


class NpcDialogue(msgspec.Struct, frozen=True, rename="camel"):
    greeting: Text
    farewell: Text
    lines: Annotated[list[Text], msgspec.Meta(max_length=MAX_LIST)]


class Npc(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    id: Id
    name: Title
    archetype: Label
    personality: Personality
    appearance: Text
    dialogue: NpcDialogue
    behavior: Text
    voice_id: Id | None = None
    portrait_url: Url | None = None


# Quests
class Objective(msgspec.Struct, frozen=True, rename="camel"):
    description: Text
    type: ObjectiveType
    target: Label
    count: Annotated[int, msgspec.Meta(ge=1, le=1000)]


class Rewards(msgspec.Struct, frozen=True, rename="camel"):
    experience: Amount
    gold: Amount
    items: Annotated[list[Label], msgspec.Meta(max_length=MAX_LIST)]


class Quest(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    id: Id
    title: Title
    description: Text
    objectives: Annotated[list[Objective], msgspec.Meta(min_length=1, max_length=MAX_OBJECTIVES)]
    rewards: Rewards
    giver_npc_id: Id | None = None


# Dialogue trees
class Response(msgspec.Struct, frozen=True, rename="camel"):
    """A choice at a node; a null ``nextNodeId`` ends the conversation (it is always sent)."""

    text: Text
    next_node_id: Annotated[Id, msgspec.Meta(description="the node this choice leads to")] | None


class DialogueNode(msgspec.Struct, frozen=True, rename="camel"):
    id: Id
    speaker: Label
    text: Text
    responses: Annotated[list[Response], msgspec.Meta(max_length=MAX_RESPONSES)]


class Dialogue(msgspec.Struct, frozen=True, rename="camel"):
    """A conversation as a graph of nodes; ``content_schema.validate_dialogue`` checks it."""

    id: Id
    nodes: Annotated[list[DialogueNode], msgspec.Meta(min_length=1, max_length=MAX_NODES)]
    root_node_id: Annotated[Id, msgspec.Meta(description="the node the conversation starts at")]


class Lore(msgspec.Struct, frozen=True, rename="camel"):
    id: Id
    title: Title
    category: LoreCategory
    content: LongText
    summary: Text
    related_topics: Annotated[list[Label], msgspec.Meta(max_length=MAX_LIST)]


# World outlines
class Region(msgspec.Struct, frozen=True, rename="camel"):
    name: Title
    description: Text
    climate: Label


class Faction(msgspec.Struct, frozen=True, rename="camel"):
    name: Title
    description: Text
    alignment: Alignment


class Race(msgspec.Struct, frozen=True, rename="camel"):
    name: Title
    description: Text
    traits: Annotated[list[Label], msgspec.Meta(max_length=MAX_TRAITS)]


class Era(msgspec.Struct, frozen=True, rename="camel"):
    era: Title
    summary: Text


class WorldOutline(msgspec.Struct, frozen=True, rename="camel"):
    """The start of a world config, written from a prompt: it has no id of its own."""

    name: Title
    description: Text
    tone: Label
    regions: Annotated[list[Region], msgspec.Meta(min_length=1, max_length=MAX_LIST)]
    factions: Annotated[list[Faction], msgspec.Meta(max_length=MAX_LIST)]
    races: Annotated[list[Race], msgspec.Meta(max_length=MAX_LIST)]
    history: Annotated[list[Era], msgspec.Meta(max_length=MAX_LIST)]


Entity = Npc | Quest | Dialogue | Lore | WorldOutline
ENTITY_TYPES: dict[ContentKind, type[Entity]] = {
    ContentKind.NPC: Npc,
    ContentKind.QUEST: Quest,
    ContentKind.DIALOGUE: Dialogue,
    ContentKind.LORE: Lore,
    ContentKind.WORLD: WorldOutline,
}


# Requests: the HTTP bodies, and the same tagged by kind for the bus.
class GenerateNpcFields(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    prompt: Prompt
    archetype: Label | None = None
    world_config_id: Id | None = None


class GenerateQuestFields(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    prompt: Prompt
    difficulty: Difficulty | None = None
    npc_id: Id | None = None  # the quest giver


class GenerateDialogueFields(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    prompt: Prompt
    npc_name: Title | None = None
    npc_personality: Text | None = None
    npc_ids: Annotated[list[Id], msgspec.Meta(max_length=MAX_NPC_IDS)] = msgspec.field(default_factory=list)


class GenerateLoreFields(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    prompt: Prompt
    category: LoreCategory | None = None
    npc_id: Id | None = None  # the NPC who tells it


class GenerateWorldFields(msgspec.Struct, frozen=True, rename="camel"):
    prompt: Prompt


class GenerateNpc(GenerateNpcFields, frozen=True, tag="npc", tag_field="kind"):
    pass


class GenerateQuest(GenerateQuestFields, frozen=True, tag="quest", tag_field="kind"):
    pass


class GenerateDialogue(GenerateDialogueFields, frozen=True, tag="dialogue", tag_field="kind"):
    pass


class GenerateLore(GenerateLoreFields, frozen=True, tag="lore", tag_field="kind"):
    pass


class GenerateWorld(GenerateWorldFields, frozen=True, tag="world", tag_field="kind"):
    pass


ContentRequest = GenerateNpc | GenerateQuest | GenerateDialogue | GenerateLore | GenerateWorld
ContentFields = (
    GenerateNpcFields | GenerateQuestFields | GenerateDialogueFields | GenerateLoreFields | GenerateWorldFields
)
_TAGGED: dict[type[ContentFields], type[ContentRequest]] = {
    GenerateNpcFields: GenerateNpc,
    GenerateQuestFields: GenerateQuest,
    GenerateDialogueFields: GenerateDialogue,
    GenerateLoreFields: GenerateLore,
    GenerateWorldFields: GenerateWorld,
}


def tagged(fields: ContentFields) -> ContentRequest:
    """The bus request of an HTTP body (a request already tagged is returned as it is)."""
    if isinstance(fields, ContentRequest):
        return fields
    return _TAGGED[type(fields)](**msgspec.structs.asdict(fields))


class ContentContext(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """What a world config contributes to a request: its tone and the names of its races
    and factions. The empty context (no world config) is ``ContentContext()``."""

    tone: Label | None = None
    races: Annotated[list[Title], msgspec.Meta(max_length=MAX_CONTEXT_NAMES)] = msgspec.field(default_factory=list)
    factions: Annotated[list[Title], msgspec.Meta(max_length=MAX_CONTEXT_NAMES)] = msgspec.field(default_factory=list)


def _names(members: list[dict[str, Any]]) -> list[str]:
    names = (member.get("name") for member in members)
    kept = [name.strip()[:200] for name in names if isinstance(name, str) and name.strip() and "\x00" not in name]
    return list(dict.fromkeys(kept))[:MAX_CONTEXT_NAMES]


def context_of(config: WorldConfig) -> ContentContext:
    """The context of a world config: members without a usable name are left out."""
    tone = config.tone.strip()[:100] if config.tone and "\x00" not in config.tone else None
    return ContentContext(tone=tone or None, races=_names(config.races), factions=_names(config.factions))

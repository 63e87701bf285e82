"""The offline content writer, on its own (no service uses it yet). What a caller relies
on: every entity decodes against its Struct's bounds, the same request gives the same
entity and twenty prompts twenty different ones, the prompt's words and a world config's
context show in what is written, every dialogue is a sound graph, and what is written is
what the JSON Schema a model answers in accepts (tests/common checks the schemas' rules).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from typing import Any

import jsonschema
import msgspec
import pytest

from assetforge.common.contracts.content import (
    ENTITY_TYPES,
    ContentContext,
    ContentKind,
    Dialogue,
    Difficulty,
    Entity,
    GenerateDialogueFields,
    GenerateLoreFields,
    GenerateNpc,
    GenerateNpcFields,
    GenerateQuestFields,
    GenerateWorld,
    GenerateWorldFields,
    LoreCategory,
    tagged,
)
from assetforge.common.contracts.content_schema import entity_of, json_schema, validate_dialogue
from assetforge.generation.offline.content import write_dialogue, write_lore, write_npc, write_quest, write_world

PROMPTS = [
    "a grumpy dwarven blacksmith",
    "a cheerful elven bard who sings of lost kingdoms",
    "an old fisherman haunted by the sea",
    "a suspicious guard at the city gate",
    "a greedy merchant selling cursed trinkets",
    "a wise druid protecting the ancient forest",
    "a nervous alchemist whose potions keep exploding",
    "a retired knight who lost his sword in a bet",
    "a secretive thief hiding in the sewers of Karsk",
    "an ambitious noble plotting against the crown",
    "a gentle healer in a plague-stricken village",
    "a reckless pirate captain searching for treasure",
    "a pious priest of the sun temple",
    "a stubborn farmer whose fields are haunted",
    "a witty innkeeper who knows every rumour",
    "a fierce orc mercenary seeking redemption",
    "a shy librarian guarding forbidden books",
    "a calm monk atop the misty mountain",
    "a boastful hunter who claims to have slain a dragon",
    "an eccentric cartographer mapping the underdark",
]
CONTEXT = ContentContext(
    tone="grim", races=["Mountain Dwarves", "Sky Elves"], factions=["The Silver Order", "Ashen Guild"]
)
LONG_CONTEXT = ContentContext(tone="t" * 100, races=["R" * 200], factions=["F" * 200])
WRITERS: dict[ContentKind, Callable[[str, ContentContext | None], Entity]] = {
    ContentKind.NPC: lambda prompt, context: write_npc(GenerateNpcFields(prompt=prompt), context),
    ContentKind.QUEST: lambda prompt, context: write_quest(GenerateQuestFields(prompt=prompt), context),
    ContentKind.DIALOGUE: lambda prompt, context: write_dialogue(GenerateDialogueFields(prompt=prompt), context),
    ContentKind.LORE: lambda prompt, context: write_lore(GenerateLoreFields(prompt=prompt), context),
    ContentKind.WORLD: lambda prompt, _context: write_world(GenerateWorldFields(prompt=prompt)),
}
ODD_PROMPTS = ["!!!", "x", "a" * 2000, "Ünïcødé ☃ named Ødo", "a\x00nul named Zed\x00", "A B C D E F G H I J"]


def round_trip(entity: Entity) -> Entity:
    return msgspec.json.decode(msgspec.json.encode(entity), type=type(entity))


def heading(entity: Entity) -> str:
    """What tells two entities apart at a glance: a name, a title, a dialogue's lines."""
    if isinstance(entity, Dialogue):
        return " / ".join(node.text for node in entity.nodes)
    return getattr(entity, "name", None) or getattr(entity, "title", "")


def all_text(entity: Entity) -> str:
    return msgspec.json.encode(entity).decode()


def random_prompts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    vocabulary = [*" ".join(PROMPTS).split(), "Ravenholm", "bandits", "dragon", "caravan", "named", "Mira", "epic"]
    return [" ".join(rng.choices(vocabulary, k=rng.randint(1, 12))) for _ in range(count)]


# Every kind: valid, deterministic, varied.
@pytest.mark.parametrize("kind", list(ContentKind))
@pytest.mark.parametrize("context", [None, CONTEXT, LONG_CONTEXT], ids=["no-context", "context", "long-context"])
def test_entities_decode_against_their_bounds(kind: ContentKind, context: ContentContext | None) -> None:
    for prompt in PROMPTS + ODD_PROMPTS:
        entity = WRITERS[kind](prompt, context)
        assert isinstance(entity, ENTITY_TYPES[kind])
        assert round_trip(entity) == entity, prompt


@pytest.mark.parametrize("kind", list(ContentKind))
def test_the_same_prompt_writes_the_same_entity(kind: ContentKind) -> None:
    for prompt in PROMPTS[:5]:
        assert WRITERS[kind](prompt, CONTEXT) == WRITERS[kind](prompt, CONTEXT)
        assert WRITERS[kind](prompt, None) == WRITERS[kind](prompt, None)


@pytest.mark.parametrize("kind", list(ContentKind))
def test_twenty_prompts_write_varied_entities(kind: ContentKind) -> None:
    entities = [WRITERS[kind](prompt, None) for prompt in PROMPTS]
    assert len({heading(entity) for entity in entities}) >= 15
    assert len({all_text(entity) for entity in entities}) == 20
    if kind is not ContentKind.WORLD:  # a world outline has no id
        assert len({getattr(entity, "id", None) for entity in entities}) == 20


def test_ids_are_uuid5s_of_the_prompt_and_the_kind() -> None:
    entities = [WRITERS[kind](PROMPTS[0], None) for kind in ContentKind if kind is not ContentKind.WORLD]
    ids = [uuid.UUID(getattr(entity, "id", "")) for entity in entities]
    assert all(value.version == 5 for value in ids)
    assert len(set(ids)) == len(ids)


def test_tagged_requests_write_what_their_bodies_write() -> None:
    body = GenerateNpcFields(prompt=PROMPTS[0], archetype="guard")
    request = tagged(body)
    assert isinstance(request, GenerateNpc)
    assert write_npc(request) == write_npc(body)
    assert tagged(request) is request
    assert isinstance(tagged(GenerateWorldFields(prompt="x")), GenerateWorld)


# NPCs
def test_an_npc_uses_the_words_of_its_prompt() -> None:
    npc = write_npc(GenerateNpcFields(prompt="a grumpy dwarven blacksmith named Borin from Millbrook"))
    assert npc.archetype == "blacksmith"
    assert npc.personality.traits[0] == "grumpy"
    assert "dwarf" in npc.appearance
    assert npc.name == "Borin"
    assert "Millbrook" in all_text(npc)
    assert write_npc(GenerateNpcFields(prompt="a grumpy dwarven blacksmith", archetype="guard")).archetype == "guard"
    assert npc.voice_id is None
    assert "voiceId" not in msgspec.to_builtins(npc)


def test_an_npc_is_of_the_context() -> None:
    npc = write_npc(GenerateNpcFields(prompt="a grumpy dwarven blacksmith"), CONTEXT)
    assert "Mountain Dwarves" in npc.appearance
    assert "Sky Elves" in write_npc(GenerateNpcFields(prompt="an elven archer"), CONTEXT).appearance
    for prompt in PROMPTS:
        npc = write_npc(GenerateNpcFields(prompt=prompt), CONTEXT)
        assert any(race in npc.appearance for race in CONTEXT.races)
        assert any(faction.removeprefix("The ") in npc.personality.background for faction in CONTEXT.factions)
        assert "grim" in npc.personality.background
    assert "Ashen Guild" in write_npc(GenerateNpcFields(prompt="an ashen smuggler"), CONTEXT).personality.background


# Quests
def test_a_quest_uses_the_words_of_its_prompt_and_its_giver() -> None:
    giver = write_npc(GenerateNpcFields(prompt="a worried farmer"))
    quest = write_quest(GenerateQuestFields(prompt="slay the wolves near Millbrook"), CONTEXT, giver)
    assert quest.objectives[0].type == "kill"
    assert quest.objectives[0].target == "wolves"
    assert "Millbrook" in quest.description
    assert giver.name in quest.description
    assert quest.giver_npc_id == giver.id
    assert any(faction.removeprefix("The ") in quest.description for faction in CONTEXT.factions)
    assert write_quest(GenerateQuestFields(prompt="x", npc_id="npc-7")).giver_npc_id == "npc-7"
    assert write_quest(GenerateQuestFields(prompt="x")).giver_npc_id is None


def test_a_quest_has_one_to_four_objectives() -> None:
    for prompt in random_prompts(50, seed=3):
        for difficulty in Difficulty:
            quest = write_quest(GenerateQuestFields(prompt=prompt, difficulty=difficulty))
            assert 1 <= len(quest.objectives) <= 4
            assert len({objective.type for objective in quest.objectives}) == len(quest.objectives)


def test_rewards_scale_with_difficulty() -> None:
    for prompt in PROMPTS:
        quests = [write_quest(GenerateQuestFields(prompt=prompt, difficulty=level)) for level in Difficulty]
        experience = [quest.rewards.experience for quest in quests]
        gold = [quest.rewards.gold for quest in quests]
        assert experience == sorted(set(experience))  # rising, and no two alike
        assert gold == sorted(set(gold))
        assert len(quests[-1].rewards.items) >= 2
    assert write_quest(GenerateQuestFields(prompt="an epic hunt")).rewards.experience >= 2000


# Dialogues
def check_dialogue(dialogue: Dialogue, npc: str) -> None:
    assert validate_dialogue(dialogue) == []
    assert 4 <= len(dialogue.nodes) <= 8
    speakers = {node.id: node.speaker for node in dialogue.nodes}
    assert set(speakers.values()) == {npc, "Player"}
    assert speakers[dialogue.root_node_id] == npc
    for node in dialogue.nodes:
        assert len(node.responses) <= 3
        for response in node.responses:
            if response.next_node_id is not None:
                assert speakers[response.next_node_id] != node.speaker  # speakers alternate


def test_dialogues_are_sound_graphs() -> None:
    sizes = set()
    for prompt in random_prompts(50, seed=11):
        dialogue = write_dialogue(GenerateDialogueFields(prompt=prompt))
        check_dialogue(dialogue, "NPC")
        sizes.add(len(dialogue.nodes))
        named = write_dialogue(GenerateDialogueFields(prompt=prompt, npc_name="Hilda", npc_personality="grumpy"))
        check_dialogue(named, "Hilda")
    assert sizes == {4, 5, 6, 7, 8}
    check_dialogue(write_dialogue(GenerateDialogueFields(prompt="x", npc_name="Player")), "NPC")


def test_a_dialogue_uses_its_prompt_its_npc_and_the_context() -> None:
    request = GenerateDialogueFields(
        prompt="a merchant worried about bandits", npc_name="Hilda", npc_personality="grumpy"
    )
    dialogue = write_dialogue(request, CONTEXT)
    text = all_text(dialogue)
    assert "bandits" in text
    assert any(faction.removeprefix("The ") in text for faction in CONTEXT.factions)
    assert dialogue.nodes[0].speaker == "Hilda"
    assert write_dialogue(request, CONTEXT) == dialogue
    assert "NPC" not in write_dialogue(GenerateDialogueFields(prompt="a merchant")).nodes[0].text


# Lore
def test_lore_uses_its_prompt_and_the_context() -> None:
    lore = write_lore(GenerateLoreFields(prompt="the legend of Kaelthas and the crystal tower"), CONTEXT)
    assert lore.category == "legend"
    assert "Kaelthas" in lore.title
    assert "tower" in lore.content
    assert "grim" in lore.summary
    assert "The Silver Order" in lore.related_topics or "Ashen Guild" in lore.related_topics
    assert "Silver Order" in lore.content or "Ashen Guild" in lore.content
    assert len(lore.content.split("\n\n")) == 3
    asked = write_lore(GenerateLoreFields(prompt="the legend of Kaelthas", category=LoreCategory.MAGIC))
    assert asked.category == "magic"
    assert write_lore(GenerateLoreFields(prompt="the temple of the moon")).category == "religion"


# World outlines
def test_a_world_uses_its_prompt() -> None:
    world = write_world(
        GenerateWorldFields(prompt="a grim world called Eldmoor of deserts and islands with elves and orcs")
    )
    assert world.name == "Eldmoor"
    assert world.tone == "grim"
    assert [region.climate for region in world.regions[:2]] == ["arid", "maritime"]
    assert [race.name for race in world.races[:2]] == ["Elves", "Orcs"]


def test_worlds_have_every_section() -> None:
    for prompt in PROMPTS:
        world = write_world(GenerateWorldFields(prompt=prompt))
        assert 3 <= len(world.regions) <= 6
        assert 2 <= len(world.factions) <= 5
        assert {"good", "evil"} <= {faction.alignment for faction in world.factions}
        assert 2 <= len(world.races) <= 5
        assert 3 <= len(world.history) <= 5
        assert world.history[-1].summary.startswith("Today")
        assert len({region.name for region in world.regions}) == len(world.regions)


# The JSON Schemas a model answers in (their strict-mode rules are checked in tests/common).
def as_answered(value: Any, schema: dict[str, Any]) -> Any:
    """An entity as a model answers it: every property present, null for an absent one."""
    if isinstance(value, dict):
        return {name: as_answered(value.get(name), sub) for name, sub in schema["properties"].items()}
    if isinstance(value, list):
        return [as_answered(item, schema["items"]) for item in value]
    return value


@pytest.mark.parametrize("kind", list(ContentKind))
def test_written_entities_validate_against_their_schema(kind: ContentKind) -> None:
    schema = json_schema(kind)
    validator = jsonschema.Draft202012Validator(schema)
    for prompt in PROMPTS:
        entity = WRITERS[kind](prompt, CONTEXT)
        answered = as_answered(msgspec.to_builtins(entity), schema)
        validator.validate(answered)
        assert entity_of(kind, answered, getattr(entity, "id", None)) == entity
    assert not validator.is_valid(answered | {"extra": 1})
    assert not validator.is_valid({key: value for key, value in answered.items() if key != next(iter(answered))})


def test_entity_of_enforces_the_bounds() -> None:
    answered = as_answered(msgspec.to_builtins(write_npc(GenerateNpcFields(prompt="x"))), json_schema("npc"))
    with pytest.raises(msgspec.ValidationError, match="name"):
        entity_of("npc", answered | {"name": ""}, "id-1")

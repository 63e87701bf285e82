"""The content contracts on their own: entities keep the original frontend's shapes, requests
decode from the bus by kind and refuse what breaks their bounds, dialogues are checked as
graphs, and the JSON Schemas a model answers in obey OpenAI's strict mode. What the offline
writer writes is checked against them in tests/generation/test_offline_content.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import jsonschema
import msgspec
import pytest

from assetforge.common.contracts.content import (
    ENTITY_TYPES,
    ContentContext,
    ContentKind,
    ContentRequest,
    Dialogue,
    DialogueNode,
    GenerateDialogue,
    GenerateNpcFields,
    GenerateWorld,
    ObjectiveType,
    Response,
    context_of,
    tagged,
)
from assetforge.common.contracts.content_schema import json_schema, response_format, validate_dialogue
from assetforge.common.contracts.worlds import WorldConfig

# One of each entity, as the original web frontend sends and reads it.
SHAPES: dict[ContentKind, dict[str, Any]] = {
    ContentKind.NPC: {
        "id": "n1",
        "name": "Borin",
        "archetype": "blacksmith",
        "personality": {"traits": ["grumpy"], "background": "Born under the mountain."},
        "appearance": "Stout.",
        "dialogue": {"greeting": "What?", "farewell": "Off with you.", "lines": ["Mind the forge."]},
        "behavior": "Works all night.",
        "voiceId": "v1",
        "portraitUrl": "https://example.com/borin.png",
    },
    ContentKind.QUEST: {
        "id": "q1",
        "title": "The Lost Hammer",
        "description": "Find it.",
        "objectives": [{"description": "Slay 3 wolves.", "type": "kill", "target": "wolves", "count": 3}],
        "rewards": {"experience": 100, "gold": 25, "items": ["Hammer"]},
        "giverNpcId": "n1",
    },
    ContentKind.DIALOGUE: {
        "id": "d1",
        "nodes": [
            {"id": "a", "speaker": "Borin", "text": "What?", "responses": [{"text": "Bye.", "nextNodeId": None}]}
        ],
        "rootNodeId": "a",
    },
    ContentKind.LORE: {
        "id": "l1",
        "title": "The Forge",
        "category": "artifact",
        "content": "Long ago...",
        "summary": "A forge.",
        "relatedTopics": ["Dwarves"],
    },
    ContentKind.WORLD: {
        "name": "Aeloria",
        "description": "A world.",
        "tone": "dark",
        "regions": [{"name": "The Peaks", "description": "High.", "climate": "alpine"}],
        "factions": [{"name": "The Order", "description": "Good folk.", "alignment": "good"}],
        "races": [{"name": "Dwarves", "description": "Stout.", "traits": ["stubborn"]}],
        "history": [{"era": "The Age of Iron", "summary": "Forges were lit."}],
    },
}


@pytest.mark.parametrize("kind", list(ContentKind))
def test_entities_keep_the_frontend_shapes(kind: ContentKind) -> None:
    entity = msgspec.convert(SHAPES[kind], type=ENTITY_TYPES[kind])
    assert msgspec.json.decode(msgspec.json.encode(entity)) == SHAPES[kind]
    assert list(msgspec.to_builtins(entity)) == list(SHAPES[kind])


def test_entities_refuse_what_breaks_their_bounds() -> None:
    npc, quest, lore = SHAPES[ContentKind.NPC], SHAPES[ContentKind.QUEST], SHAPES[ContentKind.LORE]
    objective = quest["objectives"][0]
    for kind, broken in [
        (ContentKind.NPC, npc | {"name": ""}),
        (ContentKind.NPC, npc | {"name": "a\x00b"}),
        (ContentKind.NPC, npc | {"personality": {"traits": [], "background": "x"}}),
        (ContentKind.QUEST, quest | {"objectives": []}),
        (ContentKind.QUEST, quest | {"objectives": [objective | {"type": "dance"}]}),
        (ContentKind.QUEST, quest | {"objectives": [objective | {"count": 0}]}),
        (ContentKind.QUEST, quest | {"rewards": {"experience": -1, "gold": 0, "items": []}}),
        (ContentKind.LORE, lore | {"category": "gossip"}),
        (ContentKind.LORE, lore | {"content": "x" * 20_001}),
        (ContentKind.DIALOGUE, SHAPES[ContentKind.DIALOGUE] | {"nodes": []}),
    ]:
        with pytest.raises(msgspec.ValidationError):
            msgspec.convert(broken, type=ENTITY_TYPES[kind])
    optional = msgspec.convert(
        {key: value for key, value in npc.items() if key not in ("voiceId", "portraitUrl")},
        type=ENTITY_TYPES[ContentKind.NPC],
    )
    assert "voiceId" not in msgspec.to_builtins(optional)
    assert msgspec.json.encode(Response("Bye.", None)) == b'{"text":"Bye.","nextNodeId":null}'


def test_requests_decode_from_the_bus_by_kind() -> None:
    decoded = msgspec.json.decode(b'{"kind":"dialogue","prompt":"hi","npcIds":["a"]}', type=ContentRequest)
    assert decoded == GenerateDialogue(prompt="hi", npc_ids=["a"])
    assert msgspec.json.encode(GenerateWorld(prompt="hi")) == b'{"kind":"world","prompt":"hi"}'
    assert msgspec.json.encode(tagged(GenerateNpcFields(prompt="hi"))) == b'{"kind":"npc","prompt":"hi"}'
    for body in (
        b'{"kind":"npc","prompt":""}',
        b'{"kind":"npc","prompt":"a\\u0000b"}',
        b'{"kind":"quest","prompt":"hi","difficulty":"trivial"}',
        b'{"kind":"lore","prompt":"hi","category":"gossip"}',
        b'{"kind":"dialogue","prompt":"hi","npcIds":["1","2","3","4","5","6","7","8","9","10","11"]}',
        b'{"kind":"song","prompt":"hi"}',
        b'{"kind":"world","prompt":"' + b"x" * 2001 + b'"}',
    ):
        with pytest.raises(msgspec.ValidationError):
            msgspec.json.decode(body, type=ContentRequest)


def test_validate_dialogue_names_each_problem() -> None:
    def node(node_id: str, *targets: str | None) -> DialogueNode:
        return DialogueNode(node_id, "NPC", "Hello.", [Response("Go.", target) for target in targets])

    assert validate_dialogue(Dialogue("d", [node("a", "b", None), node("b", "a")], "a")) == []
    assert validate_dialogue(Dialogue("d", [node("a")], "z")) == ["the root 'z' is not a node"]
    problems = validate_dialogue(Dialogue("d", [node("a", "b", "q"), node("b"), node("b"), node("c")], "a"))
    assert problems == [
        "node ids are used more than once: b",
        "response 1 of node 'a' leads to 'q', which is not a node",
        "nodes the root does not lead to: c",
    ]


def check_strict(schema: Any, path: str = "$") -> None:
    """OpenAI's strict mode: no references, closed objects that require every property, and
    none of the keywords it does not take."""
    if isinstance(schema, list):
        for index, item in enumerate(schema):
            check_strict(item, f"{path}[{index}]")
        return
    if not isinstance(schema, dict):
        return
    assert not {"$ref", "$defs", "minLength", "maxLength", "pattern", "default", "title"} & set(schema), path
    if schema.get("type") == "object" or "properties" in schema:
        assert schema["additionalProperties"] is False, path
        assert schema["required"] == list(schema["properties"]), path
        for name, sub in schema["properties"].items():
            check_strict(sub, f"{path}.{name}")
    for key in ("items", "anyOf"):
        if key in schema:
            check_strict(schema[key], f"{path}.{key}")


@pytest.mark.parametrize("kind", list(ContentKind))
def test_json_schemas_obey_strict_mode(kind: ContentKind) -> None:
    schema = json_schema(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    check_strict(schema)
    assert schema["type"] == "object"
    assert "id" not in schema["properties"]
    assert response_format(kind) == {
        "type": "json_schema",
        "json_schema": {"name": kind.value, "strict": True, "schema": schema},
    }
    answered = {key: value for key, value in SHAPES[kind].items() if key != "id"}
    jsonschema.validate(answered, schema)
    assert not jsonschema.Draft202012Validator(schema).is_valid(answered | {"extra": 1})


def test_optional_fields_are_nullable_and_enums_are_listed() -> None:
    npc = json_schema("npc")["properties"]
    assert npc["voiceId"]["type"] == ["string", "null"]
    assert npc["portraitUrl"]["type"] == ["string", "null"]
    traits = {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 10}
    assert npc["personality"]["properties"]["traits"] == traits
    objective = json_schema("quest")["properties"]["objectives"]["items"]["properties"]
    assert sorted(objective["type"]["enum"]) == sorted(ObjectiveType)
    assert objective["type"]["type"] == "string"
    response = json_schema("dialogue")["properties"]["nodes"]["items"]["properties"]["responses"]["items"]
    assert response["properties"]["nextNodeId"]["type"] == ["string", "null"]
    with pytest.raises(ValueError, match="item"):
        json_schema("item")


def test_the_context_of_a_world_config() -> None:
    now = datetime.now(UTC)
    config = WorldConfig(
        id="w",
        owner_id="o",
        name="Aeloria",
        description=None,
        genre=None,
        tone="dark",
        races=[{"name": "Elves"}, {"name": " "}, {"id": "x"}, {"name": "Elves"}, {"name": "Orcs"}],
        factions=[{"name": "The Silver Order", "alignment": "good"}, {"name": 7}, {"name": "a\x00b"}],
        skills=[],
        settings={},
        npc_categories=[],
        quest_config={},
        items_config={},
        tags=[],
        is_template=False,
        is_active=True,
        version=1,
        created_at=now,
        updated_at=now,
    )
    assert context_of(config) == ContentContext(tone="dark", races=["Elves", "Orcs"], factions=["The Silver Order"])
    assert context_of(msgspec.structs.replace(config, tone=None, races=[], factions=[])) == ContentContext()

"""What a language model answers in when it writes content, and the check a dialogue must pass.

:func:`json_schema` derives an entity's JSON Schema from its Struct (``msgspec.json.schema``)
and reshapes it for OpenAI's structured output in strict mode
(``response_format: {"type": "json_schema", "json_schema": {"name", "strict": true, "schema"}}``):
definitions are inlined (no ``$ref``), every object has ``additionalProperties: false`` and
lists all its properties in ``required``, an optional property is nullable instead
(``type: [X, "null"]``), and keywords strict mode does not take are dropped (string lengths
and patterns, defaults, titles). The entity's own ``id`` is left out: the service assigns
it. What the schema no longer says (string bounds, a dialogue's graph) is checked when the
answer is decoded, by :func:`entity_of` and :func:`validate_dialogue`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any

import msgspec

from assetforge.common.contracts.content import ENTITY_TYPES, ContentKind, Dialogue, Entity

# The keywords of a node that strict mode takes, besides the ones rebuilt below.
_KEPT = ("type", "enum", "description", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_KEPT_ARRAY = ("minItems", "maxItems")
_NULL = {"type": "null"}


def json_schema(entity_type: str) -> dict[str, Any]:
    """The strict JSON Schema of an entity (``npc``, ``quest``, ...) without its ``id``."""
    kind = ContentKind(entity_type)
    raw = msgspec.json.schema(ENTITY_TYPES[kind])
    schema = _strict(raw, raw.get("$defs", {}), ())
    schema["properties"].pop("id", None)
    schema["required"] = [name for name in schema["required"] if name != "id"]
    return schema


def response_format(entity_type: str) -> dict[str, Any]:
    """The ``response_format`` of a chat completion that answers one entity."""
    kind = ContentKind(entity_type)
    return {"type": "json_schema", "json_schema": {"name": kind.value, "strict": True, "schema": json_schema(kind)}}


def entity_of(entity_type: str, generated: Mapping[str, Any], entity_id: str | None = None) -> Entity:
    """The entity a model answered, with the id the service gives it (a world outline has
    none); raises ``msgspec.ValidationError`` when the answer breaks the Struct's bounds."""
    entity = ENTITY_TYPES[ContentKind(entity_type)]
    data = dict(generated)
    if "id" in entity.__struct_fields__:
        data["id"] = entity_id
    return msgspec.convert(data, type=entity)


def _strict(node: dict[str, Any], defs: dict[str, Any], trail: tuple[str, ...]) -> dict[str, Any]:
    if "$ref" in node:
        name = node["$ref"].removeprefix("#/$defs/")
        if name in trail:
            raise ValueError(f"a recursive definition cannot be inlined: {name}")
        # A definition's title and docstring are for developers; the field's own description stays.
        inlined = {key: value for key, value in defs[name].items() if key not in ("title", "description")}
        extra = {key: value for key, value in node.items() if key != "$ref"}
        return _strict(inlined | extra, defs, (*trail, name))
    if "anyOf" in node:
        options = [option for option in node["anyOf"] if option != _NULL]
        rest = {key: value for key, value in node.items() if key != "anyOf"}
        if len(options) == 1:  # X | None
            return _nullable(_strict(options[0] | rest, defs, trail))
        out: dict[str, Any] = {"anyOf": [_strict(option, defs, trail) for option in node["anyOf"]]}
        return out | {key: value for key, value in rest.items() if key == "description"}
    out = {key: node[key] for key in _KEPT if key in node}
    if "enum" in out and "type" not in out and all(isinstance(value, str) for value in out["enum"]):
        out["type"] = "string"
    if "items" in node:
        out["items"] = _strict(node["items"], defs, trail)
        out |= {key: node[key] for key in _KEPT_ARRAY if key in node}
    if node.get("type") == "object":
        required = set(node.get("required", ()))
        properties = {name: _strict(sub, defs, trail) for name, sub in node.get("properties", {}).items()}
        out["properties"] = {name: sub if name in required else _nullable(sub) for name, sub in properties.items()}
        out["required"] = list(properties)
        out["additionalProperties"] = False
    return out


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` or null, as strict mode spells it: a list of types (and null among an enum's values)."""
    kind = schema.get("type")
    if kind is None:
        return {"anyOf": [schema, _NULL]}
    types = list(kind) if isinstance(kind, list) else [kind]
    out = schema | {"type": types if "null" in types else [*types, "null"]}
    if "enum" in schema and None not in schema["enum"]:
        out["enum"] = [*schema["enum"], None]
    return out


def validate_dialogue(dialogue: Dialogue) -> list[str]:
    """The problems of a dialogue's graph, none when it is sound: the root is a node, node
    ids are unique, every response leads to a node (or ends the conversation) and every
    node can be reached from the root."""
    problems: list[str] = []
    ids = [node.id for node in dialogue.nodes]
    known = set(ids)
    duplicates = sorted({node_id for node_id in ids if ids.count(node_id) > 1})
    if duplicates:
        problems.append(f"node ids are used more than once: {', '.join(duplicates)}")
    if dialogue.root_node_id not in known:
        problems.append(f"the root {dialogue.root_node_id!r} is not a node")
    leads: dict[str, list[str]] = {node_id: [] for node_id in ids}
    for node in dialogue.nodes:
        for index, response in enumerate(node.responses):
            target = response.next_node_id
            if target is None:
                continue
            if target in known:
                leads[node.id].append(target)
            else:
                problems.append(f"response {index} of node {node.id!r} leads to {target!r}, which is not a node")
    if dialogue.root_node_id in known:
        reached = {dialogue.root_node_id}
        queue = deque([dialogue.root_node_id])
        while queue:
            for target in leads[queue.popleft()]:
                if target not in reached:
                    reached.add(target)
                    queue.append(target)
        unreached = [node_id for node_id in dict.fromkeys(ids) if node_id not in reached]
        if unreached:
            problems.append(f"nodes the root does not lead to: {', '.join(unreached)}")
    return problems

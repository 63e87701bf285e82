"""The offline content writer: NPCs, quests, dialogues, lore and world outlines written from
templates, with no model and no network, for development, tests and demos.

What a caller relies on: the same request always gives the same entity (every choice is
drawn from a generator seeded by the prompt's sha256, ids are uuid5s of that seed), twenty
prompts give twenty different entities, the prompt's own words are used where they fit
("a grumpy dwarven blacksmith" is a grumpy blacksmith of dwarf stock) and so is a world
config's context (its races, factions and tone). Every entity decodes against its Struct's
bounds, and every dialogue passes ``validate_dialogue``. Lore and world outlines are
written in ``content_world`` (and re-exported here), words and templates are in
``content_words``, ``content_quest_words`` and ``content_world_words``, and reading the
prompt is ``content_prompt``'s.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field

from assetforge.common.contracts.content import (
    ContentContext,
    ContentKind,
    Dialogue,
    DialogueNode,
    Difficulty,
    GenerateDialogueFields,
    GenerateNpcFields,
    GenerateQuestFields,
    Npc,
    NpcDialogue,
    Objective,
    ObjectiveType,
    Personality,
    Quest,
    Response,
    Rewards,
)
from assetforge.generation.offline import content_quest_words as quest_words
from assetforge.generation.offline import content_words as words
from assetforge.generation.offline.content_prompt import (
    Reading,
    article,
    capitalised,
    clip,
    entity_id,
    faction_for,
    person_name,
    place_name,
    race_for,
    read,
    start,
    the,
    topic_of,
)
from assetforge.generation.offline.content_world import write_lore, write_world

__all__ = ["write_dialogue", "write_lore", "write_npc", "write_quest", "write_world"]

LABEL, TITLE, TEXT = 100, 200, 2000
_TIES = ("owes a debt to", "once served", "secretly reports to", "was cast out of", "trades with")


def write_npc(request: GenerateNpcFields, context: ContentContext | None = None) -> Npc:
    context = context or ContentContext()
    seed, rng, reading = start(request.prompt, ContentKind.NPC)
    archetype = clip(request.archetype or reading.first(words.ARCHETYPE_WORDS) or rng.choice(words.ARCHETYPES), LABEL)
    named = reading.among(words.TRAITS)[:3]
    others = [trait for trait in words.TRAITS if trait not in named]
    traits = named + rng.sample(others, max(0, rng.randint(2, 4) - len(named)))
    mood = "gruff" if traits[0] in words.GRUFF_TRAITS else "warm"
    race = race_for(reading, context, rng)
    faction = faction_for(reading, context, rng)
    name = clip(reading.name or person_name(rng), TITLE)
    home = reading.proper[0] if reading.proper else place_name(rng)
    slots = {"name": name, "archetype": archetype, "home": home, "place": place_name(rng, home)}
    slots |= {
        "topic": topic_of(reading, rng),
        "faction": the(faction or ""),
        "Faction": capitalised(the(faction or "")),
    }
    build = rng.choice(words.BUILDS)
    appearance = (
        f"{capitalised(article(build))} {build} {archetype} of {race} stock, with {rng.choice(words.FEATURES)}"
        f" and {rng.choice(words.CLOTHING)}."
    )
    background = [rng.choice(words.BACKSTORIES).format_map(slots)]
    if faction:
        background.append(f"{name} {rng.choice(_TIES)} {the(faction)}.")
    if context.tone:
        background.append(f"Like every tale told in {home}, theirs is a {context.tone} one.")
    habits = rng.sample(words.HABITS, 2)
    lines = [line.format_map(slots) for line in rng.sample(words.LINES, rng.randint(3, 5))]
    if faction:
        lines.append(rng.choice(words.FACTION_LINES).format_map(slots))
    return Npc(
        id=entity_id(seed, ContentKind.NPC),
        name=name,
        archetype=archetype,
        personality=Personality(traits=traits, background=clip(" ".join(background), TEXT)),
        appearance=clip(appearance, TEXT),
        dialogue=NpcDialogue(
            greeting=rng.choice(words.GREETINGS[mood]).format_map(slots),
            farewell=rng.choice(words.FAREWELLS[mood]).format_map(slots),
            lines=[clip(line, TEXT) for line in lines],
        ),
        behavior=clip(f"{name} {habits[0]} and {habits[1]}.", TEXT),
    )


def write_quest(request: GenerateQuestFields, context: ContentContext | None = None, giver: Npc | None = None) -> Quest:
    context = context or ContentContext()
    seed, rng, reading = start(request.prompt, ContentKind.QUEST)
    difficulty = request.difficulty or reading.first(quest_words.DIFFICULTY_WORDS) or Difficulty.MEDIUM
    rank = list(Difficulty).index(difficulty)
    place = reading.proper[0] if reading.proper else place_name(rng)
    faction = faction_for(reading, context, rng)
    count = rng.randint(2 if difficulty is Difficulty.EPIC else 1, min(4, 2 + rank))
    types = reading.found(quest_words.OBJECTIVE_WORDS)[:count]
    others = [kind for kind in ObjectiveType if kind not in types]
    types += rng.sample(others, count - len(types))
    objectives = [
        _objective(kind, reading, rng, place=place, giver=giver, faction=faction, rank=rank) for kind in types
    ]
    title = rng.choice(quest_words.QUEST_TITLES).format(
        adj=rng.choice(quest_words.QUEST_ADJECTIVES), noun=rng.choice(quest_words.QUEST_NOUNS), place=place
    )
    story = [rng.choice(quest_words.QUEST_HOOKS).format(place=place)]
    if giver:
        story.append(f"{giver.name} the {giver.archetype} has asked for help.")
    story.append(rng.choice(quest_words.QUEST_STAKES))
    if faction:
        story.append(f"{capitalised(the(faction))} will remember who answered the call.")
    if context.tone:
        story.append(f"It is a {context.tone} business from start to finish.")
    scale = (1 + 0.25 * (count - 1)) * rng.uniform(0.9, 1.1)
    low, high = quest_words.REWARD_ITEM_COUNTS[difficulty]
    items = [
        f"{rng.choice(quest_words.QUALITIES[difficulty])} {item}" for item in rng.sample(quest_words.REWARD_ITEMS, high)
    ]
    rewards = Rewards(
        experience=5 * round(quest_words.BASE_EXPERIENCE[difficulty] * scale / 5),
        gold=round(quest_words.BASE_GOLD[difficulty] * scale),
        items=items[: rng.randint(low, high)],
    )
    return Quest(
        id=entity_id(seed, ContentKind.QUEST),
        title=clip(title, TITLE),
        description=clip(" ".join(story), TEXT),
        objectives=objectives,
        rewards=rewards,
        giver_npc_id=giver.id if giver else request.npc_id,
    )


def _objective(
    kind: ObjectiveType,
    reading: Reading,
    rng: random.Random,
    *,
    place: str,
    giver: Npc | None,
    faction: str | None,
    rank: int,
) -> Objective:
    creature = reading.first({name: name for name in quest_words.CREATURES}) or rng.choice(list(quest_words.CREATURES))
    item = next(iter(reading.among(quest_words.ITEM_WORDS)), None)
    count = 1
    if kind is ObjectiveType.KILL:
        if creature in quest_words.BOSSES:
            target, text = creature, f"Slay the {creature} that haunts the lands near {place}."
        else:
            count = rng.randint(3, 8) + 2 * rank
            target, text = (
                quest_words.CREATURES[creature],
                f"Slay {count} {quest_words.CREATURES[creature]} near {place}.",
            )
    elif kind is ObjectiveType.COLLECT and item:
        target, text = item, f"Recover the {item} from {rng.choice(quest_words.SITES)}."
    elif kind is ObjectiveType.COLLECT:
        count, target = rng.randint(3, 10), rng.choice(quest_words.COLLECTIBLES)
        text = f"Collect {count} {target}."
    elif kind is ObjectiveType.DELIVER:
        target = item or rng.choice(quest_words.PARCELS)
        text = f"Deliver the {target} to {the(faction) if faction else place}."
    elif kind is ObjectiveType.ESCORT:
        target = rng.choice(quest_words.ESCORTEES)
        text = f"Escort the {target} safely to {place}."
    elif kind is ObjectiveType.EXPLORE:
        target = rng.choice(quest_words.SITES)
        text = f"Explore {target} beyond {place}."
    elif kind is ObjectiveType.TALK:
        target = giver.name if giver else (f"the envoy of {the(faction)}" if faction else f"the elder of {place}")
        text = f"Return to {target} with what you have learned." if giver else f"Speak with {target}."
    elif kind is ObjectiveType.CRAFT:
        count, target = rng.randint(2, 5), rng.choice(quest_words.CRAFTABLES)
        text = f"Craft {count} {target}."
    else:
        count, target = rng.randint(2, 4) + rank, place
        text = f"Defend {place} against {count} waves of {quest_words.CREATURES[creature]}."
    return Objective(description=clip(text, TEXT), type=kind, target=clip(target, LABEL), count=count)


@dataclass
class _Node:
    id: str
    speaker: str
    text: str
    responses: list[tuple[str, str | None]] = field(default_factory=list)
    parent: str | None = None


def write_dialogue(request: GenerateDialogueFields, context: ContentContext | None = None) -> Dialogue:
    """4 to 8 nodes: the NPC's lines offer the player 1 to 3 choices, each a player node that
    leads to the NPC's answer; a goodbye ends it, and some answers lead back to a question.
    The speakers are ``npcName`` (or "NPC") and "Player"; the NPCs of ``npcIds`` are the
    service's to look up, so the offline writer leaves them out."""
    context = context or ContentContext()
    seed, rng, reading = start(request.prompt, ContentKind.DIALOGUE)
    npc = clip(request.npc_name or "NPC", LABEL)
    npc = "NPC" if npc == "Player" else npc  # the two speakers must differ
    traits = read(request.npc_personality or "").among(words.TRAITS) + reading.among(words.TRAITS)
    mood = "gruff" if traits and traits[0] in words.GRUFF_TRAITS else "warm"
    home = next((word for word in reading.proper if word not in npc), None) or place_name(rng)
    faction = faction_for(reading, context, rng)
    archetype = reading.first(words.ARCHETYPE_WORDS) or "guide"
    slots = {"name": request.npc_name or "", "archetype": archetype, "home": home, "place": home}
    greetings = [line for line in words.GREETINGS[mood] if request.npc_name or "{name}" not in line]
    nodes = [_Node("node-1", npc, clip(rng.choice(greetings).format_map(slots), TEXT))]

    def add(speaker: str, text: str, parent: _Node) -> _Node:
        node = _Node(f"node-{len(nodes) + 1}", speaker, clip(text, TEXT), parent=parent.id)
        nodes.append(node)
        return node

    questions, goodbye = divmod(rng.randint(4, 8) - 1, 2)
    queue, share = deque([nodes[0]]), rng.randint(1, 3)  # the NPC node that offers the next choice, and how many
    for index, (label, line, reply) in enumerate(rng.sample(words.CHOICES, questions)):
        parent = queue[0]
        topic = topic_of(reading, rng, index)
        choice = slots | {"topic": topic, "Topic": capitalised(topic)}
        player = add("Player", line.format_map(choice), parent)
        parent.responses.append((clip(label.format_map(choice), TEXT), player.id))
        answer = add(npc, reply.format_map(choice), player)
        if faction and index == 0:
            answer.text = clip(
                f"{answer.text} {words.FACTION_LINES[0].format(Faction=capitalised(the(faction)))}", TEXT
            )
        player.responses.append((rng.choice(words.PLAYER_CUES), answer.id))
        queue.append(answer)
        if len(parent.responses) >= share:
            queue.popleft()
            share = rng.randint(1, 3)
    speaking = [node for node in nodes if node.speaker == npc]
    if goodbye:
        parent = rng.choice([node for node in speaking if len(node.responses) < 3])
        goodbyes = [line for line in words.GOODBYES if request.npc_name or "{name}" not in line]
        bye = add("Player", rng.choice(goodbyes).format_map(slots), parent)
        parent.responses.append(("Say goodbye.", bye.id))
    questions_asked = [node for node in nodes if node.speaker == "Player" and node.responses]
    for node in speaking:
        if not node.responses or (len(node.responses) < 3 and rng.random() < 0.3):
            node.responses.append((rng.choice(words.ENDINGS), None))
        again = [question for question in questions_asked if question.id != node.parent]
        if again and len(node.responses) == 1 and node.responses[0][1] is None and rng.random() < 0.5:
            node.responses.append((rng.choice(words.BACK), rng.choice(again).id))
    return Dialogue(
        id=entity_id(seed, ContentKind.DIALOGUE),
        nodes=[
            DialogueNode(node.id, node.speaker, node.text, [Response(text, target) for text, target in node.responses])
            for node in nodes
        ],
        root_node_id=nodes[0].id,
    )

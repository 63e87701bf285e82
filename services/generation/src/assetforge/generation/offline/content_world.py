"""The offline writer's lore entries and world outlines (``content`` re-exports them with
the NPCs, quests and dialogues): the same seeding, the same use of the prompt's words and of
a world config's context, and word lists from ``content_world_words``.
"""

from __future__ import annotations

from assetforge.common.contracts.content import (
    Alignment,
    ContentContext,
    ContentKind,
    Era,
    Faction,
    GenerateLoreFields,
    GenerateWorldFields,
    Lore,
    LoreCategory,
    Race,
    Region,
    WorldOutline,
)
from assetforge.generation.offline import content_world_words as world_words
from assetforge.generation.offline.content_prompt import (
    article,
    capitalised,
    clip,
    entity_id,
    faction_for,
    place_name,
    race_for,
    start,
    the,
    topic_of,
    world_name,
)

LABEL, TITLE, TEXT, LONG_TEXT = 100, 200, 2000, 20_000
MAX_TOPICS = 20


def write_lore(request: GenerateLoreFields, context: ContentContext | None = None) -> Lore:
    """An entry of three paragraphs about the prompt's subject (its first proper name, or a
    place made up), in the category asked for or the one its words suggest. The telling
    NPC (``npcId``) is the service's to look up; the offline writer does not know it."""
    context = context or ContentContext()
    seed, rng, reading = start(request.prompt, ContentKind.LORE)
    category = request.category or reading.first(world_words.CATEGORY_WORDS) or rng.choice(list(LoreCategory))
    subject = clip(reading.name or (reading.proper[0] if reading.proper else place_name(rng)), LABEL)
    place = place_name(rng, subject)
    topic = topic_of(reading, rng)
    race = race_for(reading, context, rng)
    faction = faction_for(reading, context, rng)
    slots = {"subject": subject, "place": place, "feature": rng.choice(world_words.WORLD_FEATURES), "word": topic}
    slots |= {"race": the(race if context.races else world_words.RACES[race])}
    slots |= {"faction": the(faction or ""), "Faction": capitalised(the(faction or ""))}
    # The middle paragraphs tell of the prompt's topic, and of the faction when there is one.
    telling = [line for line in world_words.LORE_SENTENCES if "{word}" in line]
    involved = [line for line in world_words.LORE_SENTENCES if "action}" in line]
    plain = [line for line in world_words.LORE_SENTENCES if line not in telling and line not in involved]
    middle = [rng.choice(telling), *([rng.choice(involved)] if faction else [])]
    middle += rng.sample(plain, rng.randint(3, 5) - len(middle))
    rng.shuffle(middle)
    closing = [rng.choice(world_words.LORE_CLOSINGS)]
    if context.tone:
        closing.append(f"It is, like so much of this world, a {context.tone} story.")
    paragraphs = [[world_words.LORE_OPENINGS[category], middle[0]], middle[1:], closing]
    content = "\n\n".join(" ".join(line.format_map(slots) for line in lines) for lines in paragraphs)
    kind = f"{context.tone} {category.value}" if context.tone else category.value
    summary = f"{capitalised(article(kind))} {kind} entry on {subject}, touching on {topic} and {place}."
    topics = [faction or "", *context.races[:2], topic.title(), place]
    topics += rng.sample(world_words.CATEGORY_TOPICS[category], rng.randint(1, 2))
    return Lore(
        id=entity_id(seed, ContentKind.LORE),
        title=clip(rng.choice(world_words.LORE_TITLES[category]).format(subject=subject), TITLE),
        category=category,
        content=clip(content, LONG_TEXT),
        summary=clip(summary, TEXT),
        related_topics=list(dict.fromkeys(clip(topic, LABEL) for topic in topics if topic))[:MAX_TOPICS],
    )


def write_world(request: GenerateWorldFields) -> WorldOutline:
    """3 to 6 regions (the kinds of land the prompt names first), 2 to 5 factions (at least
    one good and one evil), 2 to 5 races (the prompt's first) and 3 to 5 eras in order."""
    _, rng, reading = start(request.prompt, ContentKind.WORLD)
    name = clip(reading.name or (reading.proper[0] if reading.proper else world_name(rng)), TITLE)
    tone = reading.first(world_words.TONE_WORDS) or rng.choice(world_words.TONES)
    lands = reading.found(world_words.GEOGRAPHY)[:6]
    others = [land for land in dict.fromkeys(world_words.GEOGRAPHY.values()) if land not in lands]
    lands += rng.sample(others, max(0, rng.randint(3, 6) - len(lands)))
    kinds = reading.found(world_words.RACE_WORDS)[:5]
    kinds += rng.sample(
        [race for race in world_words.RACES if race not in kinds], max(0, rng.randint(2, 5) - len(kinds))
    )
    peoples = [world_words.RACES[race] for race in kinds]
    regions = [
        Region(
            name=f"The {adjective} {noun}",
            description=rng.choice(world_words.REGION_DESCRIPTIONS).format(
                climate=climate, race=the(rng.choice(peoples)), world=name
            ),
            climate=climate,
        )
        for adjective, (noun, climate) in zip(rng.sample(world_words.REGION_ADJECTIVES, len(lands)), lands, strict=True)
    ]
    region_names = [the(region.name) for region in regions]  # as they are named inside a sentence
    count = rng.randint(2, 5)
    alignments = [Alignment.GOOD, Alignment.EVIL, *(rng.choice(list(Alignment)) for _ in range(count - 2))]
    factions = [
        Faction(
            name=f"The {adjective} {rng.choice(world_words.FACTION_GROUPS)}",
            description=rng.choice(world_words.FACTION_DESCRIPTIONS[alignment]).format(
                region=rng.choice(region_names), world=name
            ),
            alignment=alignment,
        )
        for adjective, alignment in zip(rng.sample(world_words.FACTION_ADJECTIVES, count), alignments, strict=True)
    ]
    races = [
        Race(
            name=capitalised(plural),
            description=rng.choice(world_words.RACE_DESCRIPTIONS).format(
                plural=plural,
                Plural=capitalised(plural),
                region=rng.choice(region_names),
                trait=rng.choice(world_words.RACE_TRAITS),
                world=name,
            ),
            traits=rng.sample(world_words.RACE_TRAITS, rng.randint(2, 4)),
        )
        for plural in peoples
    ]
    eras = rng.randint(3, 5)
    summaries = [*sorted(rng.sample(range(len(world_words.ERA_SUMMARIES) - 1), eras - 1)), -1]
    history = [
        Era(
            era=f"The Age of {noun}",
            summary=world_words.ERA_SUMMARIES[index].format(
                region=rng.choice(region_names),
                race=the(rng.choice(peoples)),
                faction=the(rng.choice(factions).name),
                Faction=capitalised(the(rng.choice(factions).name)),
                world=name,
            ),
        )
        for noun, index in zip(rng.sample(world_words.ERA_NOUNS, eras), summaries, strict=True)
    ]
    features = rng.sample(world_words.WORLD_FEATURES, 2)
    description = (
        f"{name} is {article(tone)} {tone} world of {features[0]} and {features[1]},"
        f" where {rng.choice(world_words.CONFLICTS)}."
    )
    if reading.topics:
        description += f" Its story turns on {topic_of(reading, rng)}."
    return WorldOutline(
        name=name,
        description=clip(description, TEXT),
        tone=tone,
        regions=regions,
        factions=factions,
        races=races,
        history=history,
    )

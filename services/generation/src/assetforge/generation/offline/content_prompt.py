"""How the offline content writer reads a prompt, seeds its choices and makes up names.

A prompt's seed is its sha256: the same prompt draws the same words, so a rerun writes the
same entity, and ids are uuid5s of the seed and the entity's kind. :class:`Reading` keeps
what the writer can use from the prompt's own words (``"a grumpy dwarven blacksmith"`` has
a trait, a race and an archetype), the capitalised words that name people and places, and
the name after "named" or "called". A world config's races and factions are matched
against the prompt before one is drawn at random.
"""

from __future__ import annotations

import hashlib
import random
import re
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TypeVar

from assetforge.common.contracts.content import ContentContext, ContentKind
from assetforge.generation.offline import content_quest_words as quest_words
from assetforge.generation.offline import content_words as words
from assetforge.generation.offline import content_world_words as world_words

T = TypeVar("T")

# The namespace of content ids (a uuid5 of the DNS namespace and "content.assetforge").
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "content.assetforge")
MAX_WORD = 24  # longer "words" of a prompt are noise, and would overflow a label
_KNOWN = (
    words.STOPWORDS
    | set(words.TRAITS)
    | set(words.ARCHETYPE_WORDS)
    | set(quest_words.OBJECTIVE_WORDS)
    | set(quest_words.DIFFICULTY_WORDS)
    | set(quest_words.CREATURES)
    | set(world_words.RACE_WORDS)
    | set(world_words.TONE_WORDS)
    | set(world_words.GEOGRAPHY)
    | set(world_words.CATEGORY_WORDS)
)
# Words that describe rather than name, so they make poor topics.
_NOT_TOPICS = (
    words.STOPWORDS
    | set(words.TRAITS)
    | set(quest_words.OBJECTIVE_WORDS)
    | set(quest_words.DIFFICULTY_WORDS)
    | set(world_words.RACE_WORDS)
    | set(world_words.TONE_WORDS)
    | set(world_words.CATEGORY_WORDS)
)
# Verbs a prompt often has that look like nouns to a reader of single words.
_VERBS = frozenset(
    words.split(
        "claim claims slain seek seeks keep keeps sell sells sing sings know knows lost guards fight fights live "
        "lives hide hides wants loves hates"
    )
)
# Things a prompt may be about: they come first among its topics.
_NOUNS = (
    set(quest_words.CREATURES)
    | set(quest_words.CREATURES.values())
    | quest_words.ITEM_WORDS
    | set(world_words.GEOGRAPHY)
    | set(
        words.split(
            "tower castle city village temple mine sewer crypt ruin road bridge harbour kingdom treasure caravan"
        )
    )
)
_NAMED = re.compile(r"\b(?:named|called)\s+([A-Z][A-Za-z'-]{1,30}(?:\s+[A-Z][A-Za-z'-]{1,30})?)")
_GROUPS = {group.lower() for group in world_words.FACTION_GROUPS}


def seed_of(prompt: str) -> bytes:
    return hashlib.sha256(prompt.encode()).digest()


def entity_id(seed: bytes, kind: ContentKind) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind.value}:{seed.hex()}"))


def rng_of(seed: bytes, kind: ContentKind) -> random.Random:
    """The draws of one kind of entity: a bytes seed is hashed the same in every process."""
    return random.Random(seed + kind.value.encode())  # noqa: S311 - made-up content, not secrets


def start(prompt: str, kind: ContentKind) -> tuple[bytes, random.Random, Reading]:
    """The seed of a prompt, the draws of one kind of entity and the reading of the prompt."""
    seed = seed_of(prompt)
    return seed, rng_of(seed, kind), read(prompt)


def singular(word: str) -> str:
    if word in words.IRREGULAR_PLURALS:
        return words.IRREGULAR_PLURALS[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@dataclass(frozen=True)
class Reading:
    """What the writer takes from a prompt."""

    tokens: tuple[str, ...]  # its words in order, lower case
    words: tuple[str, ...]  # the same, each plural followed by its singular
    proper: tuple[str, ...]  # capitalised words that are not common ones: people and places
    name: str | None  # the name after "named" or "called"

    def found(self, vocabulary: Mapping[str, T]) -> list[T]:
        """The values of the prompt's words in ``vocabulary``, in order and once each."""
        return list(dict.fromkeys(vocabulary[word] for word in self.words if word in vocabulary))

    def first(self, vocabulary: Mapping[str, T]) -> T | None:
        return next((vocabulary[word] for word in self.words if word in vocabulary), None)

    def among(self, vocabulary: Collection[str]) -> list[str]:
        return list(dict.fromkeys(word for word in self.words if word in vocabulary))

    @property
    def topics(self) -> list[str]:
        """Words that may name what the prompt is about: things first, then other words that
        are neither names, verbs nor descriptions, the last (usually a noun) first."""
        names = {word.lower() for word in (*self.proper, *(self.name or "").split())}
        candidates = [token for token in reversed(self.tokens) if len(token) > 3 and token not in names]
        things = [token for token in candidates if token in _NOUNS or singular(token) in _NOUNS]
        others = [token for token in candidates if token not in _NOT_TOPICS and token not in _VERBS]
        others = [token for token in others if not token.endswith(("ing", "ed")) or len(token) < 6]
        return list(dict.fromkeys(things + others))


def read(prompt: str) -> Reading:
    tokens = tuple(token for token in re.findall(r"[a-z]+", prompt.lower()) if len(token) <= MAX_WORD)
    forms = tuple(form for token in tokens for form in dict.fromkeys((token, singular(token))))
    named = _NAMED.search(prompt)
    name = named.group(1) if named else None
    taken = set(name.split()) if name else set()
    capitalised = re.findall(r"\b[A-Z][a-z]{2,23}\b", prompt)
    proper = tuple(dict.fromkeys(w for w in capitalised if w.lower() not in _KNOWN and w not in taken))
    return Reading(tokens=tokens, words=forms, proper=proper, name=name)


def clip(text: str, limit: int) -> str:
    return text[:limit].rstrip() or text[:limit]


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def the(name: str) -> str:
    """``name`` inside a sentence: "the Silver Order" for both "Silver Order" and "The Silver Order"."""
    return f"the {name[4:]}" if name.lower().startswith("the ") else f"the {name}"


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(words.NAME_STARTS)}{rng.choice(words.NAME_ENDS)} {rng.choice(words.SURNAMES)}"


def place_name(rng: random.Random, *avoid: str) -> str:
    while True:
        place = f"{rng.choice(words.PLACE_STARTS)}{rng.choice(words.PLACE_ENDS)}"
        if place not in avoid:
            return place


def world_name(rng: random.Random) -> str:
    return f"{rng.choice(world_words.WORLD_STARTS)}{rng.choice(world_words.WORLD_ENDS)}"


def topic_of(reading: Reading, rng: random.Random, index: int = 0) -> str:
    """The ``index``-th thing the prompt is about ("the bandits"), or one made up."""
    topics = reading.topics
    return f"the {topics[index]}" if index < len(topics) else rng.choice(words.TOPICS)


def _race_forms(name: str) -> set[str]:
    """The races a race's name is of: its last word, singular or not, as a known race."""
    tokens = re.findall(r"[a-z]+", name.lower())
    last = tokens[-1] if tokens else ""
    return {world_words.RACE_WORDS.get(form, form) for form in (last, singular(last))}


def race_for(reading: Reading, context: ContentContext, rng: random.Random) -> str:
    """A context race the prompt names, else any context race; without one, a known race the
    prompt names, else any known race."""
    named = {world_words.RACE_WORDS.get(word, word) for word in reading.words}
    if context.races:
        return next((race for race in context.races if _race_forms(race) & named), rng.choice(context.races))
    return reading.first(world_words.RACE_WORDS) or rng.choice(list(world_words.RACES))


def faction_for(reading: Reading, context: ContentContext, rng: random.Random) -> str | None:
    """A context faction the prompt names (by a word of its name), else any; None without one."""
    if not context.factions:
        return None
    prompt = set(reading.words)
    for faction in context.factions:
        names = {token for token in re.findall(r"[a-z]+", faction.lower()) if token not in words.STOPWORDS}
        if (names - _GROUPS) & prompt:
            return faction
    return rng.choice(context.factions)

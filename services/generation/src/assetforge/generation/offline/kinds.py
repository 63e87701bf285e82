"""What shape an asset type and prompt ask for, and the seed that varies it.

Every offline file is a pure function of a :class:`Spec`, which is small enough to ride
inside a task id: that is what lets the offline task providers be stateless.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

CHARACTER = "character"
WEAPON = "weapon"
BUILDING = "building"
ARMOR = "armor"
SHIELD = "shield"
POTION = "potion"
TOOL = "tool"
RESOURCE = "resource"
GENERIC = "generic"

# Words of an asset type, by the kind of shape they get. Anything else is GENERIC.
_KIND_WORDS: dict[str, tuple[str, ...]] = {
    CHARACTER: ("character", "avatar", "npc", "humanoid", "player", "hero", "person", "villager", "enemy"),
    WEAPON: ("weapon", "sword", "axe", "dagger", "mace", "hammer", "spear", "blade", "katana", "club"),
    BUILDING: ("building", "structure", "house", "tower", "hut", "castle", "shop", "temple", "barn", "tavern", "inn"),
    ARMOR: ("armor", "armour", "chestplate", "breastplate", "cuirass", "helmet"),
    SHIELD: ("shield", "buckler"),
    POTION: ("potion", "consumable", "bottle", "flask", "elixir", "vial", "food"),
    TOOL: ("tool", "pickaxe", "shovel", "wrench", "saw"),
    RESOURCE: ("resource", "rock", "ore", "stone", "crystal", "gem", "mineral", "boulder"),
}

# Weapon subtypes found in the prompt; the first one named wins.
WEAPON_VARIANTS = ("sword", "axe", "dagger", "mace", "hammer", "spear")
_VARIANT_ALIASES = {"katana": "sword", "blade": "sword", "longsword": "sword", "knife": "dagger", "club": "mace"}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def kind_of(asset_type: str) -> str:
    """The shape family of ``asset_type`` (``"NPC"``, ``"melee weapon"``, ``"prop"``...)."""
    words = _words(asset_type)
    for kind, names in _KIND_WORDS.items():
        # Plural forms ("weapons", "buildings") count too.
        if any(word in names or _singular(word) in names for word in words):
            return kind
    return GENERIC


def is_humanoid(asset_type: str) -> bool:
    return kind_of(asset_type) == CHARACTER


def variant_of(kind: str, prompt: str) -> str | None:
    """The weapon subtype the prompt names (``"a rusty axe"`` -> ``"axe"``), if any."""
    if kind != WEAPON:
        return None
    for word in _words(prompt):
        name = _VARIANT_ALIASES.get(word, word)
        if name not in WEAPON_VARIANTS:
            name = _VARIANT_ALIASES.get(_singular(word), _singular(word))
        if name in WEAPON_VARIANTS:
            return name
    return None


def seed_of(text: str) -> int:
    """A stable 32-bit seed for ``text`` (``hash()`` is salted per process, so not that)."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "big")


@dataclass(frozen=True, slots=True)
class Spec:
    """Everything an offline model is made from."""

    kind: str
    seed: int
    variant: str | None = None

    @classmethod
    def of(cls, asset_type: str, prompt: str) -> Spec:
        kind = kind_of(asset_type)
        return cls(kind=kind, seed=seed_of(prompt), variant=variant_of(kind, prompt))

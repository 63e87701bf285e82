"""The word lists of the offline writer's quests: the prompt words that name an objective
or a difficulty, creatures, items, places and people for objectives, titles, hooks and
rewards by difficulty (the NPCs' and dialogues' are in ``content_words``).
"""

from __future__ import annotations

from assetforge.common.contracts.content import Difficulty, ObjectiveType
from assetforge.generation.offline.content_words import pairs, split, vocabulary

OBJECTIVE_WORDS = vocabulary(
    {
        ObjectiveType.KILL: "kill slay hunt destroy defeat vanquish exterminate cull",
        ObjectiveType.COLLECT: "collect gather find retrieve recover steal loot harvest",
        ObjectiveType.DELIVER: "deliver bring carry courier smuggle",
        ObjectiveType.ESCORT: "escort protect guide accompany rescue",
        ObjectiveType.EXPLORE: "explore discover scout map investigate search",
        ObjectiveType.TALK: "talk speak convince persuade negotiate ask meet",
        ObjectiveType.CRAFT: "craft forge brew build make repair enchant",
        ObjectiveType.DEFEND: "defend guard hold fortify repel",
    }
)
DIFFICULTY_WORDS = vocabulary(
    {
        Difficulty.EASY: "easy simple small quick",
        Difficulty.HARD: "hard dangerous deadly difficult",
        Difficulty.EPIC: "epic legendary mythic",
    }
)
CREATURES = pairs(
    "wolf:wolves goblin:goblins bandit:bandits skeleton:skeletons spider:spiders troll:trolls wraith:wraiths "
    "ghoul:ghouls harpy:harpies kobold:kobolds cultist:cultists bear:bears boar:boars drake:drakes wyvern:wyverns "
    "ogre:ogres zombie:zombies rat:rats serpent:serpents imp:imps gnoll:gnolls raider:raiders basilisk:basilisks "
    "dragon:dragons lich:liches hydra:hydras demon:demons golem:golems warg:wargs pirate:pirates orc:orcs"
)
BOSSES = frozenset(split("dragon lich hydra demon basilisk wyvern golem"))
COLLECTIBLES = split(
    "moonpetal herbs; iron ore chunks; glowing crystal shards; wolf pelts; ancient coins; fire salts; "
    "spider silk bundles; troll teeth; ghostcap mushrooms; pages of a lost journal; star-iron nuggets; river pearls; "
    "feathers of the storm hawk; bone charms; vials of swamp water; sunstone fragments",
    ";",
)
ITEM_WORDS = frozenset(
    split(
        "amulet letter crown relic tome ring sword map key scroll chalice egg idol gem heirloom package shipment "
        "medicine potion book artifact talisman orb staff"
    )
)
PARCELS = split(
    "sealed letter; crate of medicine; sack of grain; wedding ring; locked strongbox; bundle of scrolls; "
    "cask of dwarven ale; healer's satchel; signed treaty; caged messenger bird; box of sweets",
    ";",
)
ESCORTEES = split(
    "wounded scout; merchant caravan; travelling priest; young heir; blind prophet; runaway apprentice; "
    "captured spy; elderly cartographer; band of refugees; visiting envoy; pilgrim choir",
    ";",
)
SITES = split(
    "the sunken crypt; the old mine; the ruined watchtower; the haunted woods; the flooded catacombs; "
    "the abandoned monastery; the smugglers' caves; the burned village; the standing stones; the frozen lake; "
    "the collapsed bridge; the wizard's tower; the shipwreck on the shoals",
    ";",
)
CRAFTABLES = split(
    "healing potions; silver arrowheads; warding charms; iron horseshoes; antidote vials; reinforced shields; "
    "signal lanterns; fire bombs; rune-etched stones; rope ladders",
    ";",
)
QUEST_TITLES = split(
    "The {adj} {noun}; {noun} of {place}; The {noun} of {place}; Shadows over {place}; The {adj} Road; "
    "A {noun} for {place}; The {adj} {noun} of {place}; Whispers of the {adj} {noun}; Beyond {place}",
    ";",
)
QUEST_ADJECTIVES = split(
    "Lost Forgotten Burning Silent Crimson Hollow Broken Sunken Shattered Cursed Gilded Frozen Whispering Black Last "
    "Stolen Hidden Bleeding Ashen Iron Drowned Wandering Sleeping Fallen Veiled Scarlet Emerald Howling Bitter Secret"
)
QUEST_NOUNS = split(
    "Crown Blade Oath Relic Lantern Tide Harvest Bargain Pact Heir Throne Bell Key Hunt Debt Vigil Covenant Ember "
    "Banner Chalice Prophecy Tower Song Gate Mask Star Shield Map Wolf Reckoning"
)
QUEST_HOOKS = (
    "Trouble is brewing in {place}.",
    "No one has heard from {place} in a week.",
    "Strange lights have been seen above {place} at night.",
    "The people of {place} are running out of time.",
    "An old debt has come due in {place}.",
    "A desperate plea has arrived from {place}.",
    "Something stirs in the wilds beyond {place}.",
    "The roads to {place} have grown dangerous.",
)
QUEST_STAKES = (
    "If nothing is done, the harvest will fail.",
    "Lives hang in the balance.",
    "Whoever acts first will be remembered for it.",
    "Failure would mean ruin for everyone who depends on it.",
    "There is no one else to ask.",
    "The reward is generous, but the risk is greater.",
)
# Rewards by difficulty: experience and gold before the bonus for objectives, how many items, and their quality.
BASE_EXPERIENCE = dict(zip(Difficulty, (100, 300, 800, 2000), strict=True))
BASE_GOLD = dict(zip(Difficulty, (25, 80, 250, 700), strict=True))
REWARD_ITEM_COUNTS = dict(zip(Difficulty, ((0, 1), (1, 1), (1, 2), (2, 3)), strict=True))
QUALITIES = dict(
    zip(
        Difficulty,
        map(
            split,
            ("Worn Simple Plain", "Sturdy Fine Polished", "Enchanted Masterwork Runed", "Legendary Mythic Ancient"),
        ),
        strict=True,
    )
)
REWARD_ITEMS = split(
    "Longsword; Healing Potion; Ring of Warding; Leather Boots; Hunting Bow; Silver Dagger; Amulet of Clarity; "
    "Traveller's Cloak; Spellbook; War Hammer; Shield; Lantern of Truth; Helm; Gauntlets; Staff of Embers; "
    "Quiver of Arrows; Map of the Old Roads; Lockpicks; Charm of Luck; Greatsword; Mantle of Shadows; Scale Mail; "
    "Elixir of Strength; Compass",
    ";",
)

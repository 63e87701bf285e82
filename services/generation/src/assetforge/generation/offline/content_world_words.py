"""The word lists of the offline writer's lore entries and world outlines: races, tones,
regions, factions, eras and the sentences of lore, a few dozen of each (the NPCs',
quests' and dialogues' are in ``content_words``). Templates take ``str.format`` slots.
"""

from __future__ import annotations

from assetforge.common.contracts.content import Alignment, LoreCategory
from assetforge.generation.offline.content_words import pairs, split, vocabulary

# Known races (singular: plural), and the prompt words that name them.
RACES = pairs(
    "human:humans elf:elves dwarf:dwarves orc:orcs halfling:halflings gnome:gnomes goblin:goblins troll:trolls "
    "dragonborn:dragonborn tiefling:tieflings giant:giants centaur:centaurs merfolk:merfolk lizardfolk:lizardfolk "
    "kobold:kobolds ogre:ogres fae:fae minotaur:minotaurs"
)
RACE_WORDS = {race: race for race in RACES} | pairs(
    "dwarven:dwarf dwarvish:dwarf elven:elf elvish:elf elfin:elf orcish:orc gnomish:gnome hobbit:halfling "
    "mermaid:merfolk merman:merfolk faerie:fae fairy:fae man:human woman:human mortal:human"
)
RACE_TRAITS = split(
    "long-lived stout keen-eyed night-sighted stubborn nimble hardy proud clannish seafaring nomadic devout warlike "
    "studious secretive hospitable cunning strong graceful fire-resistant short-tempered musical superstitious "
    "patient resilient wary"
)
RACE_DESCRIPTIONS = (
    "The {plural} of {region} are {trait} folk who keep to old ways.",
    "Once scattered, the {plural} now hold {region} against all comers.",
    "{Plural} are known across {world} as {trait} traders and fiercer enemies.",
    "The {plural} dwell in {region}, where every child learns the songs of their ancestors.",
    "Few outsiders understand the {plural}, who guard {region} and its secrets.",
    "The {plural} rebuilt {region} after the great calamity and have not forgotten it.",
)

WORLD_STARTS = split("Ael Eld Myr Val Thal Kor Ys Ondr Zer Aer Bel Cal Dor Fal Gal Ith Lum Nar Ost Sar Tir Umb Vor Xan")
WORLD_ENDS = split("oria heim ara ion endal os yth avar essa undor ith amar ovia eth aris oth umbra anor erra ulon")
TONES = split(
    "dark grim heroic whimsical mysterious epic hopeful melancholic gritty lighthearted eerie romantic adventurous "
    "tragic satirical noble"
)
TONE_WORDS = {tone: tone for tone in TONES} | pairs(
    "grimdark:grim bleak:grim funny:whimsical comedic:whimsical silly:whimsical horror:eerie haunted:eerie "
    "creepy:eerie sad:melancholic sombre:melancholic heroes:heroic mystery:mysterious adventure:adventurous "
    "cheerful:lighthearted"
)

# Prompt words naming a kind of land (word:noun:climate): the noun of a region's name, and its climate.
GEOGRAPHY = {
    word: (noun, climate)
    for word, noun, climate in (
        entry.split(":")
        for entry in split(
            "desert:Sands:arid forest:Woods:temperate wood:Woods:temperate mountain:Peaks:alpine "
            "island:Isles:maritime swamp:Mire:humid marsh:Marshes:humid tundra:Wastes:frozen ice:Icefields:frozen "
            "jungle:Wilds:tropical coast:Coast:maritime plain:Plains:temperate volcano:Cinderlands:volcanic "
            "valley:Vale:mild sea:Reaches:stormy hill:Downs:windswept lake:Lakes:cool canyon:Gorge:dry "
            "steppe:Steppe:dry underdark:Deeps:lightless cavern:Deeps:lightless"
        )
    )
}
REGION_ADJECTIVES = split(
    "Ashen Verdant Shattered Whispering Golden Sunken Howling Silver Endless Crimson Frozen Misty Burning Emerald "
    "Hollow Thorned Broken Shimmering Iron Moonlit Drowned Amber Weeping Storm-wracked"
)
REGION_DESCRIPTIONS = (
    "A {climate} land where {race} raise their holds among the ruins of older kingdoms.",
    "Travellers cross this {climate} country only in summer, and never alone.",
    "The heart of trade in {world}, {climate} and crowded with caravans and spies.",
    "Few maps agree on its borders; its {climate} reaches hide more than they show.",
    "Here {race} tend fields and shrines, and watch the horizon for smoke.",
    "A {climate} frontier claimed by many and ruled by none.",
)
FACTION_ADJECTIVES = split(
    "Silver Crimson Iron Veiled Golden Ashen Eternal Hidden Last Burning Sable Radiant Broken Twilight Azure Thorned "
    "Hollow Sworn Wandering Obsidian"
)
FACTION_GROUPS = split(
    "Order Guild Brotherhood Covenant Circle Legion Company Council Hand Conclave Syndicate Wardens Crown Court "
    "Fellowship Cult"
)
FACTION_DESCRIPTIONS = {
    Alignment.GOOD: (
        "Sworn protectors of {region}, they answer any call for aid.",
        "Healers and keepers of the peace who trust the common folk of {world}.",
        "An old fellowship that guards the roads and asks little in return.",
    ),
    Alignment.NEUTRAL: (
        "Traders and fixers who serve whoever pays, from {region} to the sea.",
        "Keepers of the balance who distrust kings and rebels alike.",
        "Scholars who collect every secret of {world} and sell a few of them.",
    ),
    Alignment.EVIL: (
        "A hidden circle that means to rule {region} from the shadows.",
        "Raiders and zealots who serve a power older than {world}'s gods.",
        "Merchants of fear who profit from every war they start.",
    ),
}
ERA_NOUNS = split(
    "Embers Founding Giants Crowns Silence Storms Iron Ashes Dragons Stars Exile Reckoning Kings Frost Dawn Twilight "
    "Wonders Shadows Blood Renewal Sails Chains"
)
ERA_SUMMARIES = (
    "The first holds rose in {region}, and {race} learned to work stone and song.",
    "War spread from {region} until {faction} brokered a fragile peace.",
    "A plague emptied the cities; the survivors built anew in {region}.",
    "{Faction} rose to power and {world} bent its knee.",
    "Magic failed for a generation, and the old orders crumbled.",
    "Explorers from {region} mapped the edges of {world} and found them guarded.",
    "The last great king fell, and {world} split into quarrelling realms.",
    "Today {faction} and its rivals circle one another, and the people wait.",
)
WORLD_FEATURES = split(
    "shattered kingdoms; endless forests; floating islands; sunken cities; dragon-haunted peaks; rival city-states; "
    "fading magic; restless dead; ancient machines; wandering gods; vast deserts; frozen seas; crumbling empires; "
    "wild frontiers; storm-lashed coasts; hidden valleys",
    ";",
)
CONFLICTS = (
    "old empires fight over what little magic remains",
    "a sleeping evil stirs beneath the mountains",
    "the gods have fallen silent and their priests grow desperate",
    "the trade roads are the only thing holding the peace",
    "every throne is contested and every oath is for sale",
    "the seasons themselves have begun to break",
)

# Lore
CATEGORY_WORDS = vocabulary(
    {
        LoreCategory.HISTORY: "history war battle ancient founding era empire fall siege kingdom",
        LoreCategory.RELIGION: "god goddess temple faith church worship deity prayer saint shrine religion",
        LoreCategory.GEOGRAPHY: "mountain river forest region land sea island desert lake valley geography",
        LoreCategory.CULTURE: "custom festival tradition food music dance wedding culture",
        LoreCategory.MAGIC: "magic spell arcane mana ritual sorcery enchantment rune",
        LoreCategory.CREATURE: "beast creature dragon monster wyrm spirit demon",
        LoreCategory.ARTIFACT: "relic artifact amulet crown ring sword blade staff orb",
        LoreCategory.FACTION: "guild order faction clan brotherhood cult house",
        LoreCategory.LEGEND: "legend myth hero prophecy tale fable",
    }
)
LORE_TITLES = {
    LoreCategory.HISTORY: ("The Fall of {subject}", "The Founding of {subject}", "The War for {subject}"),
    LoreCategory.RELIGION: ("The Faith of {subject}", "The Rites of {subject}", "The Saints of {subject}"),
    LoreCategory.GEOGRAPHY: ("The Lands of {subject}", "A Traveller's Guide to {subject}", "The Wilds of {subject}"),
    LoreCategory.CULTURE: ("The Customs of {subject}", "Feast Days of {subject}", "The Songs of {subject}"),
    LoreCategory.MAGIC: ("The Arcana of {subject}", "On the Magic of {subject}", "The Wellspring of {subject}"),
    LoreCategory.CREATURE: ("The Beast of {subject}", "A Bestiary of {subject}", "The Hunters of {subject}"),
    LoreCategory.ARTIFACT: ("The Relic of {subject}", "The Crown of {subject}", "The Lost Blade of {subject}"),
    LoreCategory.FACTION: ("The Order of {subject}", "The Rise of {subject}", "Secrets of the {subject} Guild"),
    LoreCategory.LEGEND: ("The Legend of {subject}", "The Ballad of {subject}", "The Prophecy of {subject}"),
}
LORE_OPENINGS = {
    LoreCategory.HISTORY: "Long before the present age, {subject} was the jewel of {place}.",
    LoreCategory.RELIGION: "The faithful of {place} light candles for {subject} at every dusk.",
    LoreCategory.GEOGRAPHY: "Beyond {place} lies {subject}, a country of {feature}.",
    LoreCategory.CULTURE: "No one from {place} forgets their first festival of {subject}.",
    LoreCategory.MAGIC: "The scholars of {place} say the power of {subject} flows like water under stone.",
    LoreCategory.CREATURE: "Hunters in {place} speak of {subject} only in whispers.",
    LoreCategory.ARTIFACT: "Forged in the fires beneath {place}, {subject} was never meant to leave its vault.",
    LoreCategory.FACTION: "Nobody knows who founded {subject}, only that it was born in {place}.",
    LoreCategory.LEGEND: "Every child in {place} knows the tale of {subject}, though no two tell it alike.",
}
LORE_SENTENCES = (
    "The oldest accounts speak of {word} and of a bargain struck under a red moon.",
    "Some claim {race} were the first to understand it; others call that vanity.",
    "{Faction} has sought to control its story for generations.",
    "Records from {place} mention it thrice, each time just before a disaster.",
    "Pilgrims still leave offerings of salt and iron where it was last seen.",
    "Its name is spoken carefully, for it is said to answer when called.",
    "A mad poet of {place} wrote a hundred verses about {word} and then vanished.",
    "Even now, travellers report strange omens whenever {word} is mentioned.",
    "What is certain is that {place} has never been the same.",
    "The tale has grown in the telling, but its core has not changed: {word} endures.",
    "Scholars disagree on the dates, but agree that the cost was terrible.",
    "It is tied, they say, to the {feature} at the edge of the known world.",
)
LORE_CLOSINGS = (
    "Whether truth or fable, {subject} shapes the lives of many to this day.",
    "Those who seek {subject} are warned: not every door should be opened.",
    "And so the story of {subject} waits for its next chapter.",
    "The last word on {subject} has yet to be written.",
)
CATEGORY_TOPICS = {
    LoreCategory.HISTORY: ("The Old Empire", "The Long War", "The Founding Kings"),
    LoreCategory.RELIGION: ("The Silent Gods", "The Temple of Dawn", "The Saints' Road"),
    LoreCategory.GEOGRAPHY: ("The Border Marches", "The Great River", "The Uncharted West"),
    LoreCategory.CULTURE: ("The Harvest Feast", "The Guild Songs", "The Naming Rites"),
    LoreCategory.MAGIC: ("The Weave", "The Rune Schools", "The Wild Magic"),
    LoreCategory.CREATURE: ("The Hunters' Lodge", "The Beast Wars", "The Deep Places"),
    LoreCategory.ARTIFACT: ("The Lost Vaults", "The Forge of Stars", "The Crown Jewels"),
    LoreCategory.FACTION: ("The Guild Wars", "The Council of Nine", "The Secret Orders"),
    LoreCategory.LEGEND: ("The First Heroes", "The Prophecy of Ash", "The Sleeping King"),
}

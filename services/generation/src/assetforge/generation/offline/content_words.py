"""The word lists the offline content writer draws its NPCs and dialogues from: names,
traits, places, looks, habits and lines, fantasy-flavoured and a few dozen of each, so
twenty prompts give twenty different NPCs. Templates take ``str.format`` slots
(``{name}``, ``{home}``, ``{topic}``, ...) that ``content.py`` fills. Quests have theirs
in ``content_quest_words``, lore and world outlines in ``content_world_words``.

Short words are written as one string each list, split by :func:`split` (by spaces, or by
``;`` for phrases), which keeps a list of forty words on four lines.
"""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def split(text: str, separator: str | None = None) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(separator) if part.strip())


def pairs(text: str) -> dict[str, str]:
    """``"a:b c:d"`` as ``{"a": "b", "c": "d"}``."""
    return {key: value for key, _, value in (pair.partition(":") for pair in split(text))}


def vocabulary(groups: dict[T, str]) -> dict[str, T]:
    """Each word of each group's string, mapped to its group."""
    return {word: group for group, text in groups.items() for word in split(text)}


STOPWORDS = frozenset(
    split(
        "a an the of and or to in on at for with from by about into onto who whom that this these those is are was "
        "were be been his her their its my your our some any very named called near under over after before against "
        "while where when what which than then there here has have had not but also just one two three many much more "
        "most few all quest npc dialogue lore world story tale write make create generate give want wants need needs"
    )
)
IRREGULAR_PLURALS = pairs(
    "wolves:wolf elves:elf dwarves:dwarf thieves:thief men:man women:woman children:child knives:knife "
    "lives:life leaves:leaf"
)

NAME_STARTS = split(
    "Bor Ael Thra Mor Eli Gar Ket Lia Dra Fen Isol Jor Kael Lor Mira Nes Orr Pel Quen Ras Syl Tor Ulf Vael"
)
NAME_ENDS = split(
    "in wyn ric a eth ion ar is dan ra mund elle os ak uin ith ora grim bert iel ax enna vor ald wen us ek"
)
SURNAMES = split(
    "Ironhand Ashdown Brightwater Stormbrow Thornfield Blackbriar Coppervein Duskwalker Emberly Fairweather "
    "Greymantle Hollowell Kettleburn Longstride Mossbottom Nightingale Oakheart Proudfoot Quickwater Ravensong "
    "Saltmarsh Tallow Underhill Valewright Whitlock Yarrow Goldbeard Flintlock Brambleby Cinderfell Deepdelve"
)
PLACE_STARTS = split(
    "Oak Ash Raven Stone Mill Thorn Frost Silver Elder Wolf Gold Briar Dun High Mist Storm Black Red Willow Iron "
    "Amber Hollow Salt Crow Moon Deep Fair Grey Wind Bright"
)
PLACE_ENDS = split(
    "vale ford brook haven hold mere wick stead fall gate moor watch field crest barrow reach hollow keep march port "
    "dell mouth ridge shire"
)

# Prompt words that name an archetype, mapped to it.
ARCHETYPE_WORDS = vocabulary(
    {
        "blacksmith": "blacksmith smith armorer armourer weaponsmith",
        "merchant": "merchant trader shopkeeper peddler",
        "innkeeper": "innkeeper barkeep bartender tavernkeeper",
        "guard": "guard watchman sentry",
        "wizard": "wizard mage sorcerer sorceress warlock",
        "priest": "priest priestess cleric",
        "hunter": "hunter trapper",
        "thief": "thief pickpocket burglar",
        "bard": "bard minstrel musician",
        "alchemist": "alchemist apothecary",
        "scholar": "scholar sage",
        "librarian": "librarian archivist",
        "noble": "noble lord lady duke duchess",
        "mercenary": "mercenary sellsword",
        "fisherman": "fisherman fisher",
        "tailor": "tailor seamstress",
        "cook": "cook chef",
        "jeweler": "jeweler jeweller",
        "cartographer": "cartographer mapmaker",
    }
) | {
    word: word
    for word in split(
        "knight healer ranger assassin farmer sailor captain herbalist miner king queen soldier necromancer druid "
        "shaman baker hermit witch paladin monk pirate smuggler scout stablemaster gravedigger"
    )
}
ARCHETYPES = tuple(dict.fromkeys(ARCHETYPE_WORDS.values()))
TRAITS = split(
    "grumpy cheerful brave cowardly greedy generous wise foolish curious suspicious loyal cunning kind cruel proud "
    "humble honest deceitful stubborn patient impatient melancholic jovial secretive ambitious lazy diligent pious "
    "sarcastic gentle fierce nervous calm eccentric witty stern reckless cautious charming bitter shy boastful"
)
GRUFF_TRAITS = frozenset(split("grumpy suspicious cruel bitter stern greedy proud impatient sarcastic fierce boastful"))

BUILDS = split(
    "stout wiry towering stooped broad-shouldered slender weathered gaunt portly lithe scarred graceful hulking "
    "small lanky sturdy elderly youthful wind-burned pale"
)
FEATURES = split(
    "a braided beard; a missing ear; ink-stained fingers; a jagged scar across one cheek; bright, restless eyes; "
    "soot-blackened hands; silver-streaked hair; a crooked smile; tattooed forearms; a patch over one eye; "
    "calloused palms; a hawkish nose; freckled cheeks; a shaved head; long, unkempt hair; a booming laugh; "
    "a nervous twitch; rings on every finger; a limp in the left leg; sharp, watchful eyes; burn marks on both arms; "
    "a neatly trimmed moustache; a voice like gravel",
    ";",
)
CLOTHING = split(
    "a leather apron; a travel-stained cloak; fine embroidered silks; patched wool; dented chainmail; "
    "robes the colour of dusk; a fur-lined coat; a faded military tabard; a wide-brimmed hat; boots caked in mud; "
    "a belt hung with pouches; a sailor's oilskin; a threadbare scholar's gown; polished plate; a hooded mantle; "
    "a jerkin of boiled leather; bright motley; a priest's stole",
    ";",
)
BACKSTORIES = (
    "{name} learned the {archetype}'s trade from a stern old master and never left {home}.",
    "A fire took everything {name} owned, and the road has been home ever since.",
    "{name} once served in a border garrison and still wakes at the sound of horns.",
    "Orphaned young, {name} was raised by travelling players and knows a hundred songs.",
    "{name} came to {home} to escape a debt that has not stopped following.",
    "Rumour says {name} was born to nobility and gave it all up for a quieter life.",
    "{name} spent ten years at sea before settling in {home} as a {archetype}.",
    "After a winter lost in the mountains, {name} returned changed and rarely speaks of it.",
    "{name} inherited the family's work in {home} along with its many secrets.",
    "A wandering {archetype}, {name} has seen every corner of the realm and trusts none of them.",
    "{name} lost a sibling to the wilds beyond {home} and still searches for answers.",
    "Once an apprentice to a court wizard, {name} fled after an experiment went wrong.",
    "{name} won a fortune at cards, lost it the same night, and took up the {archetype}'s life.",
    "The folk of {home} remember when {name} drove off a pack of wolves with a torch.",
)
HABITS = split(
    "rises before dawn; haggles over every coin; hums old war songs while working; keeps a wary eye on strangers; "
    "feeds the stray cats of the square; never turns away a hungry traveller; counts the day's takings twice; "
    "talks to the tools as if they were old friends; drinks alone at the tavern each night; "
    "collects rumours the way others collect coins; prays at the shrine every dusk; avoids the guards; "
    "tells tall tales to anyone who listens; sharpens a blade when thinking; writes letters that are never sent; "
    "trades favours rather than coin; keeps a ledger of every slight; gives advice whether or not it is wanted; "
    "walks the walls at midnight; carves small wooden animals for children; bets on anything at all",
    ";",
)
GREETINGS = {
    "warm": (
        "Well met, traveller! Welcome to {home}.",
        "Ah, a new face! {name} at your service.",
        "Come in, come in, out of the cold. What brings you to {home}?",
        "Good day to you, friend. Looking for a {archetype}? You've found the best one.",
        "Blessings on your road. Sit a while and tell me the news.",
        "Hello there! You look like someone with a story to tell.",
    ),
    "gruff": (
        "What do you want? Make it quick.",
        "Hmph. Another stranger in {home}. Speak your business.",
        "If you're not buying, you're in the way.",
        "I've no time for idle chatter. What is it?",
        "Stop gawking. Do you need a {archetype} or not?",
        "You've got the look of trouble. Out with it.",
    ),
}
FAREWELLS = {
    "warm": (
        "Safe travels, and come back soon!",
        "May the road rise to meet you.",
        "Mind how you go. {home} will be here when you return.",
        "Farewell, friend. Don't be a stranger.",
    ),
    "gruff": (
        "Off with you, then.",
        "Don't let the door hit you on the way out.",
        "Finally. Some peace and quiet.",
        "Go on. And stay out of trouble.",
    ),
}
LINES = (
    "Mind the road past {home} after dark.",
    "Folk say {topic} has not been the same since the last storm.",
    "A {archetype}'s work is never done, not in times like these.",
    "If you want my advice, stay clear of {place}.",
    "Prices have doubled since the caravans stopped coming.",
    "I heard something moving in the hills last night. Something big.",
    "My grandmother always said {place} was cursed. I'm starting to believe her.",
    "Bring me something worth my while and I'll make it worth yours.",
    "The old songs tell of {topic}, but nobody sings them any more.",
    "You didn't hear it from me, but the guards are looking for someone.",
    "There's good coin in {place} for those brave enough to go.",
    "Every {archetype} in {home} owes me a favour. Well, most of them.",
    "Keep your purse close; {home} is full of quick hands.",
    "They say a stranger asked about {topic} just yesterday.",
)
FACTION_LINES = (
    "{Faction} pays well, but they never forget a debt.",
    "Watch what you say; {faction} has ears everywhere.",
    "I've no love for {faction}, and they've none for me.",
)

# Dialogue: a choice's label, what the player says when choosing it, and the NPC's answer.
CHOICES = (
    (
        "Ask about {topic}.",
        "What can you tell me about {topic}?",
        "{Topic}? Few ask about that. It began near {place}.",
    ),
    ("Offer to help.", "You look troubled. Can I help?", "Perhaps you can. Something is wrong out at {place}."),
    ("Ask for work.", "Got any work for me?", "Work? There's always work for someone who asks about {topic}."),
    ("Ask about {place}.", "What is {place} like?", "{place} was peaceful once. Now folk lock their doors at night."),
    (
        "Ask for rumours.",
        "Heard any rumours lately?",
        "Only that {topic} has people spooked. Make of that what you will.",
    ),
    ("Threaten them.", "Tell me what you know, or else.", "Easy now! All I know is that {topic} leads to {place}."),
    ("Ask who they are.", "Who are you, exactly?", "Just someone who has seen too much of {topic}, that's who."),
    ("Ask about the road.", "Is the road ahead safe?", "Not since {topic}. Stay off it after dark."),
    ("Ask for a favour.", "Could you do me a favour?", "That depends. Bring me word of {topic} and we'll talk."),
    ("Share news.", "I've come from {place}. It's bad there.", "Worse than I feared, then. {Topic} must be behind it."),
)
PLAYER_CUES = ("(Listen.)", "(Wait for an answer.)", "(Nod.)", "Go on.", "(Lean closer.)", "Continue.")
GOODBYES = ("Farewell, {name}.", "I should be going.", "Thank you. I'll be on my way.", "Enough talk. Goodbye.")
ENDINGS = ("Farewell.", "I'll keep that in mind.", "Thank you, that's all.", "Goodbye for now.", "(Leave.)")
BACK = ("I have another question.", "Let me ask something else.", "One more thing...")
TOPICS = split(
    "the missing caravan; the old mine; the lights in the marsh; the cursed well; the new lord; the howling at night; "
    "the sealed vault; the burned mill; the stranger in black; the silent bells; the empty shrine; the broken seal; "
    "the falling prices; the sick cattle; the hidden cove",
    ";",
)

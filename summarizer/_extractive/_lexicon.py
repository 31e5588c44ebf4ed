"""The engine's vocabularies: word lists, and the patterns compiled from them and the gazetteer.

Data, not rules: each list says what it feeds, and the rule modules only read it. The kinds that
the gazetteer and the cue words give are checked against ActorKind at import, so a misspelt kind
fails at once rather than at the first article that uses it.
"""

from __future__ import annotations

import re

from .._brief import ActorKind
from .._gazetteer import (
    ARMED_NAME_WORDS,
    COUNTRIES,
    GROUP_HEADS,
    GROUP_QUALIFIERS,
    KIND_CUES,
    KNOWN_ORGS,
    METONYMS,
    MONTHS,
    SPEECH_VERBS,
    TERRITORIES,
    TITLES,
    WEEKDAYS,
)
from .._text import alternation

# ---------------------------------------------------------------------------------------------
# Numbers written as words, one list for every rule: one to twelve, the tens to fifty, then the
# plurals that stand for many.

NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                "eleven", "twelve", "twenty", "thirty", "forty", "fifty",
                "dozens", "hundreds", "thousands")
ONE_TO_TEN = NUMBER_WORDS[:NUMBER_WORDS.index("ten") + 1]
ONE_TO_TWELVE = NUMBER_WORDS[:NUMBER_WORDS.index("twelve") + 1]
TENS = NUMBER_WORDS[len(ONE_TO_TWELVE):NUMBER_WORDS.index("fifty") + 1]
MANY = NUMBER_WORDS[NUMBER_WORDS.index("dozens"):]

# ---------------------------------------------------------------------------------------------
# Sources: who says so.

SPEECH = "|".join(SPEECH_VERBS)

DOCUMENT_VERBS = r"found|showed|shows|documented|recorded|purported to show|appeared to show"

DOCUMENT_TAILS = ("report", "study", "survey", "investigation", "inquiry", "review", "tally",
                  "count")

# What a lead source covers: all that follows a verb of speech; an object of "reported" or
# "claimed" only up to the end of its phrase ("reported civilian casualties and ...").
OBJECT_VERBS = frozenset("reported claimed announced confirmed denied cited noted".split())

DOCUMENTS = frozenset("report study survey investigation inquiry review video footage images "
                      "data figures tally count statement".split())
PRONOUNS = {"he": "person", "she": "person", "it": "org", "they": "org"}
# Words that say what kind of body spoke, not which: "the international organization said".
KIND_WORDS = frozenset("organization organisation group network agency body monitor watchdog "
                       "broadcaster outlet channel newspaper charity movement report statement "
                       "study survey".split())
# Words that leave a kind a kind ("the aid group", "the world body", "the Britain-based war
# monitor"); any other word names which body it is ("the civil defence agency").
KIND_ADJECTIVES = frozenset("international aid rights human humanitarian relief medical charity "
                            "monitoring government-run state-run state local world global "
                            "regional non-governmental war news u.n. un".split())
QUOTE_MARKS = ("\"", "\u201c", "'", "\u2018")
# What can claim lives or report a toll without being anyone's source.
EVENTS = frozenset("conflict war fighting violence attack attacks bombing bombings strike strikes "
                   "offensive clashes uprising insurgency siege raid raids blast explosion "
                   "crisis famine epidemic".split())
NOBODY = frozenset("reports people they we i you".split())

# ---------------------------------------------------------------------------------------------
# Actors: names, kinds, groups and roles.

# Group heads that name a body that can speak for itself (not "soldiers" or "civilians").
SPEAKING_BODIES = frozenset("coalition army military police government ministry forces "
                            "alliance militia authorities council command".split())

# Verbs after a name that make it a party to the events: it acts, or is or has something.
ACTING_VERBS = (
    "called|urged|launched|attacked|struck|killed|captured|claimed|denied|"
    "accused|blamed|backed|sent|carried|fired|shelled|condemned|agreed|vowed|threatened|"
    "responded|retook|seized|stormed|deployed|pledged|suspended|apologized|pressed|"
    "stepped|traded|waged|wants|hoped|signed|met|recaptured|targeted|authorized|"
    "intended|lent|intervene|mounted|entered|stopped|saw|watched|fought|fled|"
    "reported|believes|runs|expanded|retains|attempted|is|was|has|have|had"
)
# Capitalised words that start no name: function words, dates, bylines.
ACTOR_SKIP = {w for w in MONTHS if len(w) > 4 or w == "may"} | set(WEEKDAYS) | {
    "the", "a", "an", "in", "on", "at", "but", "and", "it", "he", "she", "they", "we", "i",
    "this", "that", "there", "these", "those", "after", "before", "since", "when", "while",
    "as", "if", "photo", "file", "among", "also", "however", "meanwhile", "earlier", "later",
    "last", "according", "some", "many", "his", "her", "their", "its", "our", "one", "two",
    "ahead", "under", "with", "without", "during", "despite", "for", "from", "of", "to", "by",
    "both", "another", "other", "more", "most", "all", "overall", "increasingly", "such",
    "then", "what", "who", "why", "how", "where", "until", "about", "around", "over", "near",
    "mr", "mrs", "ms", "dr", "sir", "western", "eastern", "northern", "southern", "central",
    "editing", "reporting", "writing", "additional", "continue", "read", "related", "weeping",
    "several", "each", "any", "no", "not", "yet", "so", "still", "only", "even", "just",
    "once", "now", "here", "today", "tomorrow", "yesterday", "tonight", "suddenly", "women",
    "witnesses", "activists", "calls", "tension", "residents", "investigators",
}

COUNTRY_SET = {c.lower() for c in COUNTRIES}
METONYM_SET = {c.lower() for c in METONYMS}
TITLE_RE = re.compile(r"\b" + alternation(TITLES) + r"\s*$", re.I)
ORG_HEAD = re.compile(
    r"\b(?:Forces|Force|Army|Party|Front|Council|Ministry|Union|Nations|Observatory|Agency|"
    r"Committee|Mission|Brigades?|Militia|Movement|Organi[sz]ation|Group|Office|Department|"
    r"Guard|Police|Command|Authority|Institute|Watch|Borders|Cross|Crescent|Network|"
    r"Corps|Battalion|Coalition|Alliance|League|Commission|Service|Program|Programme|Fund|"
    r"State|Haram|Taliban|Qaeda|Shabab|News|TV|Radio|Times|Post|Foundation|Society|"
    r"Federation|Association|Center|Centre|University|Hospital|Airways)\b"
)

# Gazetteer look-ups compiled once: a name's known kind, and every cue with its kind.
# Lower-case words start with common letters, so skipping to first letters gains little; a
# look-behind first rejects every offset inside a word at once: about twice as fast.
KNOWN_RE = re.compile(r"(?<!\w)" + alternation([k for k in KNOWN_ORGS if len(k) > 2]) + r"(?!\w)")
KNOWN_LONG_RE = re.compile(
    r"(?<!\w)" + alternation([k for k in KNOWN_ORGS if len(k) > 3]) + r"(?!\w)")
CUE_KIND = {cue: kind for kind, cues in reversed(KIND_CUES) for cue in cues}
CUE_RE = re.compile(r"(?<![\w.])" + alternation(list(CUE_KIND)) + r"(?!\w)")
COUNTRY_RE = re.compile(alternation(COUNTRIES, r"[\w-]") + r"(?![\w-])")
TITLE_SPLIT = re.compile(
    r"^(?P<pre>.*?)\b(?P<title>(?i:" + alternation([t for t in TITLES if t[0].isalpha()])
    + r"))\s+(?P<rest>[A-Z].*)$"
)

WEAK_ARMED = {"group", "front", "movement"}
WEAK_ARMED_HEAD = re.compile(r"\b(?:group|front|movement)\b")
ARMED_NAME_RE = re.compile(r"\b" + alternation(ARMED_NAME_WORDS) + r"\b")
# Words near a "Group"/"Front" name that make it an armed one after all.
ARMED_CONTEXT = re.compile(
    r"\b(?:militants?|militias?|armed|rebels?|rebellion|jihadists?|jihad|fighters|insurgents?|"
    r"insurgency|gunmen|guerrillas?|attacks?|attacked|ambush\w*|bomb\w*|claimed responsibility|"
    r"terror\w*|extremists?|offensive|fought|fighting|weapons|hostages?)\b", re.I)
TERRITORY_SET = {t.lower() for t in TERRITORIES}

GROUP_RE = re.compile(
    r"(?P<qual>(?:(?:[A-Z][\w.'\u2019-]*|" + alternation(GROUP_QUALIFIERS) + r")\s+){0,3})"
    r"(?P<head>(?<![\w-])" + alternation(GROUP_HEADS) + r")\b"
    r"(?P<loyal>\s+loyal to\s+(?:[A-Z][\w.'\u2019-]*\s*){1,4})?",
)
GROUP_HEAD = re.compile(r"(?<![\w-])" + alternation(GROUP_HEADS) + r"\b")  # not "paramilitary"

QUALIFIER_SET = frozenset(GROUP_QUALIFIERS)

# Past tenses and present forms that no "-ed" rule finds: the verb of a role.
IRREGULAR = (
    "fled|struck|fought|led|held|took|sent|met|began|left|made|won|lost|shot|hit|kept|ran|runs|"
    "gave|brought|built|came|went|rose|fell|says|said|told|wants|hopes|believes|retains|seeks|"
    "sought|blames|claims|denies|controls|holds|leads|fights|took|stood|overran|swept|drove|"
    "withdrew|bombed|shelled|put|set|cut|beat|stole|hid|knew|found|saw|heard|spoke|wrote|chose"
)

# Words that end a role's first phrase ("struck the stronghold ... and hundreds").
CONJUNCTION = {"and", "as", "while", "but", "after", "before", "because", "when", "whereas"}

# Words a role may not end with.
ROLE_TRIM = {
    "and", "or", "but", "the", "a", "an", "as", "of", "in", "on", "at", "to", "by", "for", "with",
    "from", "its", "their", "his", "her", "that", "which", "who", "while", "after", "before",
    "into", "than", "was", "were", "is", "are", "has", "have", "had", "said", "this", "these",
    "some", "over", "about", "against", "despite", "under", "during", "since", "would", "will",
    "western", "eastern", "northern", "southern", "central", "more", "most",
}

# Words in a group's qualifiers that make it an armed one: "rebel forces", "Islamist fighters".
ARMED_QUALIFIERS = ("rebel", "insurgent", "militant", "opposition", "islamist")
# Regions: background, not parties or places of the events.
REGIONS = {"middle east", "europe", "africa", "sahel", "south caucasus", "west africa", "asia"}
# Words that a group's qualifiers may not start with: one set, one look-up.
GROUP_LEAD_SKIP = frozenset(ACTOR_SKIP | set(MONTHS) | {*ONE_TO_TWELVE, *MANY, "several", "many"})

# ---------------------------------------------------------------------------------------------
# Places.

# Suffixes naming an administrative area: the name before them is a province, not a town.
ADMIN_SUFFIX = {"province", "region", "district", "state", "county", "governorate"}

MACRO_REGIONS = REGIONS | {"east africa", "north africa", "horn of africa", "middle east",
                             "latin america", "central asia", "southeast asia", "the gulf"}

QUALIFIED_NOUNS = {
    "government", "officials", "official", "people", "city", "town", "capital", "authorities", "man",
    "men", "women", "president", "minister", "state", "media", "security", "side", "territory",
    "border", "village", "civilians", "refugees", "nationals", "muslim", "muslims", "group",
    "groups", "leader", "leaders", "militant", "insurgency", "community", "areas", "region",
}
COMPASS = {"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest"}
GEO_NOUNS = {"sea", "river", "valley", "mountains", "lake", "gulf", "desert", "coast", "ocean", "bay"}

# Nouns whose "of" names an institution or an office rather than a place: "head of the X".
OFFICE_NOUNS = {
    "chairman", "chairwoman", "chair", "head", "director", "member", "members", "chief", "leader",
    "leaders", "spokesman", "spokeswoman", "spokesperson", "secretary", "founder", "minister",
    "ministry", "department", "office", "faculty", "council", "committee", "board", "president",
}

# Capitalised words that follow "of"/"in"/"into" yet name no place: a technology ("the Internet").
NON_PLACE_WORDS = {
    "internet", "web", "online", "facebook", "twitter", "whatsapp", "telegram", "youtube",
    "instagram", "tiktok", "google", "wikipedia", "email", "bluetooth", "wifi", "wi-fi",
}
# The last word of an event or an era ("Arab Spring"), not a place.
EVENT_TAIL = {
    "spring", "revolution", "revolutions", "war", "wars", "uprising", "intifada", "crisis",
    "summit", "conference", "olympics", "games", "cup", "accords", "accord", "agreement",
    "treaty", "era", "age", "empire", "dynasty", "period", "prize", "award", "festival",
}

# Words after "Roman" that show it is no adjective before a noun.
NOT_NOUN = {
    "in", "on", "at", "of", "to", "for", "from", "by", "with", "and", "or", "but", "as", "is",
    "was", "were", "are", "has", "had", "have", "said", "says", "where", "which", "who", "that",
    "after", "before", "during", "when", "while", "into", "near", "since", "until", "over",
}

# ---------------------------------------------------------------------------------------------
# Outlook: words that look forward, strongly or weakly.

STRONG_CUES = [
    "will", "won't", "shall", "expected", "expects", "expect", "likely", "unlikely", "plan", "plans",
    "planned", "planning", "intend", "intends", "intended", "vowed", "vows", "warned", "warns",
    "threatened", "threatens", "aim to", "aims to", "set to", "going to", "weeks away", "days away",
    "months away", "coming days", "coming weeks", "coming months", "coming years", "next week",
    "next month", "next year", "next step", "soon", "upcoming", "prepare to", "prepares to",
    "prepared to", "preparing to", "to meet", "future", "hope", "hopes", "hoped", "enduring", "would",
]
WEAK_CUES = ["could", "may", "might", "possible", "potentially", "risk", "fear", "fears"]

STRONG_SET = frozenset(STRONG_CUES)


def _check_kinds() -> None:
    """Every kind the vocabularies give is an ActorKind."""
    given = {*KNOWN_ORGS.values(), *CUE_KIND.values(), *GROUP_HEADS.values()}
    given |= {kind for kind in TITLES.values() if kind is not None}
    unknown = given - {kind.value for kind in ActorKind}
    if unknown:
        raise ValueError(f"kinds that ActorKind lacks: {sorted(unknown)}")


_check_kinds()

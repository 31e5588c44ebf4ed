"""The words figure semantics reads, apart from the rules that read them: cue words keyed by the
category they set, the nouns of what is counted by class, and the small words of a clause's
grammar. Checked at import: a cue sets one category, and every word is lower-case."""

from __future__ import annotations

from .._brief import NumberCategory

C = NumberCategory

# What happened to what a figure counts, by the words that say so. Multi-word cues are matched
# as token sequences.
CATEGORY_WORDS: dict[NumberCategory, tuple[str, ...]] = {
    C.killed: (
        "killed", "killing", "kill", "kills", "dead", "died", "die", "dies", "dying", "slain",
        "murdered", "executed", "beheaded", "perished", "assassinated", "massacred", "slaughtered",
        "lost their lives", "shot dead", "gunned down", "deaths", "death", "death toll", "toll",
        "bodies", "lives", "fatalities", "corpses", "fatally", "neutralised", "neutralized",
        "eliminated", "lost", "losing", "losses", "killings", "buried", "killing of",
    ),
    C.other: ("held out", "holding out"),
    C.wounded: (
        "wounded", "wounding", "wound", "wounds", "injured", "injuring", "injure", "injuries",
        "injury", "hurt", "maimed", "lost limbs", "taken to hospital", "taken to hospitals", "hospitalised",
        "hospitalized", "treated for",
    ),
    C.displaced_or_fled: (
        "fled", "flee", "flees", "fleeing", "displaced", "displacing", "displace", "uprooted",
        "evacuated", "forced from their homes", "forced from homes", "forced out", "crossed into",
        "crossed the border", "crossed from", "left their homes", "from their homes",
        "abandoned their homes", "lost their homes", "refugees", "made homeless", "homeless",
        "unable to return",
        "sought refuge", "sought shelter", "sheltering", "evacuation of",
    ),
    C.detained: (
        "arrested", "detained", "abducted", "kidnapped", "hostages", "hostage", "captured", "held",
        "jailed", "imprisoned", "prisoners", "prisoner", "detainees", "captives", "taken hostage",
        "taken captive", "freed", "released", "rescued", "seized", "rounded up", "hold", "holds",
        "holding", "kidnappings", "abductions", "arrests", "abduction of", "kidnapping of",
        "arrest of",
    ),
    C.troops_or_fighters: (
        "deployed", "holed up", "stationed", "mobilised", "mobilized", "massed", "amassed",
        "dispatched", "recruited", "conscripted",
    ),
    C.vehicles_or_equipment: ("destroyed", "shot down", "downed"),
}
# Counts of people whose fate the clause states as unknown: no category of their own, but counts.
MISSING = ("missing", "unaccounted for")
# Counted for both of the two main casualty categories.
BOTH_CASUALTIES = ("casualties", "casualty")
# Cues that only speak after the figure: "20,000 civilians had left Baghouz" fled, but "the
# attack left 60 dead" does not say 60 fled.
AFTER_ONLY: dict[str, NumberCategory] = {"left": C.displaced_or_fled, "taken": C.detained}
# Cues that only speak before the figure: "they took 73 people" were detained, but "3,000
# soldiers took part" were not.
BEFORE_ONLY: dict[str, NumberCategory] = {"took": C.detained, "taking": C.detained,
                                          "take": C.detained}
# Cues that are nouns: they name what is counted rather than end its phrase ("19 bodies").
CUE_NOUNS = frozenset("hostages hostage refugees prisoners detainees captives deaths bodies lives "
                      "fatalities casualties injuries corpses toll kidnappings abductions arrests "
                      "killings losses".split())
# What a cue's verb form says was done to those counted: "killing 14" counts the people killed.
PARTICIPLE = {
    "killing": "killed", "kill": "killed", "kills": "killed", "die": "died", "dies": "died",
    "dying": "died", "wounding": "wounded", "wound": "wounded", "injuring": "injured",
    "injure": "injured", "flee": "fled", "flees": "fled", "fleeing": "fled",
    "displacing": "displaced", "displace": "displaced",
}
# What a person counted under each category underwent, for "the death toll at 27".
PERSONS_DONE = {C.killed: "killed", C.wounded: "wounded", C.displaced_or_fled: "displaced",
                C.detained: "detained"}
# What follows "held" or "taken" when people are held: "held by", "taken hostage".
HELD_BY = frozenset("by hostage hostages captive captives prisoner prisoners away in".split())
# Nouns of a tally brought to a figure: "the death toll rose to 68".
TALLIES = frozenset("number total toll tally count figure".split())

# Nouns of what is counted, by class.
MATERIEL = frozenset("""
tank tanks vehicle vehicles truck trucks jeep jeeps car cars aircraft plane planes warplanes
jet jets helicopter helicopters drone drones weapon weapons rifle rifles gun guns rocket rockets
missile missiles mortar mortars shell shells artillery launchers explosives explosive mines
ammunition boat boats ship ships vessels warships armoured armored pieces firearms arms munitions
grenades pistols cartridges carriers howitzers devices systems
""".split())
UNITS_OF = frozenset("kilograms kilogrammes kg tons tonnes pounds lbs crates boxes".split())
THINGS = frozenset("""
village villages town towns city cities district districts province provinces country countries
nation nations nationalities region regions state states strike strikes airstrike airstrikes
attack attacks bomb bombs bombing bombings raid raids sortie sorties position positions base bases
checkpoint checkpoints home homes house houses building buildings hospital hospitals school
schools tunnel tunnels incident incidents operation operations mission missions site sites target
targets camp camps neighborhood neighborhoods neighbourhood neighbourhoods area areas hectares
acres times occasions languages points seats votes cases clashes battles fronts mosques
churches bridges roads factories videos photos statements letters reports resolutions
agreements deals talks sessions meetings companies hotels shops markets hideouts compounds
outposts posts bunkers trenches shelters
""".split())
FORCES = frozenset("""
troops soldiers soldier fighters fighter militants militant jihadists jihadist rebels rebel
insurgents insurgent servicemen serviceman personnel gunmen gunman commandos policemen police
officers
militiamen recruits attackers attacker assailants assailant reinforcements combatants marines
peacekeepers paratroopers forces brigades battalions units divisions bombers guerrillas
""".split())
# Things whose small counts ("three air strikes") are reportable although no person is counted.
MILITARY_THINGS = frozenset("strike strikes airstrike airstrikes raid raids sortie sorties "
                            "village villages position positions base bases checkpoint "
                            "checkpoints town towns".split())
# Plural nouns that end no "s": a noun phrase ends at them.
PLURALS = frozenset("people men women children aircraft".split())

# The small words of a clause.
AUX = frozenset("""
was were is are be been being have has had will would could may might must should can also all
both reportedly allegedly later then now still subsequently either each already eventually
ultimately apparently believed thought feared said reported confirmed known presumed to not
""".split())
PREPOSITIONS = frozenset("from in of on at near inside across outside around".split())
DETERMINERS = frozenset("the its their his her those these our your whom them".split())
# Words that may stand between a governing word and its figure: "killed at least", "injured
# another", "put the death toll at", "the toll could rise to as high as".
BRIDGE = frozenset("""
the a an another other further additional total of all some only just at to rose rise risen
raised climb climbed increased jumped reached stood stands is was has had have be been could would
may might now put were are included includes include more than as many high up over least about
around nearly almost roughly approximately estimated close upwards excess no fewer less most under
well minimum maximum " \u201c \u201d '
""".split())
ASIDE_START = ("including", "or", "among them", "among whom", "of whom", "as well as", "mostly",
               "most of them", "many of them", "some of them", "all of them", "among those",
               "mainly", "both")
CLAUSE_WORDS = frozenset("and or but while as when after before because which who that whereas "
                         "since although though where".split())
SPEECH = frozenset("said says told added reported stated announced confirmed claimed estimated "
                   "estimates believes wrote tweeted noted warned".split())
# Words that never stand in the noun phrase after a figure, besides the auxiliaries,
# prepositions, clause words and verbs of speech.
NOT_NOUN_PHRASE = frozenset(
    "by for with into during over among than says out up off down back away there here against "
    "onto toward towards through per each every".split())
# "20 or more bodies": the words after "or" that bound a figure.
OR_BOUND = frozenset("more so less fewer".split())
# Marks that end a clause whatever stands around them.
HARD_STOPS = frozenset(";:.()\u2014\u2013")

# What ends the phrase that a figure counts, in words: "in clashes [and ...]".
TRIM_END = frozenset("the a an of and or in on at by for to with from its their his her that "
                     "which who this these those over since during".split())
PHRASE_STARTS = frozenset("in at on near with of from by over between during since across".split())

# Which numbers are no counts, by the words around them.
SMALL_WORDS = frozenset({"one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                         "ten"})
# Words that end the text before a figure that is no count: "when he was 16", "in 2014" (the
# months are the gazetteer's).
NO_COUNT_BEFORE = (
    "aged", "age", "no.", "number", "page",
    "country of", "nation of", "population of", "city of", "town of", "population",
    "resolution", "article", "flight", "route", "highway", "since", "in", "by", "until",
    "of the", "he was", "she was", "he is", "she is", "i was", "turned",
)
# Units after a figure that is no count: those that may begin a longer word ("years") and
# those that must end one ("km", not "kmh").
NO_COUNT_UNIT_STEMS = (
    "%", "year", "month", "week", "day", "hour", "minute", "second", "decade", "centur",
    "kilomet", "mile", "meter", "metre", "yard", "square", "acre", "hectare", "a.m.", "p.m.",
    "o'clock", "dollar", "euro", "pound", "degree", "storey", "story", "floor", "percentage",
    "point",
)
NO_COUNT_UNITS = (
    "percent", "per cent", "pct", "km", "kms", "feet", "foot", "mm", "cm", "sq", "am", "pm",
    "gmt", "times", "th", "st", "nd", "rd",
)

# What may follow a small figure written as a word ("one", "two") when it is a count: up to
# three modifiers or names, then people, forces or materiel, or a verb ("two Israeli soldiers",
# "one was killed"). Regular expressions: "armou?red", "palestinians?".
PERSON_MODIFIERS = (
    "more", "other", "additional", "suspected", "armou?red", "ethnic", "foreign", "elite",
    "civilian", "western", "local", "senior", "junior", "young", "unarmed", "female", "male",
    "security", "police", "army", "military", "government", "aid", "special", "service", "air",
    "crew",
)
PERSON_NOUNS = (
    "people", "persons", "civilians", "soldiers", "troops", "militants", "fighters", "men",
    "women", "children", "girls", "boys", "students", "police", "policemen", "officers", "rebels",
    "insurgents", "jihadists", "hostages", "palestinians?", "israelis?", "militant", "soldier",
    "civilian", "person", "attackers?", "gunmen", "assailants?", "servicemen", "service ?members",
    "peacekeepers", "commanders", "guards", "marines", "sailors", "pilots", "medics", "paramedics",
    "nurses", "employees", "foreigners", "tourists", "prisoners", "detainees", "captives",
    "settlers", "migrants", "passengers", "villagers", "residents", "protesters", "demonstrators",
    "doctors?", "patients", "staff", "nationals", "citizens", "journalists?", "workers",
    "refugees", "tanks?", "trucks?", "jeeps?", "vehicles?", "villages", "helicopters?",
    "aircraft", "drones?", "bomb makers", "suicide", "wounded", "injured", "dead", "killed",
    "were", "was", "have", "had", "more", "others", "of them",
)


def cue_table() -> dict[tuple[str, ...], NumberCategory]:
    """Every cue as a token sequence, with the category it sets."""
    cues: dict[tuple[str, ...], NumberCategory] = {}
    for category, words in CATEGORY_WORDS.items():
        for w in words:
            if tuple(w.split()) in cues:
                raise ValueError(f"cue {w!r} is listed under two categories")
            cues[tuple(w.split())] = category
    for w in BOTH_CASUALTIES:
        cues[(w,)] = C.killed
    for w in MISSING:
        cues[tuple(w.split())] = C.other
    return cues


def _check() -> None:
    words = [w for ws in CATEGORY_WORDS.values() for w in ws]
    words += [*MISSING, *BOTH_CASUALTIES, *AFTER_ONLY, *BEFORE_ONLY, *CUE_NOUNS, *MATERIEL,
              *THINGS, *FORCES, *ASIDE_START]
    bad = [w for w in words if w != w.lower() or w != w.strip()]
    if bad:
        raise ValueError(f"cue words must be lower-case and trimmed: {bad}")
    if not all(isinstance(c, NumberCategory) for c in CATEGORY_WORDS):
        raise TypeError("CATEGORY_WORDS is keyed by NumberCategory")


_check()

"""Figure semantics: what a figure in its sentence counts, how the sentence bounds it, and
whether a number is a count at all.

One reading of a sentence serves two users: the extractive engine labels its figures with it,
and the trust layer checks any engine's labels against their evidence. The category comes from
the figure's own clause, read in this order (the first rule that speaks decides, and says so):

- ``noun``: what the figure counts is materiel ("six tanks") or a thing that is no person
  ("three air strikes", "18 nationalities");
- ``predicate``: the figure's own verb or adjective after it ("30 were wounded", "seven dead",
  "13 militants, including ..., were killed", "were among the dead", "of whom 4,000 have
  been killed");
- ``aside``: a figure inside "..., including five children, ..." or ", four of them
  children," shares its head's fate;
- ``object``: the verb or noun governing it from before ("killed 12 people", "injured another
  43", "put the death toll at 27"), or the governed list it is part of ("killed 5 soldiers, 3
  policemen and 2 civilians");
- ``noun-cue``: a noun of its own phrase that says it ("59,000 deaths and injuries", "19
  bodies", "150 hostages"), or a tally brought to it ("the death toll rose to 68");
- ``coordination``: "eight soldiers and 22 militants have been killed": the next figure's;
- ``force``: a force's size ("2,000 U.S. troops"); ``noun`` again for materiel named by the
  figure before ("47 drones ..., while 11 were lost");
- ``none``: nothing in the clause says; the category is other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from ._brief import NumberCategory, Qualifier
from ._gazetteer import MONTHS
from ._numbers import Mention, bound_start
from ._text import alternation

C = NumberCategory

# What happened to what a figure counts, by the words that say so. Multi-word cues are matched
# as token sequences. The first category listed for a word is the one it sets.
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

_PARTICIPLE = {
    "killing": "killed", "kill": "killed", "kills": "killed", "die": "died", "dies": "died",
    "dying": "died", "wounding": "wounded", "wound": "wounded", "injuring": "injured",
    "injure": "injured", "flee": "fled", "flees": "fled", "fleeing": "fled",
    "displacing": "displaced", "displace": "displaced",
}

_AUX = frozenset("""
was were is are be been being have has had will would could may might must should can also all
both reportedly allegedly later then now still subsequently either each already eventually
ultimately apparently believed thought feared said reported confirmed known presumed to not
""".split())
_PREPOSITIONS = frozenset("from in of on at near inside across outside around".split())
_DETERMINERS = frozenset("the its their his her those these our your whom them".split())
# Words that may stand between a governing word and its figure: "killed at least", "injured
# another", "put the death toll at", "the toll could rise to as high as".
_BRIDGE = frozenset("""
the a an another other further additional total of all some only just at to rose rise risen
raised climb climbed increased jumped reached stood stands is was has had have be been could would
may might now put were are included includes include more than as many high up over least about
around nearly almost roughly approximately estimated close upwards excess no fewer less most under
well minimum maximum " \u201c \u201d '
""".split())
_ASIDE_START = ("including", "or", "among them", "among whom", "of whom", "as well as", "mostly",
                "most of them", "many of them", "some of them", "all of them", "among those",
                "mainly", "both")
_CLAUSE_WORDS = frozenset("and or but while as when after before because which who that whereas "
                          "since although though where".split())
_SPEECH = frozenset("said says told added reported stated announced confirmed claimed estimated "
                    "estimates believes wrote tweeted noted warned".split())

# "U.S." and "U.S.-made" are words
_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}(?:-\w+)*|\w(?:[\w'\u2019&.-]*\w)?|[^\w\s]")
_FIG = "#"  # a figure's token


def _lexicon() -> tuple[dict[tuple[str, ...], NumberCategory], int]:
    cues: dict[tuple[str, ...], NumberCategory] = {}
    for category, words in CATEGORY_WORDS.items():
        for w in words:
            cues.setdefault(tuple(w.split()), category)
    for w in BOTH_CASUALTIES:
        cues[(w,)] = C.killed
    for w in MISSING:
        cues[tuple(w.split())] = C.other
    return cues, max(len(k) for k in cues)


_CUES, _CUE_LEN = _lexicon()
# The lengths of the cues each word starts, longest first: all that _cue_at need try.
_CUE_LENS = {w: tuple(sorted({len(k) for k in _CUES if k[0] == w}, reverse=True))
             for w in {k[0] for k in _CUES}}


@dataclass(frozen=True)
class Sense:
    """What a figure counts, as its clause says."""

    category: NumberCategory
    accepted: frozenset[NumberCategory]  # every category the clause supports
    rule: str  # which rule decided (see the module's docstring)
    cue: str = ""  # the article's words that decided it ("injured", "six tanks")
    noun: str = ""  # what is counted, as written ("Kurdish militants")

    def contradicts(self, label: NumberCategory) -> bool:
        """True if the clause rules out this label (a count of the wounded labelled killed).

        'other' is no claim and is never contradicted; a clause that says nothing rules out
        nothing."""
        if label is C.other or label in self.accepted:
            return False
        if self.rule == "noun":
            return True  # materiel or things counted: no person category fits
        return self.rule in _FIRM_RULES and self.category is not C.other


class _Tok(NamedTuple):
    """A word (lower-cased) or a figure of the sentence, with its offsets."""

    low: str
    start: int
    end: int
    fig: int = -1  # index of the figure this token stands for, -1 for a word


class Reading:
    """One sentence read once for all of its figures."""

    def __init__(self, sentence: str, mentions: list[Mention]) -> None:
        self.sentence = sentence
        self.mentions = mentions
        self._toks: list[_Tok] | None = None  # read when first asked: many figures are years
        self._at: dict[int, int] = {}
        self._senses: dict[int, Sense] = {}
        self._no_count: dict[int, bool] = {}
        self._depth = 0  # how many figures' readings wait on the one being read

    def plainly_no_count(self, k: int) -> bool:
        """_plainly_no_count, once per figure."""
        if k not in self._no_count:
            self._no_count[k] = _plainly_no_count(self, k)
        return self._no_count[k]

    @property
    def toks(self) -> list[_Tok]:
        """The sentence's words and figures."""
        if self._toks is None:
            self._toks = _tokens(self.sentence, self.mentions)
            self._at = {t.fig: i for i, t in enumerate(self._toks) if t.fig >= 0}
        return self._toks

    @property
    def at(self) -> dict[int, int]:
        """Where each figure stands among the tokens."""
        if self._toks is None:
            _ = self.toks
        return self._at

    def sense(self, k: int) -> Sense:
        """What mentions[k] counts."""
        if k not in self._senses:
            if self._depth > _MAX_DEPTH:
                return _UNDECIDED  # a list of hundreds of figures: no chain runs that long
            self._senses[k] = _UNDECIDED  # a cycle through coordinated figures ends here
            self._depth += 1
            try:
                self._senses[k] = self._decide(k)
            finally:
                self._depth -= 1
        return self._senses[k]

    def _decide(self, k: int) -> Sense:
        i = self.at[k]
        np_end, head, noun = self._noun_phrase(i + 1)
        if head in MATERIEL:
            return Sense(C.vehicles_or_equipment, frozenset({C.vehicles_or_equipment, C.other}),
                         "noun", head, noun)
        if head in THINGS:
            return Sense(C.other, frozenset({C.other}), "noun", head, noun)
        found = self._predicate(np_end)  # "of whom about 4,000 have been killed": its own verb
        if found:
            if not head and self._borrowed_head(k) in MATERIEL:  # "47 drones ..., while 11
                head, noun = self._borrowed(k)
                return Sense(C.vehicles_or_equipment,  # were lost": drones, not people
                             frozenset({C.vehicles_or_equipment, C.other}), "noun", head, noun)
            return self._cued(found, "predicate", noun)
        aside = self._aside_head(i)
        if aside is not None:
            s = self.sense(aside)
            return Sense(s.category, s.accepted, "aside" if s.rule != "none" else "none", s.cue,
                         noun)
        found = self._governor(i)  # before coordination: "killed 12 and 30 were injured"
        if found:
            return self._cued(found, "object", noun or self._borrowed_noun(k))
        listed = self._listed_after(k)  # "killed 5 soldiers, 3 policemen and 2 civilians"
        if listed is not None:
            return Sense(listed.category, listed.accepted, "object", listed.cue, noun)
        found = self._noun_cue(i + 1, np_end)  # "six bodies and 27 wounded": bodies, not wounded
        if found:
            return self._cued(found, "noun-cue", noun)
        nxt = self._coordinated(np_end)
        if nxt is not None:
            s = self.sense(nxt)
            if s.rule in ("predicate", "coordination"):
                return Sense(s.category, s.accepted, "coordination", s.cue, noun)
        found = self._tally(i)
        if found:
            return self._cued(found, "noun-cue", noun)
        kind = head or self._borrowed_head(k)  # "down from about 19,000": troops, as before
        if kind in FORCES:
            return Sense(C.troops_or_fighters, frozenset({C.troops_or_fighters, C.other}),
                         "force", kind, noun)
        if kind in MATERIEL:
            return Sense(C.vehicles_or_equipment, frozenset({C.vehicles_or_equipment, C.other}),
                         "noun", kind, noun)
        return Sense(C.other, frozenset({C.other}), "none", "", noun)

    @staticmethod
    def _cued(found: tuple[list[NumberCategory], str], rule: str, noun: str) -> Sense:
        categories, cue = found
        accepted = set(categories)
        if C.killed in accepted and cue.split()[0] in BOTH_CASUALTIES:
            accepted.add(C.wounded)
        return Sense(categories[0], frozenset(accepted), rule, cue, noun)

    # --- the parts of a clause ------------------------------------------------------------

    def _noun_phrase(self, j: int) -> tuple[int, str, str]:
        """The noun phrase after a figure: (index after it, head word, text as written).

        "Kurdish militants", "of the 219 schoolgirls" (a partitive), "kilograms of explosives"
        (a unit of a material: the head is the material)."""
        toks = self.toks
        if j + 1 < len(toks) and toks[j].low == "or" and toks[j + 1].low in _OR_BOUND:
            j += 2  # "20 or more bodies"
        while j < len(toks) and toks[j].low in ("plus", "+", "-", "odd"):
            j += 1  # "40-odd fighters"
        start = j
        head = ""
        words = 0
        while j < len(toks) and words < 6:
            t = toks[j]
            if t.low == "and" and head and j + 1 < len(toks) and self._capital(j - 1) and (
                    self._capital(j + 1)):
                j += 1  # "3,000 Malian and Burkinabe soldiers"
                continue
            if t.low == "of" and j + 1 < len(toks) and (
                    toks[j + 1].low in _DETERMINERS or toks[j + 1].fig >= 0):
                j += 2 if toks[j + 1].fig < 0 else 1  # "15 of the 219 girls", "three of its"
                if j < len(toks) and toks[j].fig >= 0:
                    j += 1
                continue
            if t.low == "of" and head in UNITS_OF and j + 1 < len(toks):
                j += 1  # "200 kilograms of explosives": the explosives are counted
                continue
            if not _np_word(t, bool(head), toks[j + 1] if j + 1 < len(toks) else None):
                break
            head = t.low
            words += 1
            j += 1
            if _plural(t, self.sentence) and not (
                    head in UNITS_OF and j < len(toks) and toks[j].low == "of") and not (
                    j < len(toks) and _np_word(toks[j], True) and _plural(toks[j], self.sentence)):
                # "50,000 civilians remain trapped": the phrase ends at its plural noun, unless
                # another follows ("12 arms smugglers", "two weapons inspectors")
                break
        noun = self.sentence[toks[start].start:toks[j - 1].end] if j > start and head else ""
        return j, head, noun

    def _capital(self, j: int) -> bool:
        return self.sentence[self.toks[j].start:self.toks[j].start + 1].isupper()

    def _predicate(self, j: int) -> tuple[list[NumberCategory], str] | None:
        """The figure's own verb or adjective after its noun phrase: "were killed", "dead",
        "have been killed and injured", "were among the dead", "from 18 nations were killed"."""
        toks = self.toks
        j = self._skip_list(self._skip_phrase(self._skip_aside(j)))
        bare = True  # a participle with no auxiliary: "12 people killed", "40 officers stationed"
        while j < len(toks) and (toks[j].low in _AUX and toks[j].low != "to" or toks[j].low == "to"
                                 and j + 1 < len(toks) and (toks[j + 1].low in ("be", "have")
                                                            or _cue_at(toks, j + 1) is not None)
                                 or not bare and toks[j].low.endswith("ly")):
            j += 1  # "are internally displaced": an adverb after an auxiliary
            bare = False
        if j < len(toks) and toks[j].low == "among":  # "were among the dead / those killed"
            j += 1
            while j < len(toks) and toks[j].low in ("the", "those", "them"):
                j += 1
        found = _cue_at(toks, j) or _after_only(toks, j)
        if found and bare and toks[j].low == "held" and (
                j + 1 >= len(toks) or toks[j + 1].low not in _HELD_BY):
            found = None  # "40 soldiers held the bridge": no one was held but the bridge
        if not found and bare and j < len(toks) and toks[j].low.endswith(("ing", "ed")):
            later = self._main_verb(j + 1)  # "five civilians living near the fort were killed"
            if later is None:
                return None
            j, found = later
            bare = False
        if not found:
            return None
        described = None
        if bare:  # "40 officers stationed in the north, most of them recruits, were wounded"
            later = self._main_verb(j + found[1])
            if later is not None:
                described = found[0]  # what the participle says stays true of them
                j, found = later
        categories, cue_end = [found[0]], j + found[1]
        # "killed and injured", "killed, wounded or missing"
        while cue_end + 1 < len(toks) and toks[cue_end].low in ("and", "or", ","):
            more = _cue_at(toks, cue_end + 1)
            if more is None:
                break
            if more[0] not in categories:
                categories.append(more[0])
            cue_end += 1 + more[1]
        if described is not None and described not in categories:
            categories.append(described)
        return categories, self.sentence[toks[j].start:toks[cue_end - 1].end]

    def _main_verb(self, j: int) -> tuple[int, tuple[NumberCategory, int]] | None:
        """A verb of the same subject further on, after a participle that only described it:
        its position and cue, if an auxiliary and a cue follow before the clause ends."""
        toks = self.toks
        k = j
        while k < len(toks) and k - j <= 14 and toks[k].fig < 0 and toks[k].low not in (
                ";", ":", ".") and not (toks[k].low in _AUX and toks[k].low != "to"):
            k = max(self._skip_aside(k), k + 1)
        if k >= len(toks) or toks[k].low not in _AUX or toks[k].low == "to":
            return None
        while k < len(toks) and toks[k].low in _AUX and toks[k].low != "to":
            k += 1
        found = _cue_at(toks, k)
        return (k, found) if found else None

    def _skip_list(self, j: int) -> int:
        """Past more nouns of a subject that a verb follows: "14 patients and medical staffers
        were killed" (but not "42 staff and injured another 43")."""
        toks = self.toks
        if j >= len(toks) or toks[j].low not in ("and", "or", ","):
            return j
        k = j + 1
        while k < len(toks) and k - j <= 7 and (toks[k].low in ("and", "or", ",") or _np_word(
                toks[k], False)):
            k += 1
        return k if k < len(toks) and toks[k].low in _AUX and toks[k].low != "to" else j

    def _skip_phrase(self, j: int) -> int:
        """Past a short prepositional phrase that stands before the figure's verb: "23 people
        from 18 nations were killed"; j itself when no verb follows it."""
        toks = self.toks
        if j >= len(toks) or toks[j].low not in _PREPOSITIONS:
            return j
        k = j + 1
        while k < len(toks) and k - j <= 5 and (toks[k].fig >= 0 or toks[k].low[0].isalnum()
                                                and toks[k].low not in _AUX
                                                and toks[k].low not in _CLAUSE_WORDS
                                                and _cue_at(toks, k) is None):
            k += 1
        return k if k < len(toks) and (toks[k].low in _AUX or _cue_at(toks, k)) else j

    def _coordinated(self, j: int) -> int | None:
        """The figure that follows "and" or a comma after this one's noun phrase, if any."""
        toks = self.toks
        if j + 1 < len(toks) and toks[j].low in ("and", ",", "or"):
            k = j + 1
            while k < len(toks) and k - j <= 4 and toks[k].fig < 0 and toks[k].low in _BRIDGE:
                k += 1
            if k < len(toks) and toks[k].fig >= 0 and not (
                    k + 2 < len(toks) and toks[k + 1].low == "of"
                    and toks[k + 2].low in ("whom", "them", "those")):
                return toks[k].fig  # ", 12 of whom later died" is an aside, not a list
        return None

    def _governor(self, i: int) -> tuple[list[NumberCategory], str] | None:
        """A cue governing the figure from before: "killed 12", "injured more than 20",
        "put the death toll at 27", "the toll could rise to as high as 40"."""
        toks = self.toks
        j = i - 1
        while j >= 0 and i - j <= 9 and toks[j].fig < 0 and toks[j].low in _BRIDGE and not (
                _cue_at(toks, j)):
            j -= 1
        if j < 0 or toks[j].fig >= 0:
            return None
        for n in range(min(_CUE_LEN, j + 1), 0, -1):  # the cue may be several words long
            found = _cue_at(toks, j - n + 1)
            if found and found[1] == n:
                cue = self.sentence[toks[j - n + 1].start:toks[j].end]
                return [found[0]], cue
        if toks[j].low in BEFORE_ONLY:
            return [BEFORE_ONLY[toks[j].low]], self.sentence[toks[j].start:toks[j].end]
        return None

    def _noun_cue(self, j: int, end: int) -> tuple[list[NumberCategory], str] | None:
        """A noun of the figure's own phrase that says what happened: "59,000 deaths and
        injuries", "19 bodies", "150 hostages"."""
        toks = self.toks
        hits = [(k, _cue_at(toks, k)) for k in range(j, end)]
        found = [(k, hit) for k, hit in hits if hit]
        if not found:
            return None
        if end + 1 < len(toks) and toks[end].low in ("and", "or"):  # "deaths and injuries"
            more = _cue_at(toks, end + 1)
            if more:
                found.append((end + 1, more))
        categories = list(dict.fromkeys(hit[0] for _, hit in found))
        first, (last, hit) = found[0][0], found[-1]
        return categories, self.sentence[toks[first].start:toks[last + hit[1] - 1].end]

    def _aside_head(self, i: int) -> int | None:
        """The figure an aside hangs from, if the figure at token i sits in one: "13 militants,
        including five suicide attackers as well as six fighters, were killed", "injured 19
        others, four of them children"."""
        toks = self.toks
        if i + 2 < len(toks) and toks[i + 1].low == "of" and toks[i + 2].low in (
                "them", "whom", "those") and i and toks[i - 1].low == ",":
            return self._head_before(i - 1)
        j = i - 1
        while j >= 0 and i - j <= 14 and not (_aside_word(toks, j) and (
                toks[j].low != "or" or j and toks[j - 1].low == ",")):
            if toks[j].low in _HARD_STOPS or toks[j].low in _AUX or toks[j].low in (
                    "but", "that", "which", "while", "whereas", "although") or (
                    _cue_at(toks, j) and toks[j].low not in _CUE_NOUNS) or (
                    toks[j].low.endswith("ing") and toks[j].low not in _ASIDE_FIRST):
                return None  # a verb between them: the aside closed before this figure
            j -= 1
        if j < 1 or i - j > 14:
            return None
        return self._head_before(j)

    def _head_before(self, j: int) -> int | None:
        """The nearest figure before token j in its clause that says what it counts."""
        toks = self.toks
        k = j - 1
        while k >= 0 and j - k <= 30 and toks[k].low not in _HARD_STOPS:
            if toks[k].fig >= 0 and self.sense(toks[k].fig).rule not in ("none", "noun") or (
                    toks[k].fig >= 0 and self.sense(toks[k].fig).category is not C.other):
                return toks[k].fig  # not "over 10 regions" in "337 drones over 10 regions,
            k -= 1  # including 91 over Bryansk"
        return None

    def _listed_after(self, k: int) -> Sense | None:
        """The sense of a governed figure this one is listed after ("killed 5 soldiers, 3
        policemen and 2 civilians")."""
        toks = self.toks
        j = self.at[k] - 1
        while j >= 0 and toks[j].low in _BRIDGE and toks[j].fig < 0:
            j -= 1
        if j < 1 or toks[j].low not in ("and", ","):
            return None
        e = j - 1
        while e >= 0 and j - e <= 7 and toks[e].fig < 0 and _np_word(toks[e], False):
            e -= 1
        if e < 0 or toks[e].fig < 0:
            return None
        s = self.sense(toks[e].fig)
        return s if s.rule == "object" else None

    def _tally(self, i: int) -> tuple[list[NumberCategory], str] | None:
        """A tally brought to the figure: "the death toll ... rose to 68", "bringing the number
        sheltering in Chad to 230,000", "Kidnappings rose 40% last year to 310"."""
        toks = self.toks
        j = i - 1
        while j >= 0 and toks[j].low in _BRIDGE and toks[j].fig < 0:
            j -= 1
        if j == i - 1 or not any(toks[t].low in ("to", "at") for t in range(j + 1, i)):
            return None  # a tally reaches its figure "to" or "at" it
        for t in range(j, max(-1, j - 14), -1):
            if toks[t].low in _HARD_STOPS or toks[t].low in _SPEECH:
                return None
            if toks[t].low in _TALLIES or toks[t].low in _CUE_NOUNS:
                for c in range(t, j + 1):
                    found = _cue_at(toks, c)
                    if found:
                        return [found[0]], self.sentence[toks[c].start:toks[c + found[1] - 1].end]
                return None
        return None

    def _skip_aside(self, j: int) -> int:
        """Past an aside that opens at j: ", including six children," or "(and)"."""
        toks = self.toks
        if j >= len(toks):
            return j
        if toks[j].low == "(":
            k = j + 1
            while k < len(toks) and k - j <= 12 and toks[k].low != ")":
                k += 1
            return k + 1 if k < len(toks) else j
        if toks[j].low == "," and _aside_word(toks, j + 1):
            k = j + 1
            while k < len(toks) and k - j <= 25 and toks[k].low not in (",", ";", "."):
                k += 1
            return k + 1 if k < len(toks) and toks[k].low == "," else j
        return j

    def _borrowed(self, k: int) -> tuple[str, str]:
        """What the figure before this one counts, head and phrase ("47 drones ..., while 11
        were lost"; "11,000 troops ..., down from about 19,000 two years ago, and a further
        4,000")."""
        for e in range(k - 1, max(-1, k - 1 - _LOOK_BACK), -1):
            if e in self.at and not self.plainly_no_count(e) and self.sense(e).rule != "aside":
                _, head, noun = self._noun_phrase(self.at[e] + 1)
                if head:
                    return head, noun
        return "", ""

    def _borrowed_head(self, k: int) -> str:
        return self._borrowed(k)[0]

    def _borrowed_noun(self, k: int) -> str:
        """For "killed 12 people and injured more than 20": the 20 are people too."""
        for e in range(k - 1, max(-1, k - 1 - _LOOK_BACK), -1):
            if e in self.at and self.sense(e).rule != "aside":
                _, head, noun = self._noun_phrase(self.at[e] + 1)
                if noun and head not in MATERIEL and head not in THINGS and (
                        head not in _CUE_NOUNS):
                    return noun
        return ""


# How many figures' readings may wait on one another (coordination, asides): a real sentence
# chains a handful; a table read as one sentence would otherwise recurse for every figure.
_MAX_DEPTH = 12
# How many figures back a figure looks for the noun it shares ("killed 12 people and injured
# 30"): enough for any sentence, and a bound that keeps a text of 50,000 figures linear.
_LOOK_BACK = 6
# Rules that read what happened to the counted from the clause's own words.
_FIRM_RULES = ("predicate", "coordination", "object", "noun-cue", "aside")
_UNDECIDED = Sense(C.other, frozenset({C.other}), "none")


def _tokens(sentence: str, mentions: list[Mention]) -> list[_Tok]:
    # Words from a lower-cased copy when that keeps the offsets (ASCII: the usual case), each
    # made by tuple.__new__: no Python-level __init__ for each of ~25 tokens a sentence.
    low = sentence.lower() if sentence.isascii() else None
    out: list[_Tok] = []
    pos = 0
    for k, m in enumerate(mentions):
        out += _words_between(sentence, low, pos, m.start)
        out.append(_Tok(_FIG, m.start, m.end, k))
        pos = m.end
    out += _words_between(sentence, low, pos, len(sentence))
    return out


def _words_between(sentence: str, low: str | None, start: int, end: int) -> list[_Tok]:
    if low is not None:
        return [_new_tok(_Tok, (t.group(), t.start(), t.end(), -1))
                for t in _TOKEN.finditer(low, start, end)]
    return [_new_tok(_Tok, (t.group().lower(), t.start(), t.end(), -1))
            for t in _TOKEN.finditer(sentence, start, end)]


_new_tok = tuple.__new__


def _cue_at(toks: list[_Tok], j: int) -> tuple[NumberCategory, int] | None:
    """The category of the cue that starts at token j, and its length in tokens."""
    if j >= len(toks):
        return None
    for n in _CUE_LENS.get(toks[j].low, ()):
        key = tuple([t.low for t in toks[j:j + n]])
        if len(key) == n and key in _CUES:
            return _CUES[key], n
    return None


def _after_only(toks: list[_Tok], j: int) -> tuple[NumberCategory, int] | None:
    if j < len(toks) and toks[j].low in AFTER_ONLY:
        nxt = toks[j + 1].low if j + 1 < len(toks) else ""
        if toks[j].low == "taken" and nxt not in _HELD_BY:
            return None  # "400 marines were taken to the front"
        if nxt not in ("dead", "wounded", "injured", "behind"):
            return AFTER_ONLY[toks[j].low], 1
    return None


# What follows "held" or "taken" when people are held: "held by", "taken hostage".
_HELD_BY = frozenset("by hostage hostages captive captives prisoner prisoners away in".split())


def _aside_word(toks: list[_Tok], j: int) -> bool:
    if j >= len(toks) or toks[j].low not in _ASIDE_FIRST:
        return False
    return any(tuple(t.low for t in toks[j:j + len(parts)]) == parts for parts in _ASIDE_PARTS)


_ASIDE_PARTS = [tuple(words.split()) for words in _ASIDE_START]
_ASIDE_FIRST = frozenset(parts[0] for parts in _ASIDE_PARTS)


_CUE_NOUNS = frozenset("hostages hostage refugees prisoners detainees captives deaths bodies lives "
                       "fatalities casualties injuries corpses toll kidnappings abductions arrests "
                       "killings losses".split())
_HARD_STOPS = frozenset(";:.()\u2014\u2013")
_NOT_NP = _AUX | _PREPOSITIONS | _CLAUSE_WORDS | _SPEECH | frozenset(
    "by for with into during over among than says out up off down back away there here against "
    "onto toward towards through per each every".split())


def _np_word(t: _Tok, after_head: bool, nxt: _Tok | None = None) -> bool:
    """May this token be part of the noun phrase after a figure?"""
    if t.fig >= 0 or not t.low[0].isalnum() or t.low in _NOT_NP:
        return False
    if (t.low,) in _CUES and t.low not in _CUE_NOUNS:
        return False  # "12 people killed": the participle ends the phrase
    if after_head and t.low.endswith("ed") and t.low not in ("armed", "unarmed") and not (
            nxt is not None and nxt.low.isalpha() and nxt.low not in _NOT_NP
            and not nxt.low.endswith("ed") and (nxt.low,) not in _CUES):
        # "17 trucks filled with": a participle after the head ends the phrase; "two improvised
        # armored vehicles": one before a noun is an adjective
        return False
    return True


_OR_BOUND = frozenset("more so less fewer".split())
_TALLIES = frozenset("number total toll tally count figure".split())
_PLURALS = frozenset("people men women children aircraft".split())


def _plural(t: _Tok, sentence: str) -> bool:
    """A lower-case plural noun (a name such as "Hamas" or "ISIS" ends nothing)."""
    word = t.low
    return (word in _PLURALS or word.endswith("men") or word.endswith("s") and len(word) > 3
            and not word.endswith(("ss", "us", "is"))) and word.isalpha() and (
        sentence[t.start:t.start + 1].islower())


def bounds(reading: Reading, k: int) -> frozenset[Qualifier]:
    """Every qualifier a careful reader could give the figure: its own bound, and
    - at_most beside approximately for "nearly", "almost", "close to", "just under";
    - exact beside at_most for "up to" after a verb of increase ("brought the toll up to 40");
    - the bound of the figure it is listed with ("at least 12 killed and 30 wounded");
    - any, for a range ("between 500 and 700" may be read as bounds or as an estimate)."""
    m = reading.mentions[k]
    if m.low is not None:
        return frozenset(Qualifier)
    found = {m.qualifier}
    before = reading.sentence[max(0, m.start - 40):m.start]
    if m.qualifier is Qualifier.approximately and _NEAR_BELOW.search(before):
        found.add(Qualifier.at_most)
    if m.qualifier is Qualifier.at_most and _RISING_UP_TO.search(before):
        found.add(Qualifier.exact)
    if m.qualifier is Qualifier.exact and k and _LISTED_AFTER.fullmatch(
            reading.sentence[reading.mentions[k - 1].end:m.start]):
        found.add(reading.mentions[k - 1].qualifier)
    return frozenset(found)


_NEAR_BELOW = re.compile(r"\b(?:nearly|almost|close to|just under)\s*$", re.I)
_RISING_UP_TO = re.compile(r"\b(?:rose|risen|rising|brought|bringing|pushed|pushing|climbed|"
                           r"raised|raising|toll|total|number)\b[\w\s]{0,20}up to\s*$", re.I)
# What may stand between two figures of one list: "12 killed and 30", "12 dead, 30".
_LISTED_AFTER = re.compile(r"\s*(?:[a-z]+\s+){0,2}(?:and|,)\s*", re.I)


def read(sentence: str, mentions: list[Mention]) -> Reading:
    """Read a sentence once for all of its figures."""
    return Reading(sentence, mentions)


# ---------------------------------------------------------------------------------------------
# What a figure counts, in words.

_COUNTS_STOP = re.compile(
    r"[,;:()\"\u201c\u201d\u2014\u2013]|\s-\s|\.(?=\s|$)|\s(?:and|but|while|as|after|when|because|"
    r"which|who|since|said|says|told|according|whereas|although)\b", re.I)
_TRAILING = re.compile(r"^\s*(?:in|at|on|by|near|since|during|over|across|from|inside|"
                       r"outside|between)\b", re.I)
_OBJECT_START = re.compile(r"^\s+(?:(?:[Tt]he|[Aa]n?|their|its|his|her)\b|[A-Z][a-z])")
_TRIM_END = frozenset("the a an of and or in on at by for to with from its their his her that "
                      "which who this these those over since during".split())


def counts(reading: Reading, k: int) -> str:
    """What the figure counts, from the article's words: "Kurdish militants killed in clashes
    over the last two days", "people injured"; never empty."""
    s = reading.sense(k)
    m = reading.mentions[k]
    sentence = reading.sentence
    noun = s.noun or reading._borrowed_noun(k)
    if not noun and s.category in _PERSONS_DONE:
        noun = "people"
    cue = s.cue if s.rule not in ("noun", "force", "none") else ""
    if s.rule == "noun-cue" and not s.noun:
        phrase = cue  # "put total casualties at 950,000": casualties
    elif s.rule == "noun-cue" or cue.lower() in noun.lower():
        phrase = cue if noun.lower() in cue.lower() else noun  # "deaths and injuries"
    elif cue.lower() in _PARTICIPLE or cue.lower().split()[-1] in _CUE_NOUNS:
        # "killing 14" counts the people killed; "the death toll at 27" counts the dead.
        done = _PARTICIPLE.get(cue.lower()) or _PERSONS_DONE.get(s.category, "")
        phrase = f"{noun} {done}"
    else:
        phrase = f"{noun} {cue}"
    tail_from = sentence.find(s.cue, m.end) + len(s.cue) if s.cue and s.rule in (
        "predicate", "coordination") else sentence.find(noun, m.end) + len(noun) if noun else -1
    if tail_from >= m.end:
        phrase += _trailing(sentence[tail_from:], objects=s.rule == "predicate")
    phrase = " ".join(phrase.split())
    if not phrase:  # nothing after the figure names it: the words before it do
        before = sentence[max(0, m.start - 60):m.start].split()
        phrase = " ".join(before[-4:]).strip(" ,;:")
    return phrase or m.text


# What a person counted under each category underwent, for "the death toll at 27".
_PERSONS_DONE = {C.killed: "killed", C.wounded: "wounded", C.displaced_or_fled: "displaced",
                 C.detained: "detained"}


def _trailing(after: str, *, objects: bool = False) -> str:
    """A short prepositional phrase after the counted noun or its verb (" in clashes in
    Hakkari"), or, after a verb, its object (" the enclave on Monday")."""
    if not (_TRAILING.match(after) or objects and _OBJECT_START.match(after)):
        return ""
    stop = _COUNTS_STOP.search(after)
    words: list[str] = []
    for w in (after[:stop.start()] if stop else after).split():
        if w.lower() in _AUX and w.lower() not in ("all", "both", "to"):
            break  # "held by the group has added": a verb of another clause
        words.append(w)
    cut = len(words) > _TRAILING_WORDS or stop is not None and stop.group().strip() == "and"
    words = words[:_TRAILING_WORDS]
    if cut:  # end before the phrase that was cut: "in clashes [in the southeastern Hakkari]"
        starts = [i for i, w in enumerate(words) if i and w.lower() in _PHRASE_STARTS]
        if starts:
            words = words[:starts[-1]]
    while words and words[-1].lower().strip(".") in _TRIM_END:
        words.pop()
    return (" " + " ".join(words)) if words else ""


_TRAILING_WORDS = 8
_PHRASE_STARTS = frozenset("in at on near with of from by over between during since across".split())


# ---------------------------------------------------------------------------------------------
# Which numbers are counts at all: not years, dates, ages, shares, times, distances, "one of".

# Only ever tested for a match, so the words form one prefix tree (tried a character at a time
# at each offset) rather than a list of alternatives tried one by one; the lookbehind first, so
# that offsets inside a word fail at once.
_BEFORE_SKIP = re.compile(  # "when he was 16", "in 2014", "aged 20 to 30"
    r"(?<!\w)" + alternation([
        *MONTHS, *(m + "." for m in MONTHS), "aged", "age", "no.", "number", "page",
        "country of", "nation of", "population of", "city of", "town of", "population",
        "resolution", "article", "flight", "route", "highway", "since", "in", "by", "until",
        "of the", "he was", "she was", "he is", "she is", "i was", "turned",
    ]) + r"\s*$|\baged?\s+\d+\s*(?:and|or|to|-)\s*$",
    re.IGNORECASE,
)
# "$5", "the town's 300", "+972", "#3": searched for only where one of _SIGNS occurs.
_BEFORE_SIGN = re.compile(
    r"(?:\$|\u20ac|\u00a3|(?:town|city|country|nation|village|region|province|state)['\u2019]s)"
    r"\s*$|[+#]$",
    re.IGNORECASE,
)
_SIGNS = frozenset("$\u20ac\u00a3'\u2019+#")
# What stays no count across a bound: "a population of about 2 million", "aged about 30".
_BEFORE_NOUN_SKIP = re.compile(
    r"\b(?:aged|age|population|population of|country of|nation of|city of|town of)\s*$", re.I)
# Only ever tested for a match: prefix trees of the words that may begin a longer one ("years")
# and of those that must end ("km", not "kmh").
_AFTER_SKIP = re.compile(
    r"^(?:\s*-?\s*(?:" + alternation([
        "%", "year", "month", "week", "day", "hour", "minute", "second", "decade", "centur",
        "kilomet", "mile", "meter", "metre", "yard", "square", "acre", "hectare", "a.m.", "p.m.",
        "o'clock", "dollar", "euro", "pound", "degree", "storey", "story", "floor", "percentage",
        "point",
    ]) + "|" + alternation([
        "percent", "per cent", "pct", "km", "kms", "feet", "foot", "mm", "cm", "sq", "am", "pm",
        "gmt", "times", "th", "st", "nd", "rd",
    ]) + r"\b)|\s*" + alternation(MONTHS) + r"\b|:\d|\s*\))",
    re.IGNORECASE,
)
_PRONOUN_ONE = re.compile(r"^\s*(?:of\b|another\b|by one|after another|or two|,|\.)", re.I)
_PERSON_NOUNS = re.compile(
    r"^\s*(?:(?i:more|other|additional|suspected|armou?red|ethnic|foreign|elite|civilian|"
    r"western|local|senior|junior|young|unarmed|female|male|security|police|army|military|"
    r"government|aid|special|service|air|crew)\s|[A-Z][\w.'\u2019-]* ){0,3}"
    r"(?i:people|persons|civilians|soldiers|troops|militants|fighters|men|women|children|girls|"
    r"boys|students|police|policemen|officers|rebels|insurgents|jihadists|hostages|"
    r"palestinians?|israelis?|militant|soldier|civilian|person|attackers?|gunmen|assailants?|"
    r"servicemen|service ?members|peacekeepers|commanders|guards|marines|sailors|pilots|"
    r"medics|paramedics|nurses|employees|foreigners|tourists|prisoners|detainees|captives|"
    r"settlers|migrants|passengers|villagers|residents|protesters|demonstrators|"
    r"doctors?|patients|staff|nationals|citizens|journalists?|workers|refugees|"
    r"tanks?|trucks?|jeeps?|vehicles?|villages|helicopters?|aircraft|drones?|"
    r"bomb makers|suicide|wounded|injured|dead|killed|were|was|have|had|more|others|of them)\b",
)
_SMALL_WORDS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}
_DIGIT = re.compile(r"\d")
_YEAR = re.compile(r"\d{4}")
_ALL_DIGITS = re.compile(r"\d+")
_DECADE_S = re.compile(r"^'?s\b")  # "the 1990s"
_BOUND_END = re.compile(r"(?:at least|at most|in all|by at least)\s*$", re.I)
_DASH_END = re.compile(r"-\s*$")
_DASH_WORD_START = re.compile(r"^-(?!odd\b|plus\b)\w")  # "F-16", but not "40-odd fighters"
_CAP_WORD_END = re.compile(r"(?:^|[^\w])[A-Z][\w.]*\s*$")
_SENTENCE_START_CAP_END = re.compile(r"(?:^|[.!?\"\u201c]\s*)[A-Z][\w.]*\s*$")
_CAP_HEDGE_END = re.compile(r"(?:About|Around|Some|Nearly|Over|At least|More than)\s*$")
_RATE_AFTER = re.compile(r"^[^,.;]{0,30}\b(?:every|per|each day|a day|a week|a month)\b")
_DETERMINER_END = re.compile(r"\b(?:the|these|those|both|all|its|their|his|her|first)\s*$", re.I)

_MILITARY_THINGS = frozenset("strike strikes airstrike airstrikes raid raids sortie sorties village "
                             "villages position positions base bases checkpoint checkpoints "
                             "town towns".split())


def is_count(reading: Reading, k: int) -> bool:
    """Whether a number is a reportable figure (not a year, date, age, share, time, "one of")."""
    if reading.plainly_no_count(k):
        return False
    sent, m = reading.sentence, reading.mentions[k]
    text = m.text.strip()
    word = text.lower()
    values = m.values
    if word in _SMALL_WORDS or (values and max(values) < 11 and not _DIGIT.search(text)):
        # Small figures written as words are often not counts ("the two leaders", "one of"):
        # they are when their clause says what happened to them, or they count a force or
        # materiel ("two soldiers entered", "three air strikes").
        before = sent[max(0, m.start - 40):m.start]
        after = sent[m.end:m.end + 25]
        if _DETERMINER_END.search(before):
            return False
        if word == "one" and (_PRONOUN_ONE.match(after) or not _PERSON_NOUNS.match(
                sent[m.end:m.end + 60])):
            return False
        s = reading.sense(k)
        if s.rule == "aside" and not s.noun:
            return False  # 'including an "Arab" and two "black Africans"': no counted noun
        if not (s.rule in _FIRM_RULES and (s.category is not C.other or s.cue in MISSING)
                or s.rule == "force" or s.rule == "noun" and (
                    s.category is C.vehicles_or_equipment or s.cue in _MILITARY_THINGS)):
            return False
    return not (m.value is not None and not _DIGIT.search(text) and m.value < 1)


def _plainly_no_count(reading: Reading, k: int) -> bool:
    """True for numbers that the words around them show are no counts, without reading the
    clause: years, ages, shares, times, distances, names ("Route 66"), rates, populations."""
    sent, m = reading.sentence, reading.mentions[k]
    if m.value is None and m.low is None:
        return True  # vague quantities carry no value; the eval counts them as noise
    text = m.text.strip()
    before = sent[max(0, m.start - 40):m.start]
    # "population of about 2 million": what stands before the bound
    unbounded = before if m.qualifier is Qualifier.exact else before[:bound_start(before)]
    after = sent[m.end:m.end + 25]
    # Room for a few modifiers before the noun: "two United States service members".
    noun_after = sent[m.end:m.end + 60]
    if len(text) == 4 and _YEAR.fullmatch(text) and 1900 <= float(text) <= 2100:
        return True  # a year
    if _DECADE_S.match(after) and _ALL_DIGITS.fullmatch(text):
        return True  # "the 1990s"
    if _AFTER_SKIP.match(after) or _LIVE_AFTER.match(noun_after):
        return True  # "60,000 people live in the camp": a population, not a count of the war
    if _skip_before(before[-25:]) and not _BOUND_END.search(before):
        return True
    if unbounded != before and _BEFORE_NOUN_SKIP.search(unbounded) or _possessive(
            unbounded) and _PEOPLE_AFTER.match(noun_after):
        return True  # "Gaza's 2.1 million people"
    if "-" in before and _DASH_END.search(before) or _DASH_WORD_START.match(after):
        return True  # "F-16", "COVID-19", "1-0"
    if _CAP_WORD_END.search(before) and not _SENTENCE_START_CAP_END.search(before) \
            and not _PERSON_NOUNS.match(noun_after):
        # A figure right after a capitalised word mid-sentence is part of a name ("Route 66"),
        # unless that word is a hedge that happens to be capitalised.
        if not _CAP_HEDGE_END.search(before):
            return True
    if _RATE_AFTER.match(after):
        return True  # a rate ("one killed every 25 minutes")
    if _WHERE_BEFORE.search(before) and _PLACES_AFTER.match(after):
        return True  # "drones over 10 regions", "across 12 provinces": where, not how many
    return bool(m.low is not None and m.high is not None and 1900 <= m.low <= 2100
                and 1900 <= m.high <= 2100)  # a span of years


def _skip_before(window: str) -> bool:
    """_BEFORE_SKIP or _BEFORE_SIGN ends the window (the latter tried only where it can)."""
    return bool(_BEFORE_SKIP.search(window)
                or not _SIGNS.isdisjoint(window) and _BEFORE_SIGN.search(window))


def _possessive(before: str) -> bool:
    """A name's possessive ends the text ("Gaza's"); no apostrophe, no regex search."""
    return ("'" in before or "\u2019" in before) and bool(_PLACE_POPULATION.search(before))


_WHERE_BEFORE = re.compile(r"\b(?:over|across|in|throughout)\s*$", re.I)
_PLACES_AFTER = re.compile(r"^\s*(?:[\w-]+\s+)?(?:regions|provinces|districts|areas|cities|towns|"
                           r"countries|states|locations|places|fronts)\b", re.I)
_LIVE_AFTER = re.compile(r"^\s*(?:[\w-]+\s+){0,3}?(?:live|lives|lived|living|reside)\s+(?:in|at)\b",
                         re.I)
_PLACE_POPULATION = re.compile(r"\b[A-Z][\w-]*['\u2019]s\s*$")
_PEOPLE_AFTER = re.compile(r"^\s*(?:people|residents|inhabitants|population)\b", re.I)

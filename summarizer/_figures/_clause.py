"""The parts of a figure's clause, read from its tokens: the noun phrase after the figure, its
own verb, the word governing it from before, the aside it sits in, the figure it is listed or
coordinated with, and the noun it borrows from the figure before."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._brief import NumberCategory
from ._lexicon import (
    AUX,
    BEFORE_ONLY,
    BRIDGE,
    CLAUSE_WORDS,
    CUE_NOUNS,
    DETERMINERS,
    HARD_STOPS,
    HELD_BY,
    MATERIEL,
    OR_BOUND,
    PREPOSITIONS,
    SPEECH,
    TALLIES,
    THINGS,
    UNITS_OF,
)
from ._sense import Sense
from ._tokens import (
    ASIDE_FIRST,
    CUE_LEN,
    Tok,
    after_only,
    aside_word,
    cue_at,
    np_word,
    plural,
)

if TYPE_CHECKING:
    from ._reading import Reading

C = NumberCategory
# How many figures back a figure looks for the noun it shares ("killed 12 people and injured
# 30"): enough for any sentence, and a bound that keeps a text of 50,000 figures linear.
_LOOK_BACK = 6


def noun_phrase(r: Reading, j: int) -> tuple[int, str, str]:
    """The noun phrase after a figure: (index after it, head word, text as written).

    "Kurdish militants", "of the 219 schoolgirls" (a partitive), "kilograms of explosives"
    (a unit of a material: the head is the material)."""
    toks = r.toks
    if j + 1 < len(toks) and toks[j].low == "or" and toks[j + 1].low in OR_BOUND:
        j += 2  # "20 or more bodies"
    while j < len(toks) and toks[j].low in ("plus", "+", "-", "odd"):
        j += 1  # "40-odd fighters"
    start = j
    head = ""
    words = 0
    while j < len(toks) and words < 6:
        t = toks[j]
        if t.low == "and" and head and j + 1 < len(toks) and capital(r, j - 1) and (
                capital(r, j + 1)):
            j += 1  # "3,000 Malian and Burkinabe soldiers"
            continue
        if t.low == "of" and j + 1 < len(toks) and (
                toks[j + 1].low in DETERMINERS or toks[j + 1].fig >= 0):
            j += 2 if toks[j + 1].fig < 0 else 1  # "15 of the 219 girls", "three of its"
            if j < len(toks) and toks[j].fig >= 0:
                j += 1
            continue
        if t.low == "of" and head in UNITS_OF and j + 1 < len(toks):
            j += 1  # "200 kilograms of explosives": the explosives are counted
            continue
        if not np_word(t, bool(head), toks[j + 1] if j + 1 < len(toks) else None):
            break
        head = t.low
        words += 1
        j += 1
        if plural(t, r.sentence) and not (
                head in UNITS_OF and j < len(toks) and toks[j].low == "of") and not (
                j < len(toks) and np_word(toks[j], True) and plural(toks[j], r.sentence)):
            # "50,000 civilians remain trapped": the phrase ends at its plural noun, unless
            # another follows ("12 arms smugglers", "two weapons inspectors")
            break
    noun = r.sentence[toks[start].start:toks[j - 1].end] if j > start and head else ""
    return j, head, noun


def capital(r: Reading, j: int) -> bool:
    return r.sentence[r.toks[j].start:r.toks[j].start + 1].isupper()


def predicate(r: Reading, j: int) -> tuple[list[NumberCategory], str] | None:
    """The figure's own verb or adjective after its noun phrase: "were killed", "dead",
    "have been killed and injured", "were among the dead", "from 18 nations were killed"."""
    toks = r.toks
    j, bare = _verb_start(toks, skip_list(r, skip_phrase(r, skip_aside(r, j))))
    found = cue_at(toks, j) or after_only(toks, j)
    if found and bare and toks[j].low == "held" and (
            j + 1 >= len(toks) or toks[j + 1].low not in HELD_BY):
        found = None  # "40 soldiers held the bridge": no one was held but the bridge
    if not found and bare and j < len(toks) and toks[j].low.endswith(("ing", "ed")):
        later = main_verb(r, j + 1)  # "five civilians living near the fort were killed"
        if later is None:
            return None
        j, found = later
        bare = False
    if not found:
        return None
    described = None
    if bare:  # "40 officers stationed in the north, most of them recruits, were wounded"
        later = main_verb(r, j + found[1])
        if later is not None:
            described = found[0]  # what the participle says stays true of them
            j, found = later
    categories, cue_end = _listed_cues(toks, found[0], j + found[1])
    if described is not None and described not in categories:
        categories.append(described)
    return categories, r.sentence[toks[j].start:toks[cue_end - 1].end]


def _verb_start(toks: list[Tok], j: int) -> tuple[int, bool]:
    """Past the auxiliaries and adverbs before a verb ("have since been", "are internally")
    and an "among the": where the verb or adjective may stand, and whether it stands bare (a
    participle with no auxiliary: "12 people killed", "40 officers stationed")."""
    bare = True
    while j < len(toks) and (toks[j].low in AUX and toks[j].low != "to" or toks[j].low == "to"
                             and j + 1 < len(toks) and (toks[j + 1].low in ("be", "have")
                                                        or cue_at(toks, j + 1) is not None)
                             or not bare and toks[j].low.endswith("ly")):
        j += 1  # "are internally displaced": an adverb after an auxiliary
        bare = False
    if j < len(toks) and toks[j].low == "among":  # "were among the dead / those killed"
        j += 1
        while j < len(toks) and toks[j].low in ("the", "those", "them"):
            j += 1
    return j, bare


def _listed_cues(toks: list[Tok], first: NumberCategory, end: int) -> tuple[
        list[NumberCategory], int]:
    """The categories of a cue ending at token end and of those listed after it ("killed and
    injured", "killed, wounded or missing"), and where the last ends."""
    categories = [first]
    while end + 1 < len(toks) and toks[end].low in ("and", "or", ","):
        more = cue_at(toks, end + 1)
        if more is None:
            break
        if more[0] not in categories:
            categories.append(more[0])
        end += 1 + more[1]
    return categories, end


def main_verb(r: Reading, j: int) -> tuple[int, tuple[NumberCategory, int]] | None:
    """A verb of the same subject further on, after a participle that only described it:
    its position and cue, if an auxiliary and a cue follow before the clause ends."""
    toks = r.toks
    k = j
    while k < len(toks) and k - j <= 14 and toks[k].fig < 0 and toks[k].low not in (
            ";", ":", ".") and not (toks[k].low in AUX and toks[k].low != "to"):
        k = max(skip_aside(r, k), k + 1)
    if k >= len(toks) or toks[k].low not in AUX or toks[k].low == "to":
        return None
    while k < len(toks) and toks[k].low in AUX and toks[k].low != "to":
        k += 1
    found = cue_at(toks, k)
    return (k, found) if found else None


def skip_list(r: Reading, j: int) -> int:
    """Past more nouns of a subject that a verb follows: "14 patients and medical staffers
    were killed" (but not "42 staff and injured another 43")."""
    toks = r.toks
    if j >= len(toks) or toks[j].low not in ("and", "or", ","):
        return j
    k = j + 1
    while k < len(toks) and k - j <= 7 and (toks[k].low in ("and", "or", ",") or np_word(
            toks[k], False)):
        k += 1
    return k if k < len(toks) and toks[k].low in AUX and toks[k].low != "to" else j


def skip_phrase(r: Reading, j: int) -> int:
    """Past a short prepositional phrase that stands before the figure's verb: "23 people
    from 18 nations were killed"; j itself when no verb follows it."""
    toks = r.toks
    if j >= len(toks) or toks[j].low not in PREPOSITIONS:
        return j
    k = j + 1
    while k < len(toks) and k - j <= 5 and (toks[k].fig >= 0 or toks[k].low[0].isalnum()
                                            and toks[k].low not in AUX
                                            and toks[k].low not in CLAUSE_WORDS
                                            and cue_at(toks, k) is None):
        k += 1
    return k if k < len(toks) and (toks[k].low in AUX or cue_at(toks, k)) else j


def coordinated(r: Reading, j: int) -> int | None:
    """The figure that follows "and" or a comma after this one's noun phrase, if any."""
    toks = r.toks
    if j + 1 < len(toks) and toks[j].low in ("and", ",", "or"):
        k = j + 1
        while k < len(toks) and k - j <= 4 and toks[k].fig < 0 and toks[k].low in BRIDGE:
            k += 1
        if k < len(toks) and toks[k].fig >= 0 and not (
                k + 2 < len(toks) and toks[k + 1].low == "of"
                and toks[k + 2].low in ("whom", "them", "those")):
            return toks[k].fig  # ", 12 of whom later died" is an aside, not a list
    return None


def governor(r: Reading, i: int) -> tuple[list[NumberCategory], str] | None:
    """A cue governing the figure from before: "killed 12", "injured more than 20",
    "put the death toll at 27", "the toll could rise to as high as 40"."""
    toks = r.toks
    j = i - 1
    while j >= 0 and i - j <= 9 and toks[j].fig < 0 and toks[j].low in BRIDGE and not (
            cue_at(toks, j)):
        j -= 1
    if j < 0 or toks[j].fig >= 0:
        return None
    for n in range(min(CUE_LEN, j + 1), 0, -1):  # the cue may be several words long
        found = cue_at(toks, j - n + 1)
        if found and found[1] == n:
            cue = r.sentence[toks[j - n + 1].start:toks[j].end]
            return [found[0]], cue
    if toks[j].low in BEFORE_ONLY:
        return [BEFORE_ONLY[toks[j].low]], r.sentence[toks[j].start:toks[j].end]
    return None


def noun_cue(r: Reading, j: int, end: int) -> tuple[list[NumberCategory], str] | None:
    """A noun of the figure's own phrase that says what happened: "59,000 deaths and
    injuries", "19 bodies", "150 hostages"."""
    toks = r.toks
    hits = [(k, cue_at(toks, k)) for k in range(j, end)]
    found = [(k, hit) for k, hit in hits if hit]
    if not found:
        return None
    if end + 1 < len(toks) and toks[end].low in ("and", "or"):  # "deaths and injuries"
        more = cue_at(toks, end + 1)
        if more:
            found.append((end + 1, more))
    categories = list(dict.fromkeys(hit[0] for _, hit in found))
    first, (last, hit) = found[0][0], found[-1]
    return categories, r.sentence[toks[first].start:toks[last + hit[1] - 1].end]


def aside_head(r: Reading, i: int) -> int | None:
    """The figure an aside hangs from, if the figure at token i sits in one: "13 militants,
    including five suicide attackers as well as six fighters, were killed", "injured 19
    others, four of them children"."""
    toks = r.toks
    if i + 2 < len(toks) and toks[i + 1].low == "of" and toks[i + 2].low in (
            "them", "whom", "those") and i and toks[i - 1].low == ",":
        return head_before(r, i - 1)
    j = i - 1
    while j >= 0 and i - j <= 14 and not (aside_word(toks, j) and (
            toks[j].low != "or" or j and toks[j - 1].low == ",")):
        if toks[j].low in HARD_STOPS or toks[j].low in AUX or toks[j].low in (
                "but", "that", "which", "while", "whereas", "although") or (
                cue_at(toks, j) and toks[j].low not in CUE_NOUNS) or (
                toks[j].low.endswith("ing") and toks[j].low not in ASIDE_FIRST):
            return None  # a verb between them: the aside closed before this figure
        j -= 1
    if j < 1 or i - j > 14:
        return None
    return head_before(r, j)


def head_before(r: Reading, j: int) -> int | None:
    """The nearest figure before token j in its clause that says what it counts."""
    toks = r.toks
    k = j - 1
    while k >= 0 and j - k <= 30 and toks[k].low not in HARD_STOPS:
        if toks[k].fig >= 0 and r.sense(toks[k].fig).rule not in ("none", "noun") or (
                toks[k].fig >= 0 and r.sense(toks[k].fig).category is not C.other):
            return toks[k].fig  # not "over 10 regions" in "337 drones over 10 regions,
        k -= 1  # including 91 over Bryansk"
    return None


def listed_after(r: Reading, k: int) -> Sense | None:
    """The sense of a governed figure this one is listed after ("killed 5 soldiers, 3
    policemen and 2 civilians")."""
    toks = r.toks
    j = r.at[k] - 1
    while j >= 0 and toks[j].low in BRIDGE and toks[j].fig < 0:
        j -= 1
    if j < 1 or toks[j].low not in ("and", ","):
        return None
    e = j - 1
    while e >= 0 and j - e <= 7 and toks[e].fig < 0 and np_word(toks[e], False):
        e -= 1
    if e < 0 or toks[e].fig < 0:
        return None
    s = r.sense(toks[e].fig)
    return s if s.rule == "object" else None


def tally(r: Reading, i: int) -> tuple[list[NumberCategory], str] | None:
    """A tally brought to the figure: "the death toll ... rose to 68", "bringing the number
    sheltering in Chad to 230,000", "Kidnappings rose 40% last year to 310"."""
    toks = r.toks
    j = i - 1
    while j >= 0 and toks[j].low in BRIDGE and toks[j].fig < 0:
        j -= 1
    if j == i - 1 or not any(toks[t].low in ("to", "at") for t in range(j + 1, i)):
        return None  # a tally reaches its figure "to" or "at" it
    for t in range(j, max(-1, j - 14), -1):
        if toks[t].low in HARD_STOPS or toks[t].low in SPEECH:
            return None
        if toks[t].low in TALLIES or toks[t].low in CUE_NOUNS:
            for c in range(t, j + 1):
                found = cue_at(toks, c)
                if found:
                    return [found[0]], r.sentence[toks[c].start:toks[c + found[1] - 1].end]
            return None
    return None


def skip_aside(r: Reading, j: int) -> int:
    """Past an aside that opens at j: ", including six children," or "(and)"."""
    toks = r.toks
    if j >= len(toks):
        return j
    if toks[j].low == "(":
        k = j + 1
        while k < len(toks) and k - j <= 12 and toks[k].low != ")":
            k += 1
        return k + 1 if k < len(toks) else j
    if toks[j].low == "," and aside_word(toks, j + 1):
        k = j + 1
        while k < len(toks) and k - j <= 25 and toks[k].low not in (",", ";", "."):
            k += 1
        return k + 1 if k < len(toks) and toks[k].low == "," else j
    return j


def borrowed(r: Reading, k: int) -> tuple[str, str]:
    """What the figure before this one counts, head and phrase ("47 drones ..., while 11
    were lost"; "11,000 troops ..., down from about 19,000 two years ago, and a further
    4,000")."""
    for e in range(k - 1, max(-1, k - 1 - _LOOK_BACK), -1):
        if e in r.at and not r.plainly_no_count(e) and r.sense(e).rule != "aside":
            _, head, noun = noun_phrase(r, r.at[e] + 1)
            if head:
                return head, noun
    return "", ""


def borrowed_head(r: Reading, k: int) -> str:
    return borrowed(r, k)[0]


def borrowed_noun(r: Reading, k: int) -> str:
    """For "killed 12 people and injured more than 20": the 20 are people too."""
    for e in range(k - 1, max(-1, k - 1 - _LOOK_BACK), -1):
        if e in r.at and r.sense(e).rule != "aside":
            _, head, noun = noun_phrase(r, r.at[e] + 1)
            if noun and head not in MATERIEL and head not in THINGS and (
                    head not in CUE_NOUNS):
                return noun
    return ""



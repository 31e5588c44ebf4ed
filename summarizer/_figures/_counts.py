"""What a figure counts, in the article's words: "Kurdish militants killed in clashes"."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ._clause import borrowed_noun
from ._lexicon import AUX, CUE_NOUNS, PARTICIPLE, PERSONS_DONE, PHRASE_STARTS, TRIM_END

if TYPE_CHECKING:
    from ._reading import Reading

_COUNTS_STOP = re.compile(
    r"[,;:()\"\u201c\u201d\u2014\u2013]|\s-\s|\.(?=\s|$)|\s(?:and|but|while|as|after|when|because|"
    r"which|who|since|said|says|told|according|whereas|although)\b", re.I)
_TRAILING = re.compile(r"^\s*(?:in|at|on|by|near|since|during|over|across|from|inside|"
                       r"outside|between)\b", re.I)
_OBJECT_START = re.compile(r"^\s+(?:(?:[Tt]he|[Aa]n?|their|its|his|her)\b|[A-Z][a-z])")
_TRAILING_WORDS = 8


def counts(reading: Reading, k: int) -> str:
    """What the figure counts, from the article's words: "Kurdish militants killed in clashes
    over the last two days", "people injured"; never empty."""
    s = reading.sense(k)
    m = reading.mentions[k]
    sentence = reading.sentence
    noun = s.noun or borrowed_noun(reading, k)
    if not noun and s.category in PERSONS_DONE:
        noun = "people"
    cue = s.cue if s.rule not in ("noun", "force", "none") else ""
    if s.rule == "noun-cue" and not s.noun:
        phrase = cue  # "put total casualties at 950,000": casualties
    elif s.rule == "noun-cue" or cue.lower() in noun.lower():
        phrase = cue if noun.lower() in cue.lower() else noun  # "deaths and injuries"
    elif cue.lower() in PARTICIPLE or cue.lower().split()[-1] in CUE_NOUNS:
        # "killing 14" counts the people killed; "the death toll at 27" counts the dead.
        done = PARTICIPLE.get(cue.lower()) or PERSONS_DONE.get(s.category, "")
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


def _trailing(after: str, *, objects: bool = False) -> str:
    """A short prepositional phrase after the counted noun or its verb (" in clashes in
    Hakkari"), or, after a verb, its object (" the enclave on Monday")."""
    if not (_TRAILING.match(after) or objects and _OBJECT_START.match(after)):
        return ""
    stop = _COUNTS_STOP.search(after)
    words: list[str] = []
    for w in (after[:stop.start()] if stop else after).split():
        if w.lower() in AUX and w.lower() not in ("all", "both", "to"):
            break  # "held by the group has added": a verb of another clause
        words.append(w)
    cut = len(words) > _TRAILING_WORDS or stop is not None and stop.group().strip() == "and"
    words = words[:_TRAILING_WORDS]
    if cut:  # end before the phrase that was cut: "in clashes [in the southeastern Hakkari]"
        starts = [i for i, w in enumerate(words) if i and w.lower() in PHRASE_STARTS]
        if starts:
            words = words[:starts[-1]]
    while words and words[-1].lower().strip(".") in TRIM_END:
        words.pop()
    return (" " + " ".join(words)) if words else ""

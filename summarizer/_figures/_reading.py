"""One sentence read once for all of its figures: what each counts, decided by the first rule
of the package docstring's order that speaks."""

from __future__ import annotations

from .._brief import NumberCategory
from .._numbers import Mention
from ._clause import (
    aside_head,
    borrowed,
    borrowed_head,
    borrowed_noun,
    coordinated,
    governor,
    listed_after,
    noun_cue,
    noun_phrase,
    predicate,
    tally,
)
from ._countable import plainly_no_count
from ._lexicon import BOTH_CASUALTIES, FORCES, MATERIEL, THINGS
from ._sense import UNDECIDED, Sense
from ._tokens import Tok, tokens

C = NumberCategory
# How many figures' readings may wait on one another (coordination, asides): a real sentence
# chains a handful; a table read as one sentence would otherwise recurse for every figure.
_MAX_DEPTH = 12


class Reading:
    """One sentence read once for all of its figures."""

    def __init__(self, sentence: str, mentions: list[Mention]) -> None:
        self.sentence = sentence
        self.mentions = mentions
        self._toks: list[Tok] | None = None  # read when first asked: many figures are years
        self._at: dict[int, int] = {}
        self._senses: dict[int, Sense] = {}
        self._no_count: dict[int, bool] = {}
        self._depth = 0  # how many figures' readings wait on the one being read

    def plainly_no_count(self, k: int) -> bool:
        """plainly_no_count, once per figure."""
        if k not in self._no_count:
            self._no_count[k] = plainly_no_count(self, k)
        return self._no_count[k]

    @property
    def toks(self) -> list[Tok]:
        """The sentence's words and figures."""
        if self._toks is None:
            self._toks = tokens(self.sentence, self.mentions)
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
                return UNDECIDED  # a list of hundreds of figures: no chain runs that long
            self._senses[k] = UNDECIDED  # a cycle through coordinated figures ends here
            self._depth += 1
            try:
                self._senses[k] = self._decide(k)
            finally:
                self._depth -= 1
        return self._senses[k]

    def _decide(self, k: int) -> Sense:
        """The first rule that speaks, in the package docstring's order."""
        i = self.at[k]
        np_end, head, noun = noun_phrase(self, i + 1)
        return (_by_noun(head, noun) or _by_predicate(self, k, np_end, head, noun)
                or _by_aside(self, i, noun) or _by_object(self, k, i, noun)
                or _by_noun_cue(self, i, np_end, noun) or _by_coordination(self, np_end, noun)
                or _by_tally(self, i, noun) or _by_kind(self, k, head, noun))


# Each rule returns the figure's sense, or None when it has nothing to say.

_MATERIEL = frozenset({C.vehicles_or_equipment, C.other})
_FORCE = frozenset({C.troops_or_fighters, C.other})
_OTHER = frozenset({C.other})


def _by_noun(head: str, noun: str) -> Sense | None:
    """What the figure counts is materiel ("six tanks") or a thing ("three air strikes")."""
    if head in MATERIEL:
        return Sense(C.vehicles_or_equipment, _MATERIEL, "noun", head, noun)
    if head in THINGS:
        return Sense(C.other, _OTHER, "noun", head, noun)
    return None


def _by_predicate(r: Reading, k: int, np_end: int, head: str, noun: str) -> Sense | None:
    """The figure's own verb: "of whom about 4,000 have been killed"."""
    found = predicate(r, np_end)
    if not found:
        return None
    if not head and borrowed_head(r, k) in MATERIEL:  # "47 drones ..., while 11 were lost":
        head, noun = borrowed(r, k)  # drones, not people
        return Sense(C.vehicles_or_equipment, _MATERIEL, "noun", head, noun)
    return _cued(found, "predicate", noun)


def _by_aside(r: Reading, i: int, noun: str) -> Sense | None:
    """In an aside, the figure shares its head's fate: "13 militants, including five suicide
    attackers, were killed"."""
    aside = aside_head(r, i)
    if aside is None:
        return None
    s = r.sense(aside)
    return Sense(s.category, s.accepted, "aside" if s.rule != "none" else "none", s.cue, noun)


def _by_object(r: Reading, k: int, i: int, noun: str) -> Sense | None:
    """Governed from before ("killed 12 and 30 were injured": before coordination), or listed
    after a governed figure ("killed 5 soldiers, 3 policemen and 2 civilians")."""
    found = governor(r, i)
    if found:
        return _cued(found, "object", noun or borrowed_noun(r, k))
    listed = listed_after(r, k)
    if listed is not None:
        return Sense(listed.category, listed.accepted, "object", listed.cue, noun)
    return None


def _by_noun_cue(r: Reading, i: int, np_end: int, noun: str) -> Sense | None:
    """A noun of the figure's own phrase: "six bodies and 27 wounded" (bodies, not wounded)."""
    found = noun_cue(r, i + 1, np_end)
    return _cued(found, "noun-cue", noun) if found else None


def _by_coordination(r: Reading, np_end: int, noun: str) -> Sense | None:
    """The next figure's own verb: "eight soldiers and 22 militants have been killed"."""
    nxt = coordinated(r, np_end)
    if nxt is None:
        return None
    s = r.sense(nxt)
    if s.rule in ("predicate", "coordination"):
        return Sense(s.category, s.accepted, "coordination", s.cue, noun)
    return None


def _by_tally(r: Reading, i: int, noun: str) -> Sense | None:
    """A tally brought to the figure: "the death toll rose to 68"."""
    found = tally(r, i)
    return _cued(found, "noun-cue", noun) if found else None


def _by_kind(r: Reading, k: int, head: str, noun: str) -> Sense:
    """A force's size ("2,000 U.S. troops"), materiel, or nothing said; the head may be the
    figure's before ("down from about 19,000": troops, as before)."""
    kind = head or borrowed_head(r, k)
    if kind in FORCES:
        return Sense(C.troops_or_fighters, _FORCE, "force", kind, noun)
    if kind in MATERIEL:
        return Sense(C.vehicles_or_equipment, _MATERIEL, "noun", kind, noun)
    return Sense(C.other, _OTHER, "none", "", noun)


def _cued(found: tuple[list[NumberCategory], str], rule: str, noun: str) -> Sense:
    categories, cue = found
    accepted = set(categories)
    if C.killed in accepted and cue.split()[0] in BOTH_CASUALTIES:
        accepted.add(C.wounded)
    return Sense(categories[0], frozenset(accepted), rule, cue, noun)


def read(sentence: str, mentions: list[Mention]) -> Reading:
    """Read a sentence once for all of its figures."""
    return Reading(sentence, mentions)

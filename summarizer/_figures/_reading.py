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
        i = self.at[k]
        np_end, head, noun = noun_phrase(self, i + 1)
        if head in MATERIEL:
            return Sense(C.vehicles_or_equipment, frozenset({C.vehicles_or_equipment, C.other}),
                         "noun", head, noun)
        if head in THINGS:
            return Sense(C.other, frozenset({C.other}), "noun", head, noun)
        found = predicate(self, np_end)  # "of whom about 4,000 have been killed": its own verb
        if found:
            if not head and borrowed_head(self, k) in MATERIEL:  # "47 drones ..., while 11
                head, noun = borrowed(self, k)
                return Sense(C.vehicles_or_equipment,  # were lost": drones, not people
                             frozenset({C.vehicles_or_equipment, C.other}), "noun", head, noun)
            return self._cued(found, "predicate", noun)
        aside = aside_head(self, i)
        if aside is not None:
            s = self.sense(aside)
            return Sense(s.category, s.accepted, "aside" if s.rule != "none" else "none", s.cue,
                         noun)
        found = governor(self, i)  # before coordination: "killed 12 and 30 were injured"
        if found:
            return self._cued(found, "object", noun or borrowed_noun(self, k))
        listed = listed_after(self, k)  # "killed 5 soldiers, 3 policemen and 2 civilians"
        if listed is not None:
            return Sense(listed.category, listed.accepted, "object", listed.cue, noun)
        found = noun_cue(self, i + 1, np_end)  # "six bodies and 27 wounded": bodies, not wounded
        if found:
            return self._cued(found, "noun-cue", noun)
        nxt = coordinated(self, np_end)
        if nxt is not None:
            s = self.sense(nxt)
            if s.rule in ("predicate", "coordination"):
                return Sense(s.category, s.accepted, "coordination", s.cue, noun)
        found = tally(self, i)
        if found:
            return self._cued(found, "noun-cue", noun)
        kind = head or borrowed_head(self, k)  # "down from about 19,000": troops, as before
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


def read(sentence: str, mentions: list[Mention]) -> Reading:
    """Read a sentence once for all of its figures."""
    return Reading(sentence, mentions)

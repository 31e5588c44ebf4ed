"""How the words around a figure bound it, every way a careful reader could take them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .._brief import Qualifier

if TYPE_CHECKING:
    from ._reading import Reading


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

"""What a figure counts, as its clause says, and which rule said so."""

from __future__ import annotations

from dataclasses import dataclass

from .._brief import NumberCategory

C = NumberCategory

# Rules that read what happened to the counted from the clause's own words.
FIRM_RULES = ("predicate", "coordination", "object", "noun-cue", "aside")


@dataclass(frozen=True)
class Sense:
    """What a figure counts, as its clause says."""

    category: NumberCategory
    accepted: frozenset[NumberCategory]  # every category the clause supports
    rule: str  # which rule decided (see the package's docstring)
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
        return self.rule in FIRM_RULES and self.category is not C.other


UNDECIDED = Sense(C.other, frozenset({C.other}), "none")

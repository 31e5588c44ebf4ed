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

The modules: ``_lexicon`` (the words, keyed by what they feed), ``_tokens`` (a sentence as
tokens, and what a token is), ``_clause`` (the parts of a figure's clause), ``_reading`` (the
rules, in the order above), ``_countable`` (which numbers are counts), ``_counts`` (what a
figure counts, in words) and ``_bounds`` (how it is bounded).
"""

from ._bounds import bounds
from ._countable import is_count, plainly_no_count
from ._counts import counts
from ._reading import Reading, read
from ._sense import Sense

__all__ = ["Reading", "Sense", "bounds", "counts", "is_count", "plainly_no_count", "read"]

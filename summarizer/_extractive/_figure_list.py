"""The brief's figures: every count the body states, once, with its source and evidence."""

from __future__ import annotations

from bisect import bisect_left

from .._brief import Figure, NumberCategory
from .._figures import counts, is_count, read
from .._numbers import Mention, find_mentions
from ._attribution import _attribution, _Ctx, _source_of
from ._layout import _Sent

EVIDENCE_CHARS = 400
MAX_FIGURES_PER_SENTENCE = 30
MAX_FIGURES = 150


def _evidence(sentence: str, m: Mention) -> str:
    """The sentence that states a figure, or, for an overlong one, the words around it."""
    if len(sentence) <= EVIDENCE_CHARS:
        return sentence
    half = EVIDENCE_CHARS // 2
    start = max(0, m.start - half)  # at a word's edge where one is near, else where it falls
    space = sentence.rfind(" ", max(0, start - 40), start)
    start = space + 1 if space >= 0 else start
    end = min(len(sentence), m.end + half)
    space = sentence.find(" ", end, end + 40)
    return sentence[start:space if space >= 0 else end].strip()


def _figures(text: str, sents: list[_Sent], ctx: _Ctx) -> list[Figure]:
    """Every count the body states, labelled by what its own clause says happened to it."""
    figures: list[Figure] = []
    # One pass over the whole text is cheaper than one per sentence.
    mentions = find_mentions(text)
    starts = [x.start for x in mentions]
    for i, s in enumerate(sents):
        if s.kind not in ("body", "bullet"):
            continue
        mine = []
        for j in range(bisect_left(starts, s.start), len(mentions)):
            x = mentions[j]
            if x.start >= s.end:
                break
            if x.end <= s.end:
                # Offsets within the sentence (a direct copy: dataclasses.replace is slow).
                mine.append(Mention(x.start - s.start, x.end - s.start, x.text, x.value, x.low,
                                    x.high, x.qualifier))
        if not mine:
            continue
        mine = mine[:MAX_FIGURES_PER_SENTENCE]
        reading = read(s.text, mine)
        for k, m in enumerate(mine):
            if not is_count(reading, k):
                continue
            category = reading.sense(k).category
            attributed = _source_of(_attribution(sents, i, ctx), m.start)
            if _restates(m, category, attributed, figures):
                continue
            figures.append(Figure(
                value=_plain(m.value), low=_plain(m.low), high=_plain(m.high),
                qualifier=m.qualifier, counts=counts(reading, k), category=category,
                attributed_to=attributed, evidence=_evidence(s.text, m),
            ))
            if len(figures) >= MAX_FIGURES:
                return figures
    return figures


def _plain(v: float | None) -> int | float | None:
    if v is None:
        return None
    return int(v) if float(v).is_integer() else v


def _restates(m: Mention, category: NumberCategory, source: str | None,
              figures: list[Figure]) -> bool:
    """A figure already listed, said again ("219 girls" in the lead and the body), or a rounder
    restatement of one ('two million' after '2.1 million'). The same count from two different
    sources is two figures."""
    for f in figures:
        same = f.category is category and f.qualifier is m.qualifier and (
            f.value, f.low, f.high) == (_plain(m.value), _plain(m.low), _plain(m.high))
        rounder = (m.value is not None and m.value >= 1000 and f.value and f.value != m.value
                   and f.category is category
                   and abs(f.value - m.value) <= 0.1 * max(f.value, m.value))
        if (same or rounder) and not _other_source(f.attributed_to, source):
            return True
    return False


def _other_source(a: str | None, b: str | None) -> bool:
    """True if two sources are both named and share no word."""
    if not a or not b:
        return False
    return not set(a.lower().split()) & set(b.lower().split())

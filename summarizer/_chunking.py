"""Long articles: split on paragraph boundaries to fit a model's context, and merge part briefs."""

from __future__ import annotations

from collections.abc import Callable

from ._brief import Actor, Brief, Figure, Outlook, Signal
from ._text import estimate_tokens, fold_str, paragraphs, sentences


def split_article(article: str, budget: int, count: Callable[[str], int] = estimate_tokens
                  ) -> list[str]:
    """Parts of at most ``budget`` tokens, cut between paragraphs (or sentences, or words, for a
    paragraph too long on its own). Every character of text lands in a part: nothing is dropped."""
    if budget < 1:
        raise ValueError("budget must be positive")
    pieces: list[str] = []
    for start, end in paragraphs(article):
        block = article[start:end]
        if count(block) <= budget:
            pieces.append(block)
            continue
        for s_start, s_end in sentences(block):
            sentence = block[s_start:s_end]
            if count(sentence) <= budget:
                pieces.append(sentence)
                continue
            pieces += _pack(sentence.split(" "), " ", budget, count)
    return _pack(pieces, "\n\n", budget, count)


def _pack(items: list[str], sep: str, budget: int, count: Callable[[str], int]) -> list[str]:
    """Join consecutive items with sep into as few chunks of at most budget tokens as fit."""
    chunks: list[str] = []
    current: list[str] = []
    for item in items:
        if current and count(sep.join([*current, item])) > budget:
            chunks.append(sep.join(current))
            current = []
        current.append(item)
    if current:
        chunks.append(sep.join(current))
    return chunks


def merge_briefs(briefs: list[Brief]) -> Brief:
    """One brief from the briefs of consecutive parts: the lead part's situation, every figure
    and actor once, places and signals in order."""
    if not briefs:
        raise ValueError("nothing to merge")
    first = briefs[0]
    actors: dict[str, Actor] = {}
    numbers: dict[tuple[object, ...], Figure] = {}
    where: dict[str, str] = {}
    signals: dict[str, Signal] = {}
    for brief in briefs:
        for a in brief.actors:
            actors.setdefault(fold_str(a.name), a)
        for n in brief.numbers:
            numbers.setdefault((n.value, n.low, n.high, fold_str(n.evidence)), n)
        for w in brief.where:
            where.setdefault(fold_str(w), w)
        for s in brief.outlook.signals:
            signals.setdefault(fold_str(s.evidence), s)
    summaries = [b.outlook.summary for b in briefs if b.outlook.summary]
    # The last part usually carries what comes next; the lead part what happened.
    summary = summaries[-1] if summaries else ""
    return Brief(
        situation=first.situation,
        where=list(where.values()),
        when=next((b.when for b in briefs if b.when), None),
        actors=list(actors.values()),
        numbers=list(numbers.values()),
        outlook=Outlook(summary=summary, signals=list(signals.values())),
    )

"""The situation (the lead) and the outlook (forward-looking sentences, with who says so)."""

from __future__ import annotations

import re

from .._brief import Outlook, Signal
from .._text import alternation, has_case_trap
from ._attribution import _attribution, _Ctx
from ._layout import _Sent
from ._lexicon import STRONG_CUES, STRONG_SET, WEAK_CUES

_FORWARD_STRONG = re.compile(r"\b" + alternation(STRONG_CUES) + r"\b", re.I)
_FORWARD_WEAK = re.compile(r"\b" + alternation(WEAK_CUES) + r"\b", re.I)
# The same cues, case-sensitive, for lower-cased text (faster than re.I), a look-behind first
# as for KNOWN_RE.
# Both kinds in one scan: whole-word matches of one kind never overlap the other's (the weak cues
# are single words, and no word inside a strong phrase is one), so the counts are the same.
_FORWARD_CUE_LOW = re.compile(r"(?<!\w)" + alternation(STRONG_CUES + WEAK_CUES) + r"\b")


def _forward_cues(text: str) -> tuple[int, int]:
    """How many strong and weak forward-looking cues a sentence has."""
    if not has_case_trap(text):  # then lower() and re.I agree (see CASE_TRAPS)
        found = _FORWARD_CUE_LOW.findall(text.lower())
        strong = sum(cue in STRONG_SET for cue in found)
        return strong, len(found) - strong
    return len(_FORWARD_STRONG.findall(text)), len(_FORWARD_WEAK.findall(text))


_WOULD = re.compile(r"\bwould\b")
_FIRM_FUTURE = re.compile(r"\b(?:will|expected|likely|plans?|warned|vowed|weeks away|coming)\b", re.I)


def _outlook_of(sents: list[_Sent], ctx: _Ctx) -> Outlook:
    """Forward-looking sentences, with who says so."""
    scored: list[tuple[int, int, _Sent]] = []
    for i, s in enumerate(sents):
        if s.kind != "body" or len(s.text.split()) < 6:
            continue
        strong, weak = _forward_cues(s.text)
        score = 2 * strong + weak
        if "would" in s.text and _WOULD.search(s.text) and not _FIRM_FUTURE.search(s.text):
            score -= 1  # "would" is often reported speech about the past
        if score >= 2:
            scored.append((score, i, s))
    top = sorted(scored, key=lambda t: (-t[0], t[1]))[:4]
    top.sort(key=lambda t: t[1])
    signals = []
    for _, i, s in top:
        statement = s.text if len(s.text) <= 240 else s.text[:237].rsplit(" ", 1)[0] + "..."
        said = _attribution(sents, i, ctx)
        signals.append(Signal(statement=statement, attributed_to=said[0].who if said else None,
                              evidence=s.text))
    summary = signals[0].evidence if signals else ""
    if len(summary) > 300:
        summary = summary[:297].rsplit(" ", 1)[0] + "..."
    return Outlook(summary=summary, signals=signals)


def _situation(sents: list[_Sent]) -> str:
    """The lead: the first body sentences after the dateline, at most two."""
    body = [s for s in sents if s.kind == "body"]
    lead = [s for s in body if s.lead] or body[:1]
    chosen = lead[:2]
    if len(chosen) == 1 and len(chosen[0].text.split()) < 25 and len(body) > 1:
        nxt = body[body.index(chosen[0]) + 1] if body.index(chosen[0]) + 1 < len(body) else None
        if nxt is not None:
            chosen.append(nxt)
    text = " ".join(s.text for s in chosen).strip()
    if not text:
        other = [s for s in sents if s.text.strip()]
        text = other[0].text if other else "No text."
    return _shortened(text, SITUATION_CHARS)


# Prose has sentences of a few hundred characters; a "sentence" of 100 KB (a table, a dump, an
# attack on the engine) is cut, so no part of the brief grows with it.
SITUATION_CHARS = 600


def _shortened(text: str, limit: int) -> str:
    """The text, or its first words up to limit characters and an ellipsis."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + "\u2026"

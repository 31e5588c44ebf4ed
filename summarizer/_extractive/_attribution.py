"""Whom a sentence's sources stand for: a pronoun or a kind word resolved to a name read
before it, and the source that speaks for each figure."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .._text import fold_str, has_words, name_words
from ._layout import _Sent
from ._lexicon import DOCUMENTS, NOBODY, ONE_TO_TWELVE, PRONOUNS, QUOTE_MARKS, TENS
from ._said import _DIGIT, _clean_source, _is_kind_word, _Said, _said_by


@dataclass
class _Ctx:
    """What the engine knows while it reads: people, organisations and sources seen so far."""

    people: list[tuple[int, str]] = field(default_factory=list)  # (offset, full name)
    orgs: list[tuple[int, str]] = field(default_factory=list)
    said: dict[int, list[_Said]] = field(default_factory=dict)  # sentence index -> its sources


def _latest(items: list[tuple[int, str]], before: int, since: int = 0) -> str | None:
    """The last name mentioned in [since, before)."""
    best = None
    for at, name in items:
        if since <= at < before:
            best = name
    return best


def _attribution(sents: list[_Sent], i: int, ctx: _Ctx) -> list[_Said]:
    """Who sentence i cites, worked out once, when first asked, after the sentences before it
    that a source may come from (its own and the two before: where a reader looks)."""
    for j in range(max(0, i - 2), i + 1):
        if j not in ctx.said:
            ctx.said[j] = _cited(sents, j, ctx) if sents[j].kind in ("body", "bullet") else []
    return ctx.said[i]


def _cited(sents: list[_Sent], i: int, ctx: _Ctx) -> list[_Said]:
    """Who sentence i cites, with a pronoun or a kind word ("the group") resolved to the name it
    stands for, which must be named in this sentence or the two before it. A sentence that
    cites no one and opens with a figure or a pronoun goes on with the report of the one before
    it in its paragraph: "A senior officer told Reuters that 51 were wounded. Four gunmen were
    killed." """
    sent = sents[i]
    found = _said_by(sent.text)
    if not found:
        before = sents[i - 1] if i else None
        if before and before.para == sent.para and _GOES_ON.match(sent.text):
            carried = ctx.said.get(i - 1, [])
            if carried and _named_near(sents, i, carried[-1].who):
                return [_Said(carried[-1].who, -1, (0, len(sent.text)))]
        return []
    out = []
    for said in found:
        who = _resolve(sents, i, ctx, said)
        if who:
            out.append(_Said(who, said.where, said.scope, said.according))
    return out


# A sentence that carries on the report before it: it opens with a figure or a pronoun.
_GOES_ON = re.compile(
    r"^(?:\d|(?:" + "|".join([*ONE_TO_TWELVE, *TENS, "hundreds", "dozens"])
    + r"|another|they|he|she|it)\b)", re.I)


def _source_of(said: list[_Said], at: int) -> str | None:
    """The source that speaks for offset ``at`` of its sentence: of those whose stretch covers
    it, the narrowest ("..., but the army said only 12 died" over the sentence's "according to
    officials"), then "according to X", the article's own word, then the one named nearest."""
    covering = [s for s in said if s.scope[0] <= at < s.scope[1]]
    if not covering:
        return None
    return min(covering, key=lambda s: (-s.scope[0], not s.according, abs(at - s.where))).who


def _resolve(sents: list[_Sent], i: int, ctx: _Ctx, found: _Said) -> str | None:
    """The name a source as written stands for, if it is one."""
    sent = sents[i]
    raw = found.who
    who = _clean_source(raw)
    if not (0 < len(who.split()) <= 9) or _DIGIT.search(who) or not name_words(who):
        return None  # "..., and said": no name
    low = who.lower()
    since = sents[max(0, i - 2)].start
    here = sent.start + found.where
    if low in PRONOUNS or _is_kind_word(raw):
        if PRONOUNS.get(low) == "person":
            return _latest(ctx.people, here, since)
        # "it said": the body this sentence opens with, else the last body that spoke, else
        # the last one named; "the group said": the last body that spoke, else one this
        # sentence names ("The group, also known as MSF, said"); "the report found": the last
        # body that spoke.
        document = low.split()[-1] in DOCUMENTS
        opens = low in PRONOUNS and not sent.text.startswith(QUOTE_MARKS)
        named = not document and low not in PRONOUNS
        subject = _first(ctx.orgs, sent.start, here) if opens else None
        if subject and _DIGIT.search(sent.text[:sent.text.find(subject)]):
            subject = None  # "At least 9 police officers were wounded, it said": no subject body
        body = (subject
                or _last_source(ctx, sents, i, since, people=False)
                or named and _latest(ctx.orgs, here, sent.start)
                or low in PRONOUNS and _latest(ctx.orgs, sent.start, since) or None)
        return body if body and _named_near(sents, i, body) else None
    if low in NOBODY or low.split()[-1] in DOCUMENTS and len(low.split()) == 1:
        return None
    for _, person in ctx.people:
        if who != person and who.endswith(person):
            return person  # "Army spokesman Col. X" -> "X"
    return who


def _named_near(sents: list[_Sent], i: int, name: str) -> bool:
    """True if a name is written in sentence i or the two before it, where a reader checking
    the figure's source will look (and where the trust layer looks)."""
    words = name_words(name)
    return bool(words) and has_words(fold_str(" ".join(s.text for s in sents[max(0, i - 2):i + 1])),
                                      words)


def _first(items: list[tuple[int, str]], since: int, before: int) -> str | None:
    """The first name mentioned in [since, before)."""
    return next((name for at, name in items if since <= at < before), None)


def _last_source(ctx: _Ctx, sents: list[_Sent], i: int, since: int, *, people: bool) -> str | None:
    """The source of the nearest sentence before i (from ``since``) that cites one."""
    persons = {name for _, name in ctx.people}
    for j in range(i - 1, -1, -1):
        if sents[j].start < since:
            break
        for one in reversed(ctx.said.get(j, [])):
            if (one.who in persons) == people:
                return one.who
    return None

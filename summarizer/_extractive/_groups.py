"""The group rule: common-noun groups ("Israeli forces", "troops loyal to Kiir", "civilians"),
one party for every phrase that names the same body."""

from __future__ import annotations

import re

from .._gazetteer import GROUP_HEADS, KNOWN_ORGS
from ._found import _Found
from ._kinds import _org_kind
from ._layout import _Sent
from ._lexicon import (
    ACTOR_SKIP,
    ARMED_QUALIFIERS,
    GROUP_HEAD,
    GROUP_LEAD_SKIP,
    GROUP_RE,
    QUALIFIER_SET,
    SPEAKING_BODIES,
)
from ._match import _finditer_near
from ._roles import _side_of


def _groups(f: _Found, s: _Sent) -> None:
    """Every common-noun group a sentence names."""
    for m in _finditer_near(GROUP_RE, GROUP_HEAD, s.text):
        _group(f, s, m)


def _group(f: _Found, s: _Sent, m: re.Match[str]) -> None:
    head, loyal = m.group("head"), m.group("loyal") or ""
    head_low = head.lower()
    qwords = m.group("qual").split()
    while qwords and qwords[0].lower() in GROUP_LEAD_SKIP:
        qwords = qwords[1:]
    qual = " ".join(qwords)
    if qual and head_low in ("fighters", "militants") and (
            qual.lower() in f.found or qual.lower() in KNOWN_ORGS):
        return  # "Islamic State militants" is the group itself
    name = (qual + " " + head).strip() + loyal.rstrip()
    key = "g:" + _group_key(qual, head)
    if loyal:
        key += ":" + loyal.split()[-1].lower()
    start = s.start + m.start()
    prev = f.found.get(key)
    if prev is not None and len(name.split()) > len(prev.name.split()) and prev.score < 2:
        prev.name = name
    g = f.add(key, name, _group_kind(qual, head_low, loyal, f.acronyms), s, start,
              s.start + m.end())
    if head_low in SPEAKING_BODIES:
        f.ctx.orgs.append((start, name))  # "the U.S.-led coalition ..., it said"
    if g.side is None:
        g.side = _side_of(m.group("qual"), loyal)


def _group_kind(qual: str, head_low: str, loyal: str, acronyms: dict[str, str]) -> str:
    """A group's kind: its head's, unless its words say rebels or forces loyal to someone."""
    kind = GROUP_HEADS[head_low]
    if qual and kind != "civilians":
        lowq = qual.lower()
        if any(w in lowq for w in ARMED_QUALIFIERS) or qual in acronyms or _org_kind(
                qual) == "non_state_armed_group":
            kind = "non_state_armed_group"
        elif loyal and head_low in ("forces", "troops", "fighters"):
            kind = "state_force"
    if loyal and head_low in ("forces", "fighters") and "vice" in loyal.lower():
        kind = "non_state_armed_group"  # forces loyal to a vice president: a rival's
    return kind


def _group_key(qual: str, head: str) -> str:
    """Phrases naming the same body share a key: 'Israeli soldiers' ~ 'Israeli forces'."""
    kind = GROUP_HEADS[head.lower()]
    if kind == "civilians":
        return "civilians"
    words = qual.split()
    caps = [w for w in words if w[:1].isupper() and w.lower() not in ACTOR_SKIP]
    if caps:
        tag = caps[0].lower().rstrip("'s")
    else:
        tag = "|".join(sorted(w.lower() for w in words if w.lower() in QUALIFIER_SET))
    return f"{kind}:{tag}"

"""Who a sentence says spoke, as written: the sources it cites and the stretch each speaks for."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .._gazetteer import SPEECH_VERBS
from .._text import alternation, has_case_trap
from ._lexicon import (
    DOCUMENT_TAILS,
    DOCUMENT_VERBS,
    DOCUMENTS,
    EVENTS,
    KIND_ADJECTIVES,
    KIND_WORDS,
    OBJECT_VERBS,
    PRONOUNS,
    SPEECH,
)

_ATTR_AFTER = re.compile(
    rf"(?:,|\u201d|\")\s*(?:(?:{SPEECH})\s+)?(?P<who>[^,;\"\u201c\u201d]{{2,80}}?)\s+"
    rf"(?:has |have |had )?(?:{SPEECH})\b(?!\s+responsibility)",
    re.I,
)
# ', said X' (but ', told Reuters' names whom X told, not X).
_ATTR_SAID_X = re.compile(
    rf"(?:,|\u201d|\")\s*(?!told\b)(?:{SPEECH})\s+(?P<who>[A-Z][^,;.]{{2,80}})")
_NAME = r"[A-Z][\w.'\u2019-]*(?:\s+(?:al-|de |bin )?[A-Z][\w.'\u2019-]*){0,4}"
# ', Amadou Diallo, a spokesman for the governor, said' and ', the town's mayor, Lucia
# Herrera, said': the name beside the description.
_ATTR_NAME_APPOS = re.compile(
    rf",\s*(?:(?P<name1>{_NAME}),\s*(?:a|an|the)\s[^,;\"\u201c\u201d]{{2,100}}"
    rf"|(?:a|an|the)\s[^,;\"\u201c\u201d]{{2,100}},\s*(?P<name2>{_NAME})),\s*"
    rf"(?:has |have |had )?(?:{SPEECH})\b")
_SPEECH_END = re.compile(rf"\b(?:{SPEECH})\s*$")  # "..., said" before a name
# "according to a U.S. military estimate": abbreviations keep their full stops.
_ATTR_ACCORDING = re.compile(
    r"\baccording to (?P<who>(?:[A-Z]\.){2,}[^,;\"\u201d]{0,80}?|[^,;.\"\u201d]{2,80}?"
    r"(?:(?:[A-Z]\.){2,}[^,;.\"\u201d]{0,60})?)(?=[,;\"\u201d]|\.(?:\s|$)|$)", re.I)

# ', the U.N. estimated that ...', 'and a Reuters investigation found': a source mid-sentence.
_ATTR_THAT = re.compile(
    rf"(?:,|\band|\bbut)\s+(?P<who>(?:the\s+)?(?:[A-Z][\w.'\u2019-]*\s+){{1,4}}?"
    rf"(?:[A-Z][\w.'\u2019-]*|[a-z]+))\s+(?:{SPEECH}|{DOCUMENT_VERBS})\s+that\b")
# '..., while the Israeli military said Hezbollah had fired some 140 rockets': a second source
# that speaks for the rest of the sentence.
_ATTR_WHILE = re.compile(
    r"\b(?:while|whereas|but)\s+(?P<who>(?:the\s+)?(?:[A-Z][\w.'\u2019-]*\s+){0,3}"
    r"(?:[A-Z][\w.'\u2019-]*|military|army|government|police|ministry|officials))\s+"
    r"(?:said|says|claimed|estimated|reported)\b")

# ', a Reuters investigation found.': a document that speaks at the end of a sentence.
_ATTR_DOCUMENT_AFTER = re.compile(
    rf",\s*(?P<who>[^,;\"\u201c\u201d]{{2,60}}?\s(?:{'|'.join(DOCUMENT_TAILS)}))\s+"
    rf"(?:{DOCUMENT_VERBS})\b")
_ANY_SAYING = re.compile(rf"\b(?:{SPEECH}|{DOCUMENT_VERBS}|according to)\b", re.I)
# The same words as a prefix tree, case-sensitive, for lower-cased text (see CASE_TRAPS): far
# faster than re.I.
_ANY_SAYING_LOW = re.compile(r"(?<!\w)" + alternation(
    [*SPEECH_VERBS, *DOCUMENT_VERBS.split("|"), "according to"]) + r"\b")
# "X said", "On Monday, X said", "Thwadi, the Sabratha mayor, said", "A spokesman for the
# rescue workers, Bilal Ahmad Faizi, said", "The group, also known as MSF, said".
_ATTR_LEAD = re.compile(
    rf"^(?P<pre>[^,]{{0,120}},\s*)?(?P<who>[A-Z\"][^,;\"\u201c\u201d]{{1,80}}?|it|they|he|she)"
    rf"(?P<appos>(?:,[^,;\"\u201c\u201d]{{1,90}}){{1,2}},)?\s+"
    rf"(?:has |have |had |also |later |on \w+ )?(?P<verb>{SPEECH}|{DOCUMENT_VERBS}|accused)\b"
    rf"(?!\s+responsibility)"
)
# 'X claimed responsibility ..., saying its fighters had killed 60': X, for what follows.
_ATTR_SAYING = re.compile(
    r"^(?P<who>(?:The\s+)?[A-Z][\w.'\u2019-]*(?:\s+(?:[A-Z][\w.'\u2019-]*|of|for|al-\w+|"
    r"police|spokesman|spokeswoman|army|military|ministry|government|officials?)){0,7})"
    r"(?:,[^,]{1,80},)?\s+(?:[a-z]+ed|gave|put|said|says)\b[^\"\u201c]{0,200}?,\s+saying\b")
# 'according to the ship's manager, Aegean Bulk Management.': the name after the description.
_ACCORDING_NAME = re.compile(rf",\s*(?P<name>{_NAME})\s*(?:[.;,]|$)")

_PHRASE_END = re.compile(r",\s|\s(?:and|but|while|as|after|before|when|since|because|following|"
                         r"amid)\s")

_SOURCE_TIME_TAIL = re.compile(r"\s+(?:on|in|late|early|last|this)\s+\w+(?:\s+\w+)?$")
_SOURCE_CONJ_LEAD = re.compile(
    r"^(?:and|but|while|as|so|then|though|although|because|since|when|after|in which|of which|"
    r"of whom|which|who|whom|where)\s+", re.I)
_ARTICLE_LEAD = re.compile(r"^(?:the|a|an)\s+", re.I)
# "video posted online" -> "video" (but "registry of disappeared persons" stays whole)
_SOURCE_PARTICIPLE = re.compile(r"\s+[a-z]+ed\s+(?:online|on|in|by|at|to|from|over)\b.*$")
_NAME_PREFIX = re.compile(r"^(?:[A-Z][\w.'\u2019-]*\s*){1,4},\s*$")  # "Thwadi, "


def _clean_source(who: str) -> str:
    who = _SOURCE_TIME_TAIL.sub("", who.strip())
    who = _SOURCE_CONJ_LEAD.sub("", who)
    who = _ARTICLE_LEAD.sub("", who)
    if len(who.split()) > 2:
        who = _SOURCE_PARTICIPLE.sub("", who)
    who = who.strip(" '\"")
    return who if _ABBREVIATION_END.search(who) else who.rstrip(".")  # "U.N." keeps its stop


_ABBREVIATION_END = re.compile(r"(?:\b[A-Za-z]\.){2,}$")
# Not a name: "forcing an (estimated)", "killing the", "and".
_NOT_A_SOURCE = re.compile(r"(?:^[a-z]+ing\b|^(?:has|have|had|was|were|is|are|which|who|that|"
                           r"it has|it had)$|\b(?:a|an|the|and|or|of)$)")


@dataclass(frozen=True)
class _Said:
    """A sentence's source as written, where the name stands, and the stretch it speaks for."""

    who: str
    where: int
    scope: tuple[int, int]
    according: bool = False  # "according to X"


def _said_by(text: str) -> list[_Said]:
    """Every source a sentence cites, as written, with the stretch each speaks for: 'according
    to X' the whole sentence; ', X said.' the whole sentence; 'X said ...' and ', while X said
    ...' what follows them."""
    low = text.lower()
    saying = _ANY_SAYING.search(text) if has_case_trap(text) else _ANY_SAYING_LOW.search(low)
    if not saying:
        return []  # most sentences cite no one: one scan settles it
    found: list[_Said] = []
    # Each pattern is tried only where its fixed words occur: most sentences have few of them.
    m = _ATTR_NAME_APPOS.search(text) if text.count(",") >= 2 else None
    if m:
        group = "name1" if m.group("name1") else "name2"
        found.append(_Said(m.group(group), m.start(group), _trailing_scope(text, m.end())))
    _trailing_sources(text, low, found)
    _middle_sources(text, low, found)
    lead = _lead_source(text)
    if lead is not None:
        found.append(lead)
    m = _ATTR_SAYING.search(text) if ", saying" in low else None
    if m and not any(f.where == m.start("who") for f in found):
        found.append(_Said(m.group("who"), m.start("who"), (m.end(), len(text))))
    return _named_after_according(text, found)


def _trailing_sources(text: str, low: str, found: list[_Said]) -> None:
    """Add the first source of each kind that ends a clause: 'according to X', ', X said',
    ', said X', ', a Reuters investigation found'."""
    trailing = [_ATTR_AFTER, _ATTR_SAID_X]
    if "according to" in low:
        trailing.insert(0, _ATTR_ACCORDING)
    if any(d in low for d in DOCUMENT_TAILS):
        trailing.insert(-2, _ATTR_DOCUMENT_AFTER)
    for rx in trailing:
        for m in rx.finditer(text):
            if not _NOT_A_SOURCE.search(_clean_source(m.group("who"))) and not any(
                    f.where <= m.start("who") < f.where + len(f.who) + 40 for f in found):
                according = rx is _ATTR_ACCORDING
                scope = (0, len(text)) if according else _trailing_scope(text, m.end())
                found.append(_Said(m.group("who"), m.start("who"), scope, according))
                break


def _middle_sources(text: str, low: str, found: list[_Said]) -> None:
    """Add the sources that speak for what follows them mid-sentence: ', the U.N. estimated
    that ...', ', while the army said ...'."""
    middles = ([_ATTR_THAT] if " that " in low else []) + (
        [_ATTR_WHILE] if "while " in low or "whereas " in low or "but " in low else [])
    for rx in middles:
        for m in rx.finditer(text):
            if not any(f.where <= m.start("who") < f.where + len(f.who) + 2 for f in found):
                found.append(_Said(m.group("who"), m.start("who"), (m.end(), len(text))))


def _named_after_according(text: str, found: list[_Said]) -> list[_Said]:
    """'according to the Greek manager, Aegean Bulk Management.': the name, not the description."""
    for i, f in enumerate(found):
        if f.according:
            name = _ACCORDING_NAME.match(text, f.where + len(f.who))
            if name:
                found[i] = _Said(name.group("name"), name.start("name"), f.scope, True)
    return found


def _trailing_scope(text: str, end: int) -> tuple[int, int]:
    """What ', X said' speaks for: the whole sentence when only a time or a 'statement' follows
    it (', X said on Monday.', ', X said, killing ...'), else what follows ('..., of whom
    officials believe about 24 are alive')."""
    rest = text[end:]
    if _PARENTHETICAL_END.match(rest):
        return 0, len(text)
    return end, len(text)


# What may follow the verb of a parenthetical source: its audience ("told Reuters"), then the end
# of the clause or a phrase of time, place or manner ("said in its annual report").
_PARENTHETICAL_END = re.compile(
    r"^(?:\s+(?:Reuters|AFP|AP|reporters|journalists|[A-Z][\w.]*|the\s+\w+|a\s+\w+))?"
    r"(?:\s*(?:[,.;:\"\u201d]|$)|\s+(?:in|on|at|to|from|by|with|during|after|before|late|early|"
    r"last|this|earlier|later|via|through|over|when|as|while|citing|adding)\b)")


def _lead_source(text: str) -> _Said | None:
    """'X said ...' at the start of a sentence, speaking for what follows."""
    m = _ATTR_LEAD.search(text)
    if not m:
        return None
    who, where = m.group("who"), m.start("who")
    pre, appos = m.group("pre"), m.group("appos")
    if pre and _NAME_PREFIX.match(pre) and _ARTICLE_LEAD.match(who) and not appos:
        who, where = pre.strip(" ,"), 0  # "Thwadi, the Sabratha mayor, said": Thwadi
    elif appos and _ARTICLE_LEAD.match(who) and not _is_kind_word(who):
        first = appos.split(",")[1].strip()
        if _NAME_PREFIX.match(first + ", "):  # "A spokesman for X, Bilal Ahmad Faizi, said"
            who, where = first, m.start("appos") + appos.index(first)
    verb = m.group("verb").lower()
    words = _clean_source(who).lower().split()
    if words and words[-1] in EVENTS:
        return None  # "The war has claimed 400,000 lives": an event claims lives, says nothing
    if verb not in SPEECH_VERBS and verb != "accused" and words and (
            words[-1] not in DOCUMENTS) and not (words[-1] in ("it", "they") or (
                _clean_source(who)[:1].isupper() and words[-1] not in PRONOUNS)) or (
            verb in ("found", "showed", "shows") and words and words[-1] not in DOCUMENTS):
        # "They found 200 kilograms": a finding, not a source, unless a report's; a body that
        # "recorded" or "documented" a figure is its source.
        return None
    # A lead source speaks for what follows it; the object of "reported" only as far as its
    # phrase goes ("reported casualties and accused ..., a sign that ... 30,000 dead").
    end = len(text)
    if verb in OBJECT_VERBS and not text[m.end():].lstrip().lower().startswith("that"):
        stop = _PHRASE_END.search(text, m.end())
        end = stop.start() if stop else end
    return _Said(who, where, (m.end(), end))


def _is_kind_word(raw: str) -> bool:
    """True for "the group", "the international organization", "the Britain-based war
    monitor": a kind of body, not its name."""
    words = raw.strip().split()
    return (len(words) > 1 and words[0].lower() in ("the", "this") and words[-1].lower() in
            KIND_WORDS and all(w.lower() in KIND_ADJECTIVES or w.lower().endswith(
                ("-based", "-run", "-backed")) for w in words[1:-1]))


_DIGIT = re.compile(r"\d")

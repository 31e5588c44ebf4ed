"""The model-free engine: a brief built from an article by rules, cue words and small gazetteers.

Everything here is deterministic and pure. Every evidence string is a sentence (or part of one) of
the article, every figure is parsed from its own evidence and every name is copied from the text,
so the brief grounds by construction.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field

from ._brief import Actor, ActorKind, Brief, Figure, NumberCategory, Outlook, Signal
from ._figures import counts, is_count, read
from ._gazetteer import (
    ARMED_NAME_WORDS,
    COUNTRIES,
    GROUP_HEADS,
    GROUP_QUALIFIERS,
    KIND_CUES,
    KNOWN_ORGS,
    METONYMS,
    MONTHS,
    SPEECH_VERBS,
    TERRITORIES,
    TITLES,
    WEEKDAYS,
)
from ._numbers import Mention, find_mentions
from ._text import (
    _ABBREV,
    alternation,
    fold_str,
    has_case_trap,
    has_words,
    name_words,
    paragraph_sentences,
    paragraphs,
)

# ---------------------------------------------------------------------------------------------
# Layout: which paragraphs are body text, and where the lead starts.

_CAPTION_CREDIT = re.compile(
    r"\((?:[^()]*(?:/|Getty|Photo|photo|via |Images|Associated Press|Reuters|AFP|EPA|AP)"
    r"[^()]*)\)\s*$"
)
_CAPTION_START = re.compile(r"^(?:In this (?:image|photo|picture|file)|Photo:|FILE PHOTO)", re.I)
_BYLINE = re.compile(r"^(?:By|From|Written by)\s+[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+)*", re.I)
_CREDITS = re.compile(
    r"^\(?\s*(?:(?:Additional )?reporting\b|Writing by|Editing by|With files from|"
    r"Compiled by|Contributing|.{0,60} contributed to this report)",
    re.I,
)
# A paragraph of prose whose last sentence was cut off is body text, not a heading: it has
# sentences, and more words than a headline.
_PROSE = re.compile(r"^(?=(?:\S+\s+){24}\S)(?=.*?\w[.!?][\"'\u201d\u2019)]?\s)", re.S)
_BULLET = re.compile(r"^\s*(?:[*\u2022\u25cf\u2013-]|\d+[.)])\s+")
_REPORTING_BY = re.compile(r"^\(?(?:Reporting|Editing) by")
_SENTENCE_ENDS = (".", "!", "?", ":", '"', "'", "\u201d", "\u2019", ")")
_DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Z'.\-]+(?:[ /][A-Z][A-Z'.\-]+)*)"
    r"(?P<rest>(?:,\s*[A-Z][a-z]+\.?(?:\s+\d{1,2})?)?\s*(?:\([A-Za-z .]+\)\s*)?)"
    r"(?P<dash>[\u2014\u2013-]+\s*|\s+)(?=[A-Z\"\u201c'])"
)


@dataclass
class _Para:
    start: int
    end: int
    kind: str  # "title", "caption", "byline", "credits", "bullet", "header", "body"


def _layout(text: str) -> list[_Para]:
    out: list[_Para] = []
    for i, (s, e) in enumerate(paragraphs(text)):
        p = text[s:e].strip()
        if _BULLET.match(p):
            kind = "bullet"
        elif _CREDITS.match(p) or _REPORTING_BY.match(p):
            kind = "credits"
        elif _CAPTION_CREDIT.search(p) or _CAPTION_START.match(p):
            kind = "caption"
        elif _BYLINE.match(p) and len(p.split()) <= 8 and not p.endswith("."):
            kind = "byline"
        elif p.isupper() or not p.endswith(_SENTENCE_ENDS) and not _PROSE.search(p):
            kind = "title" if i == 0 or not out else "header"
        else:
            kind = "body"
        out.append(_Para(s, e, kind))
    return out


def _dateline_end(text: str, start: int) -> int:
    """Offset after a dateline at start ('JUBA ', 'LAGOS/ABUJA, April 14 ', 'JERUSALEM — ')."""
    m = _DATELINE.match(text, start)
    if not m:
        return start
    place = m.group("place")
    # An acronym that leads a sentence ("ISIS attempted") is no dateline; a dateline's capitals
    # stand alone in the article, or are marked by a dash, comma or slash.
    marked = bool(m.group("rest").strip() or m.group("dash").strip() or "/" in place)
    if not marked:
        first = place.split()[0]
        if len(first) < 4 or first.lower() in KNOWN_ORGS:
            return start
        if "(" + first + ")" in text:
            return start  # an acronym the article defines
    return m.end()


# ---------------------------------------------------------------------------------------------
# Sentences with their paragraph kind.


@dataclass
class _Sent:
    start: int
    end: int
    text: str
    kind: str
    lead: bool = False
    para: int = 0  # which paragraph


def _sentences(text: str, layout: list[_Para]) -> list[_Sent]:
    out: list[_Sent] = []
    first_body = True
    for p, para in enumerate(layout):
        start = para.start
        lead = False
        if para.kind == "body" and first_body:
            start = _dateline_end(text, para.start)
            first_body = False
            lead = True
        if para.kind == "bullet":
            start = para.start + _BULLET.match(text[para.start:para.end]).end()  # type: ignore[union-attr]
        # A layout paragraph is one of paragraphs(): split it without looking for lines again.
        for s, e in paragraph_sentences(text, start, para.end):
            out.append(_Sent(s, e, text[s:e], para.kind, lead, p))
    return out


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


_SPEECH = "|".join(SPEECH_VERBS)
_ATTR_AFTER = re.compile(
    rf"(?:,|\u201d|\")\s*(?:(?:{_SPEECH})\s+)?(?P<who>[^,;\"\u201c\u201d]{{2,80}}?)\s+"
    rf"(?:has |have |had )?(?:{_SPEECH})\b(?!\s+responsibility)",
    re.I,
)
# ', said X' (but ', told Reuters' names whom X told, not X).
_ATTR_SAID_X = re.compile(
    rf"(?:,|\u201d|\")\s*(?!told\b)(?:{_SPEECH})\s+(?P<who>[A-Z][^,;.]{{2,80}})")
_NAME = r"[A-Z][\w.'\u2019-]*(?:\s+(?:al-|de |bin )?[A-Z][\w.'\u2019-]*){0,4}"
# ', Amadou Diallo, a spokesman for the governor, said' and ', the town's mayor, Lucia
# Herrera, said': the name beside the description.
_ATTR_NAME_APPOS = re.compile(
    rf",\s*(?:(?P<name1>{_NAME}),\s*(?:a|an|the)\s[^,;\"\u201c\u201d]{{2,100}}"
    rf"|(?:a|an|the)\s[^,;\"\u201c\u201d]{{2,100}},\s*(?P<name2>{_NAME})),\s*"
    rf"(?:has |have |had )?(?:{_SPEECH})\b")
_SPEECH_END = re.compile(rf"\b(?:{_SPEECH})\s*$")  # "..., said" before a name
# "according to a U.S. military estimate": abbreviations keep their full stops.
_ATTR_ACCORDING = re.compile(
    r"\baccording to (?P<who>(?:[A-Z]\.){2,}[^,;\"\u201d]{0,80}?|[^,;.\"\u201d]{2,80}?"
    r"(?:(?:[A-Z]\.){2,}[^,;.\"\u201d]{0,60})?)(?=[,;\"\u201d]|\.(?:\s|$)|$)", re.I)
_DOCUMENT_VERBS = r"found|showed|shows|documented|recorded|purported to show|appeared to show"
# ', the U.N. estimated that ...', 'and a Reuters investigation found': a source mid-sentence.
_ATTR_THAT = re.compile(
    rf"(?:,|\band|\bbut)\s+(?P<who>(?:the\s+)?(?:[A-Z][\w.'\u2019-]*\s+){{1,4}}?"
    rf"(?:[A-Z][\w.'\u2019-]*|[a-z]+))\s+(?:{_SPEECH}|{_DOCUMENT_VERBS})\s+that\b")
# '..., while the Israeli military said Hezbollah had fired some 140 rockets': a second source
# that speaks for the rest of the sentence.
_ATTR_WHILE = re.compile(
    r"\b(?:while|whereas|but)\s+(?P<who>(?:the\s+)?(?:[A-Z][\w.'\u2019-]*\s+){0,3}"
    r"(?:[A-Z][\w.'\u2019-]*|military|army|government|police|ministry|officials))\s+"
    r"(?:said|says|claimed|estimated|reported)\b")
_DOCUMENT_TAILS = ("report", "study", "survey", "investigation", "inquiry", "review", "tally",
                   "count")
# ', a Reuters investigation found.': a document that speaks at the end of a sentence.
_ATTR_DOCUMENT_AFTER = re.compile(
    rf",\s*(?P<who>[^,;\"\u201c\u201d]{{2,60}}?\s(?:{'|'.join(_DOCUMENT_TAILS)}))\s+"
    rf"(?:{_DOCUMENT_VERBS})\b")
_ANY_SAYING = re.compile(rf"\b(?:{_SPEECH}|{_DOCUMENT_VERBS}|according to)\b", re.I)
# The same words as a prefix tree, case-sensitive, for lower-cased text (see CASE_TRAPS): far
# faster than re.I.
_ANY_SAYING_LOW = re.compile(r"(?<!\w)" + alternation(
    [*SPEECH_VERBS, *_DOCUMENT_VERBS.split("|"), "according to"]) + r"\b")
# "X said", "On Monday, X said", "Thwadi, the Sabratha mayor, said", "A spokesman for the
# rescue workers, Bilal Ahmad Faizi, said", "The group, also known as MSF, said".
_ATTR_LEAD = re.compile(
    rf"^(?P<pre>[^,]{{0,120}},\s*)?(?P<who>[A-Z\"][^,;\"\u201c\u201d]{{1,80}}?|it|they|he|she)"
    rf"(?P<appos>(?:,[^,;\"\u201c\u201d]{{1,90}}){{1,2}},)?\s+"
    rf"(?:has |have |had |also |later |on \w+ )?(?P<verb>{_SPEECH}|{_DOCUMENT_VERBS}|accused)\b"
    rf"(?!\s+responsibility)"
)
# 'X claimed responsibility ..., saying its fighters had killed 60': X, for what follows.
_ATTR_SAYING = re.compile(
    r"^(?P<who>(?:The\s+)?[A-Z][\w.'\u2019-]*(?:\s+(?:[A-Z][\w.'\u2019-]*|of|for|al-\w+|"
    r"police|spokesman|spokeswoman|army|military|ministry|government|officials?)){0,7})"
    r"(?:,[^,]{1,80},)?\s+(?:[a-z]+ed|gave|put|said|says)\b[^\"\u201c]{0,200}?,\s+saying\b")
# 'according to the ship's manager, Aegean Bulk Management.': the name after the description.
_ACCORDING_NAME = re.compile(rf",\s*(?P<name>{_NAME})\s*(?:[.;,]|$)")
# What a lead source covers: all that follows a verb of speech; an object of "reported" or
# "claimed" only up to the end of its phrase ("reported civilian casualties and ...").
_OBJECT_VERBS = frozenset("reported claimed announced confirmed denied cited noted".split())
_PHRASE_END = re.compile(r",\s|\s(?:and|but|while|as|after|before|when|since|because|following|"
                         r"amid)\s")
_DOCUMENTS = frozenset("report study survey investigation inquiry review video footage images "
                       "data figures tally count statement".split())
_PRONOUNS = {"he": "person", "she": "person", "it": "org", "they": "org"}
# Words that say what kind of body spoke, not which: "the international organization said".
_KIND_WORDS = frozenset("organization organisation group network agency body monitor watchdog "
                        "broadcaster outlet channel newspaper charity movement report statement "
                        "study survey".split())
# Words that leave a kind a kind ("the aid group", "the world body", "the Britain-based war
# monitor"); any other word names which body it is ("the civil defence agency").
_KIND_ADJECTIVES = frozenset("international aid rights human humanitarian relief medical charity "
                             "monitoring government-run state-run state local world global "
                             "regional non-governmental war news u.n. un".split())
_QUOTE_MARKS = ("\"", "\u201c", "'", "\u2018")
# What can claim lives or report a toll without being anyone's source.
_EVENTS = frozenset("conflict war fighting violence attack attacks bombing bombings strike strikes "
                    "offensive clashes uprising insurgency siege raid raids blast explosion "
                    "crisis famine epidemic".split())
_NOBODY = frozenset("reports people they we i you".split())


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
    trailing = [_ATTR_AFTER, _ATTR_SAID_X]
    if "according to" in low:
        trailing.insert(0, _ATTR_ACCORDING)
    if any(d in low for d in _DOCUMENT_TAILS):
        trailing.insert(-2, _ATTR_DOCUMENT_AFTER)
    for rx in trailing:
        for m in rx.finditer(text):
            if not _NOT_A_SOURCE.search(_clean_source(m.group("who"))) and not any(
                    f.where <= m.start("who") < f.where + len(f.who) + 40 for f in found):
                according = rx is _ATTR_ACCORDING
                scope = (0, len(text)) if according else _trailing_scope(text, m.end())
                found.append(_Said(m.group("who"), m.start("who"), scope, according))
                break
    middles = ([_ATTR_THAT] if " that " in low else []) + (
        [_ATTR_WHILE] if "while " in low or "whereas " in low or "but " in low else [])
    for rx in middles:  # what follows is the source's
        for m in rx.finditer(text):
            if not any(f.where <= m.start("who") < f.where + len(f.who) + 2 for f in found):
                found.append(_Said(m.group("who"), m.start("who"), (m.end(), len(text))))
    lead = _lead_source(text)
    if lead is not None:
        found.append(lead)
    m = _ATTR_SAYING.search(text) if ", saying" in low else None
    if m and not any(f.where == m.start("who") for f in found):
        found.append(_Said(m.group("who"), m.start("who"), (m.end(), len(text))))
    for i, f in enumerate(found):  # "according to the Greek manager, Aegean Bulk Management."
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
    if words and words[-1] in _EVENTS:
        return None  # "The war has claimed 400,000 lives": an event claims lives, says nothing
    if verb not in SPEECH_VERBS and verb != "accused" and words and (
            words[-1] not in _DOCUMENTS) and not (words[-1] in ("it", "they") or (
                _clean_source(who)[:1].isupper() and words[-1] not in _PRONOUNS)) or (
            verb in ("found", "showed", "shows") and words and words[-1] not in _DOCUMENTS):
        # "They found 200 kilograms": a finding, not a source, unless a report's; a body that
        # "recorded" or "documented" a figure is its source.
        return None
    # A lead source speaks for what follows it; the object of "reported" only as far as its
    # phrase goes ("reported casualties and accused ..., a sign that ... 30,000 dead").
    end = len(text)
    if verb in _OBJECT_VERBS and not text[m.end():].lstrip().lower().startswith("that"):
        stop = _PHRASE_END.search(text, m.end())
        end = stop.start() if stop else end
    return _Said(who, where, (m.end(), end))


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
_GOES_ON = re.compile(r"^(?:\d|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                      r"twenty|thirty|forty|fifty|hundreds|dozens|another|they|he|she|it)\b)",
                      re.I)


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
    if low in _PRONOUNS or _is_kind_word(raw):
        if _PRONOUNS.get(low) == "person":
            return _latest(ctx.people, here, since)
        # "it said": the body this sentence opens with, else the last body that spoke, else
        # the last one named; "the group said": the last body that spoke, else one this
        # sentence names ("The group, also known as MSF, said"); "the report found": the last
        # body that spoke.
        document = low.split()[-1] in _DOCUMENTS
        opens = low in _PRONOUNS and not sent.text.startswith(_QUOTE_MARKS)
        named = not document and low not in _PRONOUNS
        subject = _first(ctx.orgs, sent.start, here) if opens else None
        if subject and _DIGIT.search(sent.text[:sent.text.find(subject)]):
            subject = None  # "At least 9 police officers were wounded, it said": no subject body
        body = (subject
                or _last_source(ctx, sents, i, since, people=False)
                or named and _latest(ctx.orgs, here, sent.start)
                or low in _PRONOUNS and _latest(ctx.orgs, sent.start, since) or None)
        return body if body and _named_near(sents, i, body) else None
    if low in _NOBODY or low.split()[-1] in _DOCUMENTS and len(low.split()) == 1:
        return None
    for _, person in ctx.people:
        if who != person and who.endswith(person):
            return person  # "Army spokesman Col. X" -> "X"
    return who


# Group heads that name a body that can speak for itself (not "soldiers" or "civilians").
_SPEAKING_BODIES = frozenset("coalition army military police government ministry forces "
                             "alliance militia authorities council command".split())


def _named_near(sents: list[_Sent], i: int, name: str) -> bool:
    """True if a name is written in sentence i or the two before it, where a reader checking
    the figure's source will look (and where the trust layer looks)."""
    words = name_words(name)
    return bool(words) and has_words(fold_str(" ".join(s.text for s in sents[max(0, i - 2):i + 1])),
                                      words)


def _is_kind_word(raw: str) -> bool:
    """True for "the group", "the international organization", "the Britain-based war
    monitor": a kind of body, not its name."""
    words = raw.strip().split()
    return (len(words) > 1 and words[0].lower() in ("the", "this") and words[-1].lower() in
            _KIND_WORDS and all(w.lower() in _KIND_ADJECTIVES or w.lower().endswith(
                ("-based", "-run", "-backed")) for w in words[1:-1]))


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


_DIGIT = re.compile(r"\d")

# ---------------------------------------------------------------------------------------------
# Actors.

_ACTOR_SKIP = {w for w in MONTHS if len(w) > 4 or w == "may"} | set(WEEKDAYS) | {
    "the", "a", "an", "in", "on", "at", "but", "and", "it", "he", "she", "they", "we", "i",
    "this", "that", "there", "these", "those", "after", "before", "since", "when", "while",
    "as", "if", "photo", "file", "among", "also", "however", "meanwhile", "earlier", "later",
    "last", "according", "some", "many", "his", "her", "their", "its", "our", "one", "two",
    "ahead", "under", "with", "without", "during", "despite", "for", "from", "of", "to", "by",
    "both", "another", "other", "more", "most", "all", "overall", "increasingly", "such",
    "then", "what", "who", "why", "how", "where", "until", "about", "around", "over", "near",
    "mr", "mrs", "ms", "dr", "sir", "western", "eastern", "northern", "southern", "central",
    "editing", "reporting", "writing", "additional", "continue", "read", "related", "weeping",
    "several", "each", "any", "no", "not", "yet", "so", "still", "only", "even", "just",
    "once", "now", "here", "today", "tomorrow", "yesterday", "tonight", "suddenly", "women",
    "witnesses", "activists", "calls", "tension", "residents", "investigators",
}
_CAP = r"(?:[A-Z][\w'\u2019.&-]*|al-[A-Z][\w'-]*|\b(?:al|el)\s(?=[A-Z])[A-Z][\w'-]*|#[A-Za-z]\w+)"
# The lookahead names every character a name can start with: the same matches, but the regex
# engine can skip ahead to them instead of trying the whole pattern at every position.
_NAME_SEQ = re.compile(
    rf"(?=[A-Zae#]){_CAP}(?:\s+(?:(?:of|for|de|du|da|bin|ibn|van|von|al|el|the)\s+)*{_CAP})*"
)
_COUNTRY_SET = {c.lower() for c in COUNTRIES}
_METONYM_SET = {c.lower() for c in METONYMS}
_TITLE_RE = re.compile(r"\b" + alternation(TITLES) + r"\s*$", re.I)
_ORG_HEAD = re.compile(
    r"\b(?:Forces|Force|Army|Party|Front|Council|Ministry|Union|Nations|Observatory|Agency|"
    r"Committee|Mission|Brigades?|Militia|Movement|Organi[sz]ation|Group|Office|Department|"
    r"Guard|Police|Command|Authority|Institute|Watch|Borders|Cross|Crescent|Network|"
    r"Corps|Battalion|Coalition|Alliance|League|Commission|Service|Program|Programme|Fund|"
    r"State|Haram|Taliban|Qaeda|Shabab|News|TV|Radio|Times|Post|Foundation|Society|"
    r"Federation|Association|Center|Centre|University|Hospital|Airways)\b"
)
_ACT_AFTER = re.compile(
    rf"^\s*(?:'s\s+\w+\s+)?(?:,[^,]{{2,80}},\s*)?(?:has |have |had |also |later |on \w+ |"
    rf"would |will |could |did not |does not |is |was |were |are )?"
    rf"(?:{_SPEECH}|called|urged|launched|attacked|struck|killed|captured|claimed|denied|"
    rf"accused|blamed|backed|sent|carried|fired|shelled|condemned|agreed|vowed|threatened|"
    rf"responded|retook|seized|stormed|deployed|pledged|suspended|apologized|pressed|"
    rf"stepped|traded|waged|wants|hoped|signed|met|recaptured|targeted|authorized|"
    rf"intended|lent|intervene|mounted|entered|stopped|saw|watched|fought|fled|"
    rf"reported|believes|runs|expanded|retains|attempted|is|was|has|have|had)\b",
    re.I,
)
_APPOS = re.compile(
    r"^\s*,\s*(?=(?:a|an|the|his|her|its|their|one|another|former|senior|deputy|top|chief|"
    r"head|director|leader|spokesman|spokeswoman|commander|[A-Z][\w.'-]*)\s)"
    r"(?P<a>[^,]{3,150}?)(?:,|(?<!\.[A-Z])\.(?:\s|$)|$)"
)
_SPEAKS_AFTER = re.compile(
    rf"^\s*(?:,[^,]{{2,150}},\s*|\s+(?:of|from)\s+(?:the\s+)?[^,.]{{2,60}}?\s+)?"
    rf"(?:has |had |also |later |then )?(?:{_SPEECH})\b"
)
_ADJ_END = re.compile(r"-(?:linked|backed|led|held|run|allied|affiliated|inspired)$")
_ADJ_AFTER = re.compile(r"^-(?:linked|backed|led|held|run|allied|affiliated|inspired)")
_THE = re.compile(r"^the\s+")
_THE_CAP = re.compile(r"^(?:The)\s+")
_STATE_FORCES = re.compile(r"\b(?:armed|defen[cs]e|security|special|air|naval)\s+forces?\b")
_FORCES = re.compile(r"\bforces\b")
_ACRONYM_DEF = re.compile(r"((?:(?:al |el )?[A-Z][\w'-]*\s+(?:(?:of|for|the|in)\s+)*){1,6})"
                          r"\(([A-Z]{2,7})\)")
_INSTITUTION = re.compile(r"\b(?:University|Hospital|Airways)\b")
_INSTITUTION_LOW = re.compile(r"\b(?:university|hospital|airways|clinic|school|college)\b")
_COMMA_END = re.compile(r",\s*$")
_COMMA_START = re.compile(r"^\s*,")
_CLAUSE_END = re.compile(r"[.;:\"\u201c\u201d]|,\s")
_BY_BEFORE = re.compile(r"\b(?:by|with|and|from|between)\s*$", re.I)
_ARTICLE_CAP_LEAD = re.compile(r"^(?:The|A|An)\s+")
_SPOKES_HEAD = re.compile(r"(?:spokes\w*|officials?|office)\b")  # "a spokesman for X"
_PREP_END = re.compile(r"\b(?:in|of|to|from|into|across|near)\s*$")  # "in Syria": a place
_PREP_AT_END = re.compile(r"\b(?:in|of|to|from|into|across|near|at)\s*$")
_BACKED_BY_END = re.compile(r"backed (?:up )?by\s*$")


# Gazetteer look-ups compiled once: a name's known kind, and every cue with its kind.
# Lower-case words start with common letters, so skipping to first letters gains little; a
# look-behind first rejects every offset inside a word at once: about twice as fast.
_KNOWN_RE = re.compile(r"(?<!\w)" + alternation([k for k in KNOWN_ORGS if len(k) > 2]) + r"(?!\w)")
_KNOWN_LONG_RE = re.compile(
    r"(?<!\w)" + alternation([k for k in KNOWN_ORGS if len(k) > 3]) + r"(?!\w)")
_CUE_KIND = {cue: kind for kind, cues in reversed(KIND_CUES) for cue in cues}
_CUE_RE = re.compile(r"(?<![\w.])" + alternation(list(_CUE_KIND)) + r"(?!\w)")
_COUNTRY_RE = re.compile(alternation(COUNTRIES, r"[\w-]") + r"(?![\w-])")
_TITLE_SPLIT = re.compile(
    r"^(?P<pre>.*?)\b(?P<title>(?i:" + alternation([t for t in TITLES if t[0].isalpha()])
    + r"))\s+(?P<rest>[A-Z].*)$"
)


@dataclass
class _Actor:
    name: str
    kind: str
    first: int  # offset of first mention
    evidence: str
    aliases: set[str] = field(default_factory=set)
    person: bool = False
    side: str | None = None
    role: str = ""
    desc: str = ""  # a person's description: an appositive or a title
    score: int = 0


def _kind_from_cues(text: str, prefer_near_end: bool = True) -> str | None:
    """The kind a context implies, from the cue nearest its end (or start)."""
    best: tuple[int, str] | None = None
    for m in _CUE_RE.finditer(text.lower()):
        pos = m.end() if prefer_near_end else -m.start()
        if best is None or pos > best[0]:
            best = (pos, _CUE_KIND[m.group()])
    return best[1] if best else None


def _org_kind(name: str) -> str | None:
    low = name.lower().strip()
    if low.startswith("the"):  # the only start _THE can take off
        low = _THE.sub("", low)
    if low in KNOWN_ORGS:
        return KNOWN_ORGS[low]
    m = _KNOWN_LONG_RE.search(low)
    if m:
        return KNOWN_ORGS[m.group()]
    if "force" in low and _STATE_FORCES.search(low):  # both patterns hold "force"
        return "state_force"
    if "forces" in low and _FORCES.search(low):
        return "non_state_armed_group"  # a named "X Forces" outside the state's own forces
    if _INSTITUTION_LOW.search(low):
        return "other"  # "Al-Rantisi Hospital for Children": a facility, whatever it serves
    kind = _kind_from_cues(low)
    if kind == "non_state_armed_group" and _weak_armed_name(low):
        return "other"  # "NSO Group", "Front Line Defenders": armed only where the text says so
    return kind


def _weak_armed_name(low: str) -> bool:
    """True if only a "group"/"front"/"movement" head would make a name an armed group."""
    if not _WEAK_ARMED_HEAD.search(low):
        return False
    for cm in _CUE_RE.finditer(low):
        if _CUE_KIND[cm.group()] == "non_state_armed_group" and cm.group() not in _WEAK_ARMED:
            return False
    return not _ARMED_NAME_RE.search(low)


_WEAK_ARMED = {"group", "front", "movement"}
_WEAK_ARMED_HEAD = re.compile(r"\b(?:group|front|movement)\b")
_ARMED_NAME_RE = re.compile(r"\b" + alternation(ARMED_NAME_WORDS) + r"\b")
# Words near a "Group"/"Front" name that make it an armed one after all.
_ARMED_CONTEXT = re.compile(
    r"\b(?:militants?|militias?|armed|rebels?|rebellion|jihadists?|jihad|fighters|insurgents?|"
    r"insurgency|gunmen|guerrillas?|attacks?|attacked|ambush\w*|bomb\w*|claimed responsibility|"
    r"terror\w*|extremists?|offensive|fought|fighting|weapons|hostages?)\b", re.I)
_TERRITORY_SET = {t.lower() for t in TERRITORIES}
_INITIAL_END = re.compile(r"\b[A-Z]\.$")


def _split_name(seq: str) -> str:
    if seq.endswith(("'s", "\u2019s")):  # a possessive (seq ends in no white space)
        seq = seq[:-2]
    if seq.endswith(".") and not _INITIAL_END.search(seq):
        seq = seq[:-1]
    return seq.strip()


def _is_personlike(name: str) -> bool:
    words = name.split()
    if not 2 <= len(words) <= 5:
        return False
    if _ORG_HEAD.search(name) or name.lower() in _COUNTRY_SET or name.lower() in KNOWN_ORGS:
        return False  # "Amnesty International, a London-based rights group": no person
    if any(w.lower() in _ACTOR_SKIP or w.lower() in _COUNTRY_SET for w in words):
        return False
    return all(w[0].isupper() or w.lower() in ("al", "bin", "de", "van", "von") or
               w.startswith("al-") for w in words) and not any(w.isupper() and len(w) > 1
                                                               for w in words)


_GROUP_RE = re.compile(
    r"(?P<qual>(?:(?:[A-Z][\w.'\u2019-]*|" + alternation(GROUP_QUALIFIERS) + r")\s+){0,3})"
    r"(?P<head>(?<![\w-])" + alternation(GROUP_HEADS) + r")\b"
    r"(?P<loyal>\s+loyal to\s+(?:[A-Z][\w.'\u2019-]*\s*){1,4})?",
)
_GROUP_HEAD = re.compile(r"(?<![\w-])" + alternation(GROUP_HEADS) + r"\b")  # not "paramilitary"


def _finditer_near(rx: re.Pattern[str], head: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """rx.finditer(text), trying rx only where one of its head words is near.

    For patterns such as _GROUP_RE: a head word (matched by ``head``, e.g. "forces"), preceded
    within the match by at most three words, each followed by white space. A match whose head is
    at h thus starts no earlier than three words before h, so the leftmost match at or after
    ``cur`` starts no earlier than the least such bound over the heads at or after ``cur``.
    Searching from there skips the long stretches without a head word, where the alternatives
    for the words before it would be tried at every offset for nothing; each stretch of text is
    still searched at most once.
    """
    heads: list[int] = []  # every offset where a head matches, overlapping ones included
    hm = head.search(text)
    while hm:
        heads.append(hm.start())
        hm = head.search(text, hm.start() + 1)
    # floor[i]: no match with its head at heads[i] or later starts before it.
    floor = [_three_words_back(text, h) for h in heads]
    for i in range(len(floor) - 2, -1, -1):
        floor[i] = min(floor[i], floor[i + 1])
    cur = 0
    for h, low in zip(heads, floor, strict=True):
        while h >= cur:
            m = rx.search(text, max(low, cur))
            if m is None:
                return
            yield m
            cur = m.end()


def _three_words_back(text: str, end: int) -> int:
    """An offset at or before the start of the third white-space-separated word before end."""
    parts = text[:end].rsplit(None, 3)
    # With four parts, the three words are the last three and start after the first part.
    return len(parts[0]) if len(parts) == 4 else 0


def _group_key(qual: str, head: str) -> str:
    """Phrases naming the same body share a key: 'Israeli soldiers' ~ 'Israeli forces'."""
    kind = GROUP_HEADS[head.lower()]
    if kind == "civilians":
        return "civilians"
    words = qual.split()
    caps = [w for w in words if w[:1].isupper() and w.lower() not in _ACTOR_SKIP]
    if caps:
        tag = caps[0].lower().rstrip("'s")
    else:
        tag = "|".join(sorted(w.lower() for w in words if w.lower() in _QUALIFIER_SET))
    return f"{kind}:{tag}"


_QUALIFIER_SET = frozenset(GROUP_QUALIFIERS)


_ROLE_SKIP_LEAD = re.compile(
    r"^\s*(?:\([^()]{0,60}\)|[\u2014\u2013]\s*[^\u2014\u2013]{1,80}[\u2014\u2013]|,[^,]{2,80},|['\u2019]s\b)?\s*"
)
_ROLE_AUX = (r"(?:(?:has|have|had|also|later|then|would|will|could|did not|does not|is|was|were|are|"
             r"been|being|reportedly|allegedly|had been|have been|has been|on \w+)\s+)*")
_IRREGULAR = (
    "fled|struck|fought|led|held|took|sent|met|began|left|made|won|lost|shot|hit|kept|ran|runs|"
    "gave|brought|built|came|went|rose|fell|says|said|told|wants|hopes|believes|retains|seeks|"
    "sought|blames|claims|denies|controls|holds|leads|fights|took|stood|overran|swept|drove|"
    "withdrew|bombed|shelled|put|set|cut|beat|stole|hid|knew|found|saw|heard|spoke|wrote|chose"
)
_ROLE_VERB = re.compile(rf"^{_ROLE_AUX}(?:{_SPEECH}|{_IRREGULAR}|[a-z]+ed)\b")
_ROLE_BREAK = re.compile(r"[;:\"\u201c\u201d()\n\u2026]|\.\.|,\s|\s[\u2014\u2013-]+\s|\.(?=\s|$)")
_CONJUNCTION = {"and", "as", "while", "but", "after", "before", "because", "when", "whereas"}
# An appositive with a verb of its own is a clause ("a bomber on a bike killed three"), not a title.
_CLAUSE_VERB = re.compile(
    rf"\b(?!(?:the|a|an)\b)\w+\s+(?:[a-z]+ed|{_IRREGULAR})\s+(?:the|a|an|his|her|their|its|"
    r"\d[\d,]*|one|two|three|four|five|six|seven|eight|nine|ten|dozens|hundreds|thousands)\b"
)
_ROLE_TRIM = {
    "and", "or", "but", "the", "a", "an", "as", "of", "in", "on", "at", "to", "by", "for", "with",
    "from", "its", "their", "his", "her", "that", "which", "who", "while", "after", "before",
    "into", "than", "was", "were", "is", "are", "has", "have", "had", "said", "this", "these",
    "some", "over", "about", "against", "despite", "under", "during", "since", "would", "will",
    "western", "eastern", "northern", "southern", "central", "more", "most",
}
ROLE_MAX_WORDS = 10
NO_ROLE = "mentioned"


def _clause(text: str) -> str:
    """The text up to the end of its clause; a full stop after "U.S." or "Feb" ends nothing."""
    for m in _ROLE_BREAK.finditer(text):
        if m.group() == ".":
            head = text[:m.start()].split()
            token = head[-1] if head else ""
            if "." in token or token.lower() in _ABBREV or (len(token) == 1 and token.isupper()):
                continue  # "U.S.", "Feb.", "J."
        return text[:m.start()]
    return text


def _tidy(words: list[str]) -> str:
    """At most ROLE_MAX_WORDS words, ending at a word that ends a phrase (not "and", "the")."""
    words = words[:ROLE_MAX_WORDS]
    for i, w in enumerate(words):
        if i >= 4 and w.lower() in _CONJUNCTION:
            words = words[:i]  # "struck the stronghold in eastern Syria", not "... and hundreds"
            break
    while words and (words[-1].lower().strip(",.") in _ROLE_TRIM or not words[-1].strip(",.")):
        words = words[:-1]
    return " ".join(words).strip(" ,")


def _role(sent: str, end: int) -> str:
    """What the actor did: the verb phrase after its mention, to the clause end ("" if none)."""
    after = sent[end:end + 200]
    after = after[_ROLE_SKIP_LEAD.match(after).end():]  # type: ignore[union-attr]
    if not _ROLE_VERB.match(after):
        return ""
    role = _tidy(_clause(after).split())
    return role if len(role) >= 4 and len(role.split()) >= 1 else ""


_RELATIVE_SPLIT = re.compile(r"\s+(?:who|whom|whose|which|that|where|said|says|told)\b")


def _description(appositive: str) -> str:
    """A person's description from an appositive: ", a Lebanese political analyst," -> its words."""
    text = _ARTICLE_LEAD.sub("", appositive.strip())
    text = _RELATIVE_SPLIT.split(_clause(text), maxsplit=1)[0]
    if _CLAUSE_VERB.search(text):
        return ""
    return _tidy(text.split())


_TITLE_STOP = re.compile(r"[^\w.'\u2019&-]")


def _title_before(before: str) -> str:
    """The title words right before a name: "Army spokesman Col. " -> "Army spokesman"."""
    words = before.split()
    out: list[str] = []
    for w in reversed(words):
        bare = w.strip(",")
        if bare != w or not bare or _TITLE_STOP.search(bare):
            break  # a clause or a quotation ends before the title: 'Logar," Taliban spokesman'

        if bare[:1].isupper() or bare.lower() in TITLES or bare.lower() in ("of", "for", "the"):
            out.insert(0, bare)
            if len(out) >= 5:
                break
            continue
        break
    while out and out[0].lower() in ("of", "for", "the"):
        out = out[1:]
    while out and (out[-1].endswith(".") and out[-1][:-1].isalpha() and len(out[-1]) <= 5
                   or out[-1].lower() in ("of", "for", "the")):
        out = out[:-1]  # a rank ("Col.") is part of the name's line, not the role
    if not any(w.lower() in TITLES for w in out):
        return ""
    return " ".join(out)


_BACKED = re.compile(r"(?P<by>[\w.]+)-(?:backed|supported|sponsored)$")
_BACKED_BEFORE = re.compile(r"(?P<by>[\w.]+)-(?:backed|supported|sponsored)\s+(?:\w+\s+)?$")
_BACKED_WORDS = ("-backed", "-supported", "-sponsored")  # one of them is in every match
_LOYAL_TO_LEAD = re.compile(r"^\s*loyal to\s+")


def _side_of(qual: str, loyal: str) -> str | None:
    """Whom a group fights for, when its own words say: "loyal to X", "X-backed", "pro-X"."""
    if loyal:
        who = _LOYAL_TO_LEAD.sub("", loyal).strip(" .,")
        tm = _TITLE_SPLIT.match(who)
        return tm.group("rest") if tm else who or None
    if "-" not in qual:
        return None  # both marks below have a hyphen
    for w in qual.split():
        m = _BACKED.search(w)
        if m:
            return _backed_by(m.group("by"))
        if w.lower().startswith("pro-") and len(w) > 4:
            return w[4:]
    return None


def _backed_by(by: str) -> str:
    if "." in by or by.isupper() or by in COUNTRIES or by in METONYMS:
        article = "the " if "." in by or by.startswith("United") else ""
        return f"backed by {article}{by}"
    return f"{by}-backed"  # "Russian-backed", "Western-backed"


def _sentence_at(sents: list[_Sent], pos: int) -> _Sent | None:
    for s in sents:
        if s.start <= pos < s.end:
            return s
    return None


def _actors(text: str, sents: list[_Sent], ctx: _Ctx) -> list[_Actor]:
    """Find the parties: named people and organisations, acting countries and generic groups."""
    body = [s for s in sents if s.kind in ("body", "bullet")]
    found: dict[str, _Actor] = {}
    persons: dict[str, _Actor] = {}  # the people among found, in the same order (fewer to scan)
    acronyms: dict[str, str] = {}  # "SDF" -> "Syrian Democratic Forces"

    def add(key: str, name: str, kind: str, sent: _Sent, pos: int, end: int,
            person: bool = False, weight: int = 1) -> _Actor:
        a = found.get(key)
        if a is None:
            a = _Actor(name, kind, pos, sent.text, person=person)
            found[key] = a
            if person:
                persons[key] = a
        if not a.role:
            a.role = _role(text, end)
        if a.side is None and not person:
            before = sent.text[max(0, pos - sent.start - 40):pos - sent.start]
            # The pattern is tried at every offset; most mentions have no "-backed" before them.
            if any(w in before for w in _BACKED_WORDS):
                bm = _BACKED_BEFORE.search(before)
                if bm:
                    a.side = _backed_by(bm.group("by"))
        a.aliases.add(name)
        a.score += weight
        return a

    # Acronym definitions: "Syrian Democratic Forces (SDF)".
    for s in body:
        if "(" not in s.text:
            continue
        for m in _ACRONYM_DEF.finditer(s.text):
            full = _split_name(m.group(1).strip())
            full = _ARTICLE_CAP_LEAD.sub("", full)
            acronyms[m.group(2)] = full

    for s in body:
        for m in _NAME_SEQ.finditer(s.text):
            seq = m.group()
            start = s.start + m.start()
            # Drop sentence-initial function words ("The", "But", "In").
            words = seq.split()
            while words and words[0].lower().strip(".,") in _ACTOR_SKIP:
                start += len(words[0]) + 1
                words = words[1:]
            if not words:
                continue
            seq = _split_name(" ".join(words))
            if not seq or seq.lower() in _ACTOR_SKIP:
                continue
            pos_in_sent = start - s.start
            before = s.text[max(0, pos_in_sent - 60):pos_in_sent]
            end_in_sent = pos_in_sent + len(seq)
            after = s.text[end_in_sent:end_in_sent + 140]
            # Split a title off the front: "U.S. President Donald Trump".
            title_kind: str | None = None
            # A title needs a name after it; seq's words are joined by single spaces.
            tm = _TITLE_SPLIT.match(seq) if " " in seq else None
            if tm and len(tm.group("rest").split()) >= 1:
                title_kind = TITLES.get(tm.group("title").lower())
                pre = tm.group("pre").strip()
                off = seq.index(tm.group("rest"), tm.start("rest"))
                start += off
                pos_in_sent += off
                before = s.text[max(0, pos_in_sent - 60):pos_in_sent]
                seq = tm.group("rest")
                if pre:
                    before = before  # the organisation before the title informs the kind
            low = seq.lower()
            if "-" in seq and _ADJ_END.search(seq) or after.startswith("-") and _ADJ_AFTER.match(after):
                continue  # "Islamic State-linked militants": an adjective, not a mention
            is_known = low in KNOWN_ORGS or (
                low.startswith("the") and _THE.sub("", low) in KNOWN_ORGS)
            if seq in acronyms:
                full = acronyms[seq]
                kind = _org_kind(full) or _org_kind(seq) or "other"
                add(full.lower(), full, kind, s, start, start + len(seq))
                found[full.lower()].aliases.add(seq)
                ctx.orgs.append((start, full))
                continue
            if _is_personlike(seq):
                cue_title = _TITLE_RE.search(before)
                appos = _APPOS.match(after)
                speaks = _SPEAKS_AFTER.match(after) or _SPEECH_END.search(before)
                framed = _COMMA_END.search(before) and _COMMA_START.match(after)
                if not (title_kind or cue_title or appos or speaks or tm or framed):
                    continue
                title_word = (tm.group("title") if tm else cue_title.group() if cue_title
                              else "").lower().strip()
                hits_a = _kind_hits(appos.group("a"), found, acronyms) if appos else []
                if appos and len(hits_a) > 1:
                    # "a spokesman for X": the organisation speaks louder than the title.
                    text_a = appos.group("a").lower()
                    hits_a = [h for h in hits_a if not _SPOKES_HEAD.match(text_a[h[0]:h[3]])]
                hits_b = _kind_hits(before[-60:], found, acronyms)
                org_a = [h for h in hits_a if h[2]]
                pkind: str | None = None
                first = min(hits_a) if hits_a else None
                neutral = first is not None and appos is not None and _SPOKES_HEAD.match(
                    appos.group("a").lower()[first[0]:first[3]])
                org_b = _org_before_role(before[-60:], hits_b)
                if org_a and first is not None and (first[2] or neutral):
                    pkind = min(org_a)[1]  # the organisation the appositive names
                elif org_b:
                    pkind = org_b  # "Taliban spokesman X", "Hamas commander X"
                elif title_word and TITLES.get(title_word):
                    pkind = TITLES[title_word]
                elif hits_a:
                    pkind = min(hits_a)[1]
                elif hits_b:
                    pkind = max(hits_b, key=lambda h: h[3])[1]
                else:
                    pkind = _owner_kind(before, persons) or "other"
                surname = seq.split()[-1]
                a = add("p:" + seq.lower(), seq, pkind or "other", s, start, start + len(seq), person=True,
                        weight=2)
                a.aliases.add(surname)
                if not a.desc:
                    # The article's text, not the sentence: the splitter may break after "U.N.".
                    whole = _APPOS.match(text[start + len(seq):start + len(seq) + 200]) if appos else None
                    a.desc = (_description(whole.group("a")) if whole else "") or _title_before(before)
                ctx.people.append((start, seq))
                continue
            if len(seq.split()) == 1 and seq.lower() not in KNOWN_ORGS:
                # A surname already known as a person.
                for a in persons.values():
                    if seq in a.aliases:
                        a.score += 1
                        ctx.people.append((start, a.name))
                        break
                else:
                    if (seq.isupper() and 2 <= len(seq) <= 6 and _ACT_AFTER.match(after)
                            and not _DIGIT.search(seq)):
                        kind = _org_kind(seq) or "other"
                        add(low, seq, kind, s, start, start + len(seq))
                        ctx.orgs.append((start, seq))
                    elif (low in _COUNTRY_SET and low not in _TERRITORY_SET
                          or low in _METONYM_SET) and (
                        _ACT_AFTER.match(after) and not _PREP_END.search(before)
                        or _BACKED_BY_END.search(before)
                    ):
                        add("c:" + low, seq, "government", s, start, start + len(seq))
                continue
            if is_known or _ORG_HEAD.search(seq):
                base = _THE_CAP.sub("", seq)
                kind = _org_kind(base) or "other"
                if kind == "other" and not is_known and _weak_armed_name(base.lower()) and \
                        _ARMED_CONTEXT.search(s.text):
                    kind = "non_state_armed_group"  # "the X Front claimed the attack"
                if kind == "media" and _self_outlet(text, base):
                    continue
                if _INSTITUTION.search(base) and not _ACT_AFTER.match(
                        after):
                    continue
                key = base.lower()
                for _acr, full in acronyms.items():
                    if full.lower() == key:
                        key = full.lower()
                # Merge "Islamic State militants"-style mentions with the bare name.
                add(key, base, kind, s, start, start + len(base))
                ctx.orgs.append((start, base))
                continue
            if (low in _COUNTRY_SET and low not in _TERRITORY_SET) or low in _METONYM_SET:
                if _ACT_AFTER.match(after) and not _PREP_AT_END.search(before) or \
                        _BACKED_BY_END.search(before):
                    add("c:" + low, seq, "government", s, start, start + len(seq))

        # Common-noun groups: "Israeli forces", "troops loyal to Kiir", "civilians".
        for m in _finditer_near(_GROUP_RE, _GROUP_HEAD, s.text):
            qual, head = m.group("qual"), m.group("head")
            qwords = qual.split()
            while qwords and qwords[0].lower() in _GROUP_LEAD_SKIP:
                qwords = qwords[1:]
            qual = " ".join(qwords)
            name = (qual + " " + head).strip() + (m.group("loyal") or "").rstrip()
            name = name.strip()
            kind = GROUP_HEADS[head.lower()]
            if qual and kind != "civilians":
                lowq = qual.lower()
                if any(w in lowq for w in ("rebel", "insurgent", "militant", "opposition",
                                           "islamist")) or qual in acronyms or _org_kind(
                        qual) == "non_state_armed_group":
                    kind = "non_state_armed_group"
                elif m.group("loyal") and head.lower() in ("forces", "troops", "fighters"):
                    kind = "state_force"
            if head.lower() in ("fighters", "militants") and qual:
                # "Islamic State militants" is the group itself.
                okey = qual.lower()
                if okey in found or okey in KNOWN_ORGS:
                    continue
            key = _group_key(qual, head)
            if m.group("loyal"):
                key += ":" + m.group("loyal").split()[-1].lower()
                kind = "non_state_armed_group" if head.lower() in ("forces", "fighters") and \
                    "vice" in m.group("loyal").lower() else kind
            start = s.start + m.start() + (len(m.group("qual")) - len(m.group("qual").lstrip()))
            prev = found.get("g:" + key)
            if prev is not None and len(name.split()) > len(prev.name.split()) and prev.score < 2:
                prev.name = name
            g = add("g:" + key, name, kind, s, start, s.start + m.end())
            if head.lower() in _SPEAKING_BODIES:
                ctx.orgs.append((start, name))  # "the U.S.-led coalition ..., it said"
            if g.side is None:
                g.side = _side_of(m.group("qual"), m.group("loyal") or "")

    return list(found.values())


GENERIC_MIN = 2  # bare group nouns ('fighters') must recur to count


_CREDIT_LINE = re.compile(r"(?:Reporting|Editing) by")


def _self_outlet(text: str, name: str) -> bool:
    """True if a media name is the article's own outlet ('told Reuters', credits, captions)."""
    if name.lower() == "reuters" and _CREDIT_LINE.search(text):
        return True
    return False


def _kind_hits(context: str, found: dict[str, _Actor],
               acronyms: dict[str, str]) -> list[tuple[int, str, bool, int]]:
    """Kind cues in a context as (start, kind, names an organisation, end), for people."""
    hits: list[tuple[int, str, bool, int]] = []
    low = context.lower()
    for acr, full in acronyms.items():
        for at in _word_at(context, acr):
            hits.append((at, _org_kind(full) or "other", True, at + len(acr)))
    for key, a in found.items():
        # A substring test first: most names found so far are not in this short context.
        if a.name not in context or a.person or key.startswith(("g:", "c:")) or len(a.name) < 3:
            continue
        for at in _word_at(context, a.name):
            hits.append((at, a.kind, True, at + len(a.name)))
    for m in _KNOWN_RE.finditer(low):
        hits.append((m.start(), KNOWN_ORGS[m.group()], True, m.end()))
    for m in _CUE_RE.finditer(low):
        if m.group() == "general" and _GENERAL_ADJ.match(low, m.end()):
            continue  # "the general secretariat": an adjective, not a rank
        hits.append((m.start(), _CUE_KIND[m.group()], False, m.end()))
    return hits


_GENERAL_ADJ = re.compile(r"\s+(?:secretariat|secretary|assembly|elections?|strike|public|"
                          r"population|prosecutor|manager|counsel|director|consensus|amnesty|"
                          r"congress|conference|hospital|practitioner|interest|area)\b")


def _word_at(text: str, word: str) -> list[int]:
    """Offsets where word occurs in text as whole words (cheaper than a regex per name)."""
    out = []
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if (at == 0 or not text[at - 1].isalnum()) and (end == len(text) or not text[end].isalnum()):
            out.append(at)
        at = text.find(word, at + 1)
    return out


# What an organisation's person is called, right before the name: "Taliban spokesman X".
_ROLE_BEFORE_NAME = re.compile(
    r"^['\u2019]?s?\s+(?:(?:senior|top|chief|deputy|military|political|local|regional|field|"
    r"former|acting)\s+)?(?:spokes(?:man|woman|person)|officials?|commanders?|leaders?|chief|"
    r"head|representative|member|negotiator|envoy)\s+(?:(?:Col|Gen|Lt|Maj|Capt|Sgt|Brig|Dr|Mr|"
    r"Mrs|Ms|Sheikh)\.?\s+)*$"
)


def _org_before_role(before: str, hits: list[tuple[int, str, bool, int]]) -> str | None:
    """The kind of the organisation a role before a name belongs to: "Hamas official X"."""
    for _start, kind, org, end in sorted(hits, key=lambda h: -h[3]):
        if org and _ROLE_BEFORE_NAME.match(before[end:]):
            return kind
    return None


_POSSESSOR_END = re.compile(r"\b([A-Z][\w'-]+)['\u2019]s\s+(?:\w+\s+){0,2}$")


def _owner_kind(before: str, persons: dict[str, _Actor]) -> str | None:
    """The kind of the person whose spokesman this is: "Machar's spokesman X"."""
    m = _POSSESSOR_END.search(before)
    if m:
        for a in persons.values():
            if a.person and m.group(1) in a.aliases:
                return a.kind
    return None


_REGIONS = {"middle east", "europe", "africa", "sahel", "south caucasus", "west africa", "asia"}
_NUMBER_WORDS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                 "eleven", "twelve", "dozens", "hundreds", "thousands", "several", "many"}
# Words that a group's qualifiers may not start with: one set, one look-up.
_GROUP_LEAD_SKIP = frozenset(_ACTOR_SKIP | set(MONTHS) | _NUMBER_WORDS)


def _select_actors(cands: list[_Actor]) -> list[_Actor]:
    """Keep parties that matter: people and named organisations, groups mentioned with weight."""
    out = []
    for a in cands:
        if a.name.lower() in _REGIONS:
            continue
        if GENERIC_MIN and a.name.lower() in GROUP_HEADS and a.kind != "civilians" and \
                a.score < GENERIC_MIN:
            continue  # a bare "fighters" mentioned once is background
        if a.kind == "other" and not a.person and a.score < 2 and not _ORG_HEAD.search(a.name):
            continue
        out.append(a)
    out.sort(key=lambda a: a.first)
    return out


# ---------------------------------------------------------------------------------------------
# Places and time.

_PLACE_SUFFIX = re.compile(  # the lookahead lets the engine skip ahead, as for _NAME_SEQ
    r"(?=[aeA-Z])\b((?:(?:al-|el-)?[A-Z][\w'\u2019-]+\s+){1,3})(?P<suffix>province|region|district|city|town|"
    r"village|camp|refugee camp|state|county|governorate|area|neighbou?rhood|base|valley|mountains?)\b"
)
# The prepositions as a prefix tree, not after a word character (as "\b" before them would say):
# the engine skips to their first letters. At most one of them fits before the white space.
_PLACE_PREP = re.compile(
    alternation(["in", "near", "outside", "into", "from", "at", "of", "across", "around", "toward",
                 "towards"], r"\w") + r"\s+(?:the\s+)?"
    r"((?:[A-Z][\w'\u2019-]+)(?:[\s-](?:al-)?[A-Z][\w'\u2019-]+){0,2})"
)
# Suffixes naming an administrative area: the name before them is a province, not a town.
_ADMIN_SUFFIX = {"province", "region", "district", "state", "county", "governorate"}
_ADJECTIVE = re.compile(r"(?:ian|yan|ean|ish|ese|ic|ist|i)$")  # "Syrian", "Islamic", "Iraqi"
_HELD_PREFIX = re.compile(r"^[\w.]+-(?:held|led|backed|controlled|run)\s+")
_HELD_SUFFIX = re.compile(r"-(?:held|led|backed|controlled|run)$")
_PLACE_LEAD = re.compile(r"^(?:The|In|On|At)\s+")
_POSSESSIVE = re.compile(r"['\u2019]s$")
_POSSESSIVE_SPLIT = re.compile(r"['\u2019]s\s+")
_MACRO_REGIONS = _REGIONS | {"east africa", "north africa", "horn of africa", "middle east",
                             "latin america", "central asia", "southeast asia", "the gulf"}
_WHEN = re.compile(
    r"\b(?:(?:late |early )?(?:on |last |this )?(?:" + "|".join(w.title() for w in WEEKDAYS)
    + r")(?: (?:morning|afternoon|evening|night))?|(?:on |in )?(?:"
    + "|".join(m.title() for m in MONTHS if len(m) > 3) + r"|(?:Jan|Feb|Aug|Sept?|Oct|Nov|Dec)\.)"
    r" \d{1,2}|(?:last|this) (?:week|month|weekend)|overnight|yesterday|today)\b"
)


def _places(text: str, sents: list[_Sent], actor_names: set[str]) -> list[str]:
    """Places named in the article: towns first, then provinces and regions, then countries."""
    towns: list[str] = []
    areas: list[str] = []
    countries: list[str] = []
    body = " ".join(s.text for s in sents if s.kind in ("body", "bullet"))
    for m in _PLACE_SUFFIX.finditer(body):
        name = _place_name(m.group(1))
        admin = m.group("suffix") in _ADMIN_SUFFIX
        if not name or name.split()[0].lower() in _ACTOR_SKIP:
            continue
        if (m.group("suffix") not in _ADMIN_SUFFIX - {"state"}
                and any(_adjectival(w, body) for w in name.split())):
            continue  # "the Syrian city of", "an Islamist state": adjectives, not places
        (areas if admin else towns).append(name)
    for m in _PLACE_PREP.finditer(body):
        name = _place_name(m.group(1))
        if not name:
            continue
        if body.startswith("of", m.start()) and _names_an_office(body, m.start()):
            continue  # "chairman of the Joint Chiefs of Staff": an office, not a place
        low = name.lower()
        if (low in _ACTOR_SKIP or low in _COUNTRY_SET or name in actor_names or low in _COMPASS
                or _ORG_HEAD.search(name) or low.split()[0] in MONTHS
                or low.split()[0] in WEEKDAYS or low in KNOWN_ORGS
                or name.isupper() or low.rstrip("s") in ("u.s", "u.n")):
            continue
        words = name.split()
        if _HELD_SUFFIX.search(name) or (
                words[-1].lower() not in _GEO_NOUNS and any(_adjectival(w, body) for w in words)):
            continue  # "SDF-held", "Syrian", "Iraqi": adjectives, not places
        towns.append(name)
    for m in _COUNTRY_RE.finditer(body):
        countries.append(m.group())
    provinces = {a.lower() for a in areas}
    towns = [t for t in towns if t.lower() not in provinces]  # "into Deir al-Zor" names a province
    out: list[str] = []
    for p in towns + areas + countries:
        low = p.lower()
        # A name already listed is skipped first: the same names recur, and the check that
        # follows searches the whole article for each.
        if any(low == q.lower() for q in out):
            continue
        if _not_a_place(p, actor_names, text):
            continue
        if p not in countries and any(_inside(q, p) for q in out):
            continue  # "Zor" after "Deir al-Zor"
        # A fuller form of a place already listed takes its slot: "Deir al-Zor" over "Zor".
        fuller = [i for i, q in enumerate(out) if q not in countries and _inside(p, q)]
        if fuller:
            out[fuller[0]] = p
            out = [q for i, q in enumerate(out) if i not in fuller[1:]]
            continue
        out.append(p)
    if any(p.lower() not in _MACRO_REGIONS for p in out):
        out = [p for p in out if p.lower() not in _MACRO_REGIONS]  # "Middle East": background
    return out[:8]


_QUALIFIED_NOUNS = {
    "government", "officials", "official", "people", "city", "town", "capital", "authorities", "man",
    "men", "women", "president", "minister", "state", "media", "security", "side", "territory",
    "border", "village", "civilians", "refugees", "nationals", "muslim", "muslims", "group",
    "groups", "leader", "leaders", "militant", "insurgency", "community", "areas", "region",
}
_COMPASS = {"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest"}
_GEO_NOUNS = {"sea", "river", "valley", "mountains", "lake", "gulf", "desert", "coast", "ocean", "bay"}


# Nouns whose "of" names an institution or an office rather than a place: "head of the X".
_OFFICE_NOUNS = {
    "chairman", "chairwoman", "chair", "head", "director", "member", "members", "chief", "leader",
    "leaders", "spokesman", "spokeswoman", "spokesperson", "secretary", "founder", "minister",
    "ministry", "department", "office", "faculty", "council", "committee", "board", "president",
}


def _names_an_office(body: str, at: int) -> bool:
    """Whether the "of" at ``at`` follows an office or a capitalised name ("Chiefs of Staff")."""
    head = body[max(0, at - 40):at].split()
    if not head:
        return False
    prev = head[-1]
    if prev.lower() in _OFFICE_NOUNS:
        return True
    # A capitalised word that does not start a sentence: "Chiefs of", not "Residents of".
    opens = len(head) < 2 or head[-2].endswith((".", "!", "?", '"', "\u201d"))
    return prev[:1].isupper() and prev.isalpha() and not opens and prev.lower() not in _COUNTRY_SET


def _adjectival(word: str, body: str) -> bool:
    """A demonym or adjective ("Syrian", "Islamic", "Iraqi forces"), not a place ("Nairobi")."""
    low = word.lower()
    if low in _COUNTRY_SET:
        return False
    if len(word) > 5 and word.endswith("s") and word[:-1].endswith(("ian", "yan", "ist")):
        return True  # a plural demonym or follower: "Palestinians", "Islamists"
    if low.rstrip("s").endswith("n") and low.rstrip("s")[:-1] in _COUNTRY_SET:
        return True  # a demonym made with "-n": "Gazan", "African", "Cubans"
    if not _ADJECTIVE.search(word):
        return False
    if not word.endswith("i"):
        return True
    # "-i" ends demonyms ("Iraqi", "Sunni") and towns ("Nairobi"): a demonym qualifies a noun.
    for m in re.finditer(r"(?<!\w)" + re.escape(word) + r" (\w+)", body):
        if m.group(1).lower() in GROUP_HEADS or m.group(1).lower() in _QUALIFIED_NOUNS:
            return True
    return False


def _place_name(raw: str) -> str:
    """A place's name as the article writes it, without "the", "ISIS-held" or a possessive."""
    name = _PLACE_LEAD.sub("", raw.strip())
    name = _HELD_PREFIX.sub("", name)
    if "'s " in name or "\u2019s " in name:  # "Juba's Gudele": the neighbourhood
        name = _POSSESSIVE_SPLIT.split(name)[-1]
    return _POSSESSIVE.sub("", name).strip()


def _inside(short: str, long: str) -> bool:
    """True if short occurs in long as whole words (case-insensitive) and is shorter."""
    if len(short) >= len(long):
        return False
    return bool(_word_at(long.lower(), short.lower()))


# Capitalised words that follow "of"/"in"/"into" yet name no place: a field or department
# ("Obstetrics", "Cardiology"), a technology ("the Internet"), an event or era ("Arab Spring").
_FIELD_WORD = re.compile(r"(?:ics|ology|ologies)$")
_NON_PLACE_WORDS = {
    "internet", "web", "online", "facebook", "twitter", "whatsapp", "telegram", "youtube",
    "instagram", "tiktok", "google", "wikipedia", "email", "bluetooth", "wifi", "wi-fi",
}
_EVENT_TAIL = {
    "spring", "revolution", "revolutions", "war", "wars", "uprising", "intifada", "crisis",
    "summit", "conference", "olympics", "games", "cup", "accords", "accord", "agreement",
    "treaty", "era", "age", "empire", "dynasty", "period", "prize", "award", "festival",
}
# "a legal researcher at Al-Haq", "NGOs such as Al-Haq": an employer or an organisation.
_EMPLOYER_BEFORE = re.compile(
    r"(?:\b(?:researcher|fellow|professor|lecturer|analyst|scholar|economist|expert|employee|"
    r"staffer|director|spokes\w+|founder|intern)\s+(?:at|with)|"
    r"\b(?:organi[sz]ations|groups|NGOs|companies|firms|agencies|charities|outlets)\s+"
    r"(?:such as|like|including))\s+(?:the\s+)?$")
# "software known as Red Wolf": a thing's name, unless a place noun comes before it.
_NAMED_AS_BEFORE = re.compile(r"\b(?:known as|dubbed|called|nicknamed|code-?named|named)\s+$")
_PLACE_NOUN_NEAR = re.compile(
    r"\b(?:town|city|village|area|district|neighbou?rhood|camp|region|province|quarter|"
    r"settlement|island|valley|river|mountain|hill|street|square|road|border|crossing|"
    r"base|port|airport|enclave|territory|state|country)\b", re.I)
_LOWER_NEXT = re.compile(r"\s+([a-z][a-z-]+)")
_NOT_NOUN = {
    "in", "on", "at", "of", "to", "for", "from", "by", "with", "and", "or", "but", "as", "is",
    "was", "were", "are", "has", "had", "have", "said", "says", "where", "which", "who", "that",
    "after", "before", "during", "when", "while", "into", "near", "since", "until", "over",
}


def _names_no_place(name: str, at: list[int], text: str) -> bool:
    """A field, technology, event, era adjective, employer or thing's name, not a place."""
    words = name.lower().split()
    if any(_FIELD_WORD.search(w) for w in words) or name.lower() in _NON_PLACE_WORDS:
        return True
    if len(words) > 1 and words[-1] in _EVENT_TAIL:
        return True
    for i in at:
        before = text[max(0, i - 60):i]
        if _EMPLOYER_BEFORE.search(before):
            return True
        if _NAMED_AS_BEFORE.search(before) and not _PLACE_NOUN_NEAR.search(before[-40:]):
            return True
    if len(words) == 1 and name.endswith("an"):
        # "Roman mosaics", "Roman treasures": an adjective before a noun at every mention.
        for i in at:
            nm = _LOWER_NEXT.match(text, i + len(name))
            if not nm or nm.group(1) in _NOT_NOUN:
                return False
        return True
    return False


def _not_a_place(name: str, actor_names: set[str], text: str) -> bool:
    """Names that are parts of actors' names, titles, or fragments of longer names."""
    at = _word_at(text, name)
    if not at:
        return True  # must occur in the article as whole words
    if name.lower() in _COUNTRY_SET:
        return False
    if _names_no_place(name, at, text):
        return True
    if any(w.lower() in TITLES for w in name.split()):
        return True  # "President Salva Kiir"
    low = name.lower()
    for actor in actor_names:
        if name == actor:
            return True
        # Either name inside the other: "Islamic" of "Islamic State", "Kiir" of "Salva Kiir".
        # A plain substring test first rules out most pairs without the whole-word search.
        actor_low = actor.lower()
        if (low in actor_low or actor_low in low) and (_inside(name, actor) or _inside(actor, name)):
            return True
    # A fragment of a longer name wherever it occurs: "Kurdistan" of "Kurdistan Workers Party".
    for i in at:
        rest = text[i + len(name):i + len(name) + 40]
        nxt = rest.split(None, 1)[0] if rest[:1].isspace() and rest.strip() else ""
        if not nxt[:1].isupper():
            return False
    return True


# ---------------------------------------------------------------------------------------------
# Outlook.

_STRONG_CUES = [
    "will", "won't", "shall", "expected", "expects", "expect", "likely", "unlikely", "plan", "plans",
    "planned", "planning", "intend", "intends", "intended", "vowed", "vows", "warned", "warns",
    "threatened", "threatens", "aim to", "aims to", "set to", "going to", "weeks away", "days away",
    "months away", "coming days", "coming weeks", "coming months", "coming years", "next week",
    "next month", "next year", "next step", "soon", "upcoming", "prepare to", "prepares to",
    "prepared to", "preparing to", "to meet", "future", "hope", "hopes", "hoped", "enduring", "would",
]
_WEAK_CUES = ["could", "may", "might", "possible", "potentially", "risk", "fear", "fears"]
_FORWARD_STRONG = re.compile(r"\b" + alternation(_STRONG_CUES) + r"\b", re.I)
_FORWARD_WEAK = re.compile(r"\b" + alternation(_WEAK_CUES) + r"\b", re.I)
# The same cues, case-sensitive, for lower-cased text (faster than re.I), a look-behind first
# as for _KNOWN_RE.
# Both kinds in one scan: whole-word matches of one kind never overlap the other's (the weak cues
# are single words, and no word inside a strong phrase is one), so the counts are the same.
_FORWARD_CUE_LOW = re.compile(r"(?<!\w)" + alternation(_STRONG_CUES + _WEAK_CUES) + r"\b")
_STRONG_SET = frozenset(_STRONG_CUES)


def _forward_cues(text: str) -> tuple[int, int]:
    """How many strong and weak forward-looking cues a sentence has."""
    if not has_case_trap(text):  # then lower() and re.I agree (see CASE_TRAPS)
        found = _FORWARD_CUE_LOW.findall(text.lower())
        strong = sum(cue in _STRONG_SET for cue in found)
        return strong, len(found) - strong
    return len(_FORWARD_STRONG.findall(text)), len(_FORWARD_WEAK.findall(text))


_WOULD = re.compile(r"\bwould\b")
_FIRM_FUTURE = re.compile(r"\b(?:will|expected|likely|plans?|warned|vowed|weeks away|coming)\b", re.I)


def _outlook(sents: list[_Sent], ctx: _Ctx) -> Outlook:
    """Forward-looking sentences, with who says so."""
    scored: list[tuple[int, int, _Sent]] = []
    for i, s in enumerate(sents):
        if s.kind not in ("body",) or len(s.text.split()) < 6:
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
    if summary and len(sents) and len(summary) > 300:
        summary = summary[:297].rsplit(" ", 1)[0] + "..."
    return Outlook(summary=summary, signals=signals)


# ---------------------------------------------------------------------------------------------
# The engine.


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
EVIDENCE_CHARS = 400
MAX_FIGURES_PER_SENTENCE = 30
MAX_FIGURES = 150


def _shortened(text: str, limit: int) -> str:
    """The text, or its first words up to limit characters and an ellipsis."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + "\u2026"


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


def extract(article: str) -> Brief:
    """Build a brief from an article by rules alone: lead, figures, parties, places, outlook."""
    text = article.replace("\r\n", "\n")
    layout = _layout(text)
    sents = _sentences(text, layout)
    ctx = _Ctx()
    cands = _actors(text, sents, ctx)
    actors_kept = _select_actors(cands)
    ctx.people.sort()
    ctx.orgs.sort()

    figures = _figures(text, sents, ctx)
    actors = [
        Actor(name=a.name, kind=ActorKind(a.kind), side=a.side, role=a.desc or a.role or NO_ROLE,
              evidence=a.evidence)
        for a in actors_kept
    ]
    names = {a.name for a in actors_kept} | {n for a in actors_kept for n in a.aliases}
    where = _places(text, sents, names)
    when = None
    for s in sents:
        if s.kind == "body":
            wm = _WHEN.search(s.text)
            if wm:
                when = wm.group().strip()
                break
    return Brief(situation=_situation(sents), where=where, when=when, actors=actors,
                 numbers=figures, outlook=_outlook(sents, ctx))


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

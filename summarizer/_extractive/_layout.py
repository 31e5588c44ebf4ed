"""Layout: which paragraphs are body text, where the lead starts, and the sentences of each."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .._gazetteer import KNOWN_ORGS
from .._text import paragraph_sentences, paragraphs

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


def _layout_of(text: str) -> list[_Para]:
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

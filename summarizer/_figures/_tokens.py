"""A sentence as tokens (words lower-cased, figures as one token each), and what a token or a
run of tokens is: a cue and its category, the start of an aside, a word of a noun phrase."""

from __future__ import annotations

import re
from typing import NamedTuple

from .._brief import NumberCategory
from .._numbers import Mention
from ._lexicon import (
    AFTER_ONLY,
    ASIDE_START,
    AUX,
    CLAUSE_WORDS,
    CUE_NOUNS,
    HELD_BY,
    NOT_NOUN_PHRASE,
    PLURALS,
    PREPOSITIONS,
    SPEECH,
    cue_table,
)

CUES = cue_table()
CUE_LEN = max(len(k) for k in CUES)
# The lengths of the cues each word starts, longest first: all that cue_at need try.
_CUE_LENS = {w: tuple(sorted({len(k) for k in CUES if k[0] == w}, reverse=True))
             for w in {k[0] for k in CUES}}

# "U.S." and "U.S.-made" are words
_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}(?:-\w+)*|\w(?:[\w'\u2019&.-]*\w)?|[^\w\s]")
_FIG = "#"  # a figure's token


class Tok(NamedTuple):
    """A word (lower-cased) or a figure of the sentence, with its offsets."""

    low: str
    start: int
    end: int
    fig: int = -1  # index of the figure this token stands for, -1 for a word


def tokens(sentence: str, mentions: list[Mention]) -> list[Tok]:
    """The sentence's words and figures, in order."""
    # Words from a lower-cased copy when that keeps the offsets (ASCII: the usual case), each
    # made by tuple.__new__: no Python-level __init__ for each of ~25 tokens a sentence.
    low = sentence.lower() if sentence.isascii() else None
    out: list[Tok] = []
    pos = 0
    for k, m in enumerate(mentions):
        out += _words_between(sentence, low, pos, m.start)
        out.append(Tok(_FIG, m.start, m.end, k))
        pos = m.end
    out += _words_between(sentence, low, pos, len(sentence))
    return out


def _words_between(sentence: str, low: str | None, start: int, end: int) -> list[Tok]:
    if low is not None:
        # No token holds a space: split at the spaces, and a chunk of letters and digits is
        # one token, its offset counted (the usual case: single spaces); only the chunks with
        # other marks ("said,", "u.s.") are tokenised by _TOKEN. A third faster than all by it.
        seg = low[start:end]
        chunks = seg.split()
        if " ".join(chunks) == seg.strip():
            return _chunk_words(low, chunks, start + len(seg) - len(seg.lstrip()))
        return [_new_tok(Tok, (t.group(), t.start(), t.end(), -1))
                for t in _TOKEN.finditer(low, start, end)]
    return [_new_tok(Tok, (t.group().lower(), t.start(), t.end(), -1))
            for t in _TOKEN.finditer(sentence, start, end)]


def _chunk_words(low: str, chunks: list[str], pos: int) -> list[Tok]:
    """The tokens of chunks that stand one space apart in low from offset pos."""
    out: list[Tok] = []
    for c in chunks:
        n = len(c)
        if c.isalnum():
            out.append(_new_tok(Tok, (c, pos, pos + n, -1)))
        else:
            out += [_new_tok(Tok, (t.group(), t.start(), t.end(), -1))
                    for t in _TOKEN.finditer(low, pos, pos + n)]
        pos += n + 1
    return out


_new_tok = tuple.__new__


def cue_at(toks: list[Tok], j: int) -> tuple[NumberCategory, int] | None:
    """The category of the cue that starts at token j, and its length in tokens."""
    if j >= len(toks):
        return None
    for n in _CUE_LENS.get(toks[j].low, ()):
        key = tuple([t.low for t in toks[j:j + n]])
        if len(key) == n and key in CUES:
            return CUES[key], n
    return None


def after_only(toks: list[Tok], j: int) -> tuple[NumberCategory, int] | None:
    """A cue that speaks only after the figure ("had left", "were taken hostage") at token j."""
    if j < len(toks) and toks[j].low in AFTER_ONLY:
        nxt = toks[j + 1].low if j + 1 < len(toks) else ""
        if toks[j].low == "taken" and nxt not in HELD_BY:
            return None  # "400 marines were taken to the front"
        if nxt not in ("dead", "wounded", "injured", "behind"):
            return AFTER_ONLY[toks[j].low], 1
    return None


_ASIDE_PARTS = [tuple(words.split()) for words in ASIDE_START]
ASIDE_FIRST = frozenset(parts[0] for parts in _ASIDE_PARTS)


def aside_word(toks: list[Tok], j: int) -> bool:
    """Does an aside open at token j ("including", "among them", "most of them")?"""
    if j >= len(toks) or toks[j].low not in ASIDE_FIRST:
        return False
    return any(tuple(t.low for t in toks[j:j + len(parts)]) == parts for parts in _ASIDE_PARTS)


_NOT_NP = AUX | PREPOSITIONS | CLAUSE_WORDS | SPEECH | NOT_NOUN_PHRASE


def np_word(t: Tok, after_head: bool, nxt: Tok | None = None) -> bool:
    """May this token be part of the noun phrase after a figure?"""
    if t.fig >= 0 or not t.low[0].isalnum() or t.low in _NOT_NP:
        return False
    if (t.low,) in CUES and t.low not in CUE_NOUNS:
        return False  # "12 people killed": the participle ends the phrase
    # "17 trucks filled with": a participle after the head ends the phrase; "two improvised
    # armored vehicles": one before a noun is an adjective
    return not (after_head and t.low.endswith("ed") and t.low not in ("armed", "unarmed") and not (
        nxt is not None and nxt.low.isalpha() and nxt.low not in _NOT_NP
        and not nxt.low.endswith("ed") and (nxt.low,) not in CUES))


def plural(t: Tok, sentence: str) -> bool:
    """A lower-case plural noun (a name such as "Hamas" or "ISIS" ends nothing)."""
    word = t.low
    return (word in PLURALS or word.endswith("men") or word.endswith("s") and len(word) > 3
            and not word.endswith(("ss", "us", "is"))) and word.isalpha() and (
        sentence[t.start:t.start + 1].islower())

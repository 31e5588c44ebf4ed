"""Plain string helpers shared by every layer: normalisation with offsets, sentence splitting."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable

# Characters that differ between an article and a model's copy of it without changing meaning.
_FOLD = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u00ad": "",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ",
}


def fold_str(text: str) -> str:
    """Just the folded text (cheaper when offsets are not needed)."""
    if not is_plain(text):
        text = _FOLD_ANY.sub(_fold_one, text)
    return " ".join(text.lower().split())


def is_plain(text: str) -> bool:
    """True if the text holds nothing to fold (two scans in C, cheaper than a regex's)."""
    return text.isascii() and "`" not in text  # "`" is the one ASCII character in _FOLD


_FOLD_ANY = re.compile("[" + re.escape("".join(_FOLD)) + "]")


def _fold_one(m: re.Match[str]) -> str:
    return _FOLD[m.group()]


_NAME_WORD = re.compile(r"(?:\w\.){2,}|[\w'-]+")
_NAME_STOP = frozenset(["the", "a", "an", "of", "and", "in", "on", "for", "to", "at", "by", "with",
                        "'s", "s"])


def name_words(phrase: str) -> list[str]:
    """The folded words that identify a name ("U.N." stays whole; "of", "the" and letters on
    their own go): a name is found where all of them are."""
    return [w for w in _NAME_WORD.findall(fold_str(phrase)) if w not in _NAME_STOP and len(w) > 1]


def has_words(text: str, words: list[str]) -> bool:
    """True if every word occurs in a folded text as a whole word."""
    return all(_has_word(text, w) for w in words)


def _has_word(text: str, word: str) -> bool:
    # As re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text), whose leading look-behind stops
    # the regex engine from skipping ahead to the word: str.find does, ~10x faster.
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if not (at and _is_word_char(text[at - 1]) or end < len(text) and _is_word_char(text[end])):
            return True
        at = text.find(word, at + 1)
    return False


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # what \w matches in a str pattern


# Abbreviations whose full stop does not end a sentence.
_ABBREV = {
    "mr", "mrs", "ms", "dr", "gen", "lt", "col", "maj", "capt", "sgt", "cpl", "pvt", "adm", "cmdr",
    "gov", "sen", "rep", "rev", "st", "no", "vs", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "u.s", "u.n", "u.k", "e.g", "i.e", "etc", "prof", "pres",
    "jr", "sr", "inc", "ltd", "co", "corp", "mt", "ft", "approx", "brig", "lt.col", "messrs",
}
_ABBREV_SOFT = _ABBREV - {"u.s", "u.n", "u.k"}  # abbreviations that never end a sentence
_WORD_CHARS = string.ascii_letters + "."
# "[.!?][.!?]*" for "[.!?]+": a pattern that opens with a character set lets the regex engine
# skip ahead to the next such character (one that opens with a repeat is tried at every offset).
_END = re.compile(r"[.!?][.!?]*[\"'\u201d\u2019)\]]*(?=\s+|$)")


def sentences(text: str) -> list[tuple[int, int]]:
    """Split text into sentences; return (start, end) offsets, never crossing a blank line."""
    spans: list[tuple[int, int]] = []
    for para_start, para_end in paragraphs(text):
        spans += paragraph_sentences(text, para_start, para_end)
    return spans


def paragraph_sentences(text: str, para_start: int, para_end: int) -> list[tuple[int, int]]:
    """The sentences of text[para_start:para_end], one paragraph, as offsets into text."""
    spans: list[tuple[int, int]] = []
    start = para_start
    for m in _END.finditer(text, para_start, para_end):  # as in the paragraph on its own
        end = m.end()
        nxt = end  # the first character after the break that is not white space
        while nxt < para_end and text[nxt].isspace():
            nxt += 1
        head = text[nxt] if nxt < para_end else ""
        if text[m.start()] == "." and _abbreviation(text, start, m.start(), head):
            continue
        if head and head.islower():
            continue
        _add(spans, text, start, end)
        start = end
    _add(spans, text, start, para_end)
    return spans


def _abbreviation(text: str, start: int, dot: int, head: str) -> bool:
    """True if the full stop at dot ends an abbreviation ("Gen.", "U.S.") or an initial ("J.")
    that does not end its sentence before ``head``."""
    # The word the full stop ends: letters and dots back from it, within the sentence. Only
    # its last 8 characters are looked at: no abbreviation is as long.
    tail = text[max(start, dot - 8):dot]
    word = tail[len(tail.rstrip(_WORD_CHARS)):]
    if not word or len(word) == 8:
        return False
    w = word.lower().rstrip(".")
    initial = len(w) == 1 and w.isalpha()  # "J. Smith", "U.S." handled above
    return (w in _ABBREV or initial) and (not head or not head.isupper() or w in _ABBREV_SOFT)


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


# Lower-casing for case-blind matching of ASCII words, offsets kept. Checked over all of Unicode:
# besides these four characters, lower() keeps a text's length, and which characters are ASCII
# letters, word characters or white space; and re.IGNORECASE matches no character but A-Z and
# a-z to an ASCII letter. So without them, a case-sensitive pattern of lower-case ASCII words finds
# in text.lower() what the same pattern with re.IGNORECASE finds in the text. ("İ" and the Kelvin
# sign lower to ASCII, "ı" and "ſ" match "i" and "s" under re.IGNORECASE.)
CASE_TRAPS = frozenset("\u0130\u0131\u017f\u212a")
ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)  # A-Z only


def has_case_trap(text: str) -> bool:
    """True if the text holds one of CASE_TRAPS (four substring scans: far faster than a set
    test of every character of an article)."""
    return not text.isascii() and any(c in text for c in CASE_TRAPS)


_LINE = re.compile(r"[^\n]+")
_LINE_ENDS_SENTENCE = re.compile(r"[.!?:\"'”]\s*$")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Blocks of text, one per line, except that a hard-wrapped sentence is kept together."""
    out: list[tuple[int, int]] = []
    last = ""  # the last line kept: only its end decides whether the next line continues it
    for m in _LINE.finditer(text):
        line = m.group()
        if line.isspace():
            continue
        # A line that continues a sentence: no blank line before it (one line break since the
        # last line kept), the previous line does not end a sentence, and this one starts in
        # lower case.
        if out and text.count("\n", out[-1][1], m.start()) == 1 and not (
                _LINE_ENDS_SENTENCE.search(last)) and line.lstrip()[:1].islower():
            out[-1] = (out[-1][0], m.end())
        else:
            out.append(m.span())
        last = line
    return out


def count_sentences(text: str) -> int:
    """How many sentences a short text has."""
    return len(sentences(text))


def clip(text: str, limit: int = 80) -> str:
    """Shorten a text for a message, marking the cut with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def alternation(words: Iterable[str], not_after: str = "") -> str:
    """A regex matching any of words, the longest that fits first, as a prefix tree.

    Equivalent to ``(?:w1|w2|...)`` with the words sorted longest first, but the regex engine
    tries each character once instead of each word in turn. With ``not_after`` (a character
    class such as ``[\\w-]``), a match may not follow such a character, as ``(?<!not_after)``
    before the group would say; the check sits after the first character so that the engine
    can skip offsets whose character starts no word.
    """
    root: dict[str, dict] = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        kids = [k for k in node if k]
        if not kids:
            return ""
        parts = [re.escape(k) + build(node[k]) for k in kids]
        body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        if "" in node:  # a word ends here: try the longer words first, then stop
            body = ("(?:" + body + ")?") if len(parts) == 1 else body + "?"
        return body

    if not not_after:
        return "(?:" + build(root) + ")"
    heads = [re.escape(k) + rf"(?<!{not_after}[\s\S])" + build(root[k]) for k in root if k]
    return "(?:" + "|".join(heads) + ")"


def format_value(value: float) -> str:
    """1500.0 -> '1,500'; 1.5 -> '1.5'."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


# What an article may carry that no reader should get back: terminal escape sequences ("ESC[31m"
# would read as "31m", 31 million), other control characters, the bidirectional overrides that
# can make text display in another order than it reads, and lone surrogates (not text at all).
_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SURROGATES = re.compile("[\ud800-\udfff]")


def clean_input(text: str) -> str:
    """Text without terminal escapes, control characters or direction overrides; a lone
    surrogate becomes U+FFFD. Tabs and line breaks stay."""
    if text.isascii() and text.isprintable():
        return text  # the usual case, in one scan
    text = _ESCAPES.sub("", text)
    text = _CONTROLS.sub("", text)
    return _SURROGATES.sub("\ufffd", text)


CHARS_PER_TOKEN = 4  # the documented estimate when no tokenizer is at hand (English news prose)


def estimate_tokens(text: str) -> int:
    """Tokens in a text, estimated at four characters a token."""
    return len(text) // CHARS_PER_TOKEN + 1

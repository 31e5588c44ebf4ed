"""The trust layer's view of an article: found once, looked up many times (quotes, names,
figures, sentences), with offsets that are the article's own."""

from __future__ import annotations

import re
from bisect import bisect_right

from ._figures import Reading, read
from ._numbers import find_mentions, values_in
from ._text import _FOLD, is_plain, paragraph_sentences, paragraphs

_QUOTES = " \t\n\"'\u201c\u201d\u2018\u2019"
_TRIM = _QUOTES + "\u2026.,;:"

_NUMBER_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?")
_SCALES = (1, 100, 1_000, 1_000_000, 1_000_000_000)


# The 1:1 part of the folding (quotes, dashes, odd spaces): offsets in the folded view of an
# article are then offsets in the article itself, so no map back is needed.
_ONE_TO_ONE = {k: v for k, v in _FOLD.items() if len(v) == 1}
_FOLDABLE = re.compile("[" + re.escape("".join(_ONE_TO_ONE)) + "]")
_FOLD_ANY = re.compile("[" + re.escape("".join(_FOLD)) + "]")


def _fold_one_to_one(text: str) -> str:
    # A regex finds the few characters to fold far faster than str.translate walks a long text.
    return _FOLDABLE.sub(lambda m: _ONE_TO_ONE[m.group()], text)


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _words(text: str, strip: str) -> list[str]:
    # As str.translate with the folding table, which looks up every character (~4 us a
    # sentence, and a brief folds ~50 strings); the regex visits only the few to fold.
    if not is_plain(text):
        text = _FOLD_ANY.sub(lambda m: _FOLD[m.group()], text)
    return text.lower().strip(strip).split()


class ArticleIndex:
    """An article prepared once for many look-ups: a case- and punctuation-folded view of it
    whose offsets are the article's own."""

    def __init__(self, text: str) -> None:
        self.text = text
        view = _fold_one_to_one(text).lower()
        if len(view) != len(text):  # lower() lengthened a character (a dotted capital I, say)
            view = "".join(c.lower() if len(c.lower()) == 1 else c for c in _fold_one_to_one(text))
        self._view = view
        self._found: dict[tuple[str, bool], tuple[int, int] | None] = {}
        self._quotes: dict[str, tuple[int, int] | None] = {}
        self._names: dict[str, bool] = {}
        self._numbers: list[tuple[int, int, float]] | None = None
        self._paras: list[tuple[int, int]] | None = None
        self._para_starts: list[int] = []
        self._split: dict[int, list[tuple[int, int]]] = {}
        self._readings: dict[tuple[int, int], Reading] = {}
        self._numbered: list[tuple[int, int]] | None = None
        #: The article as the model reads it, numbered (made once by :func:`_wire.model_view`).
        self.model_view: str | None = None

    def _find(self, words: list[str], *, whole: bool) -> tuple[int, int] | None:
        needle = " ".join(words)
        if not needle:
            return None
        key = (needle, whole)
        if key not in self._found:
            self._found[key] = self._search(needle, words, whole=whole)
        return self._found[key]

    def _search(self, needle: str, words: list[str], *, whole: bool) -> tuple[int, int] | None:
        view = self._view
        at = view.find(needle)  # the usual case: copied with the article's own spacing
        while at >= 0:
            end = at + len(needle)
            if not whole or not (_word_char(view[at - 1] if at else " ")
                                 or _word_char(view[end] if end < len(view) else " ")):
                return at, end
            at = view.find(needle, at + 1)
        # Else allow any run of white space (line breaks, doubled spaces) between the words.
        pattern = r"\s+".join(re.escape(w) for w in words)
        if whole:
            pattern = r"(?<!\w)" + pattern + r"(?!\w)"
        m = re.search(pattern, view)
        return (m.start(), m.end()) if m else None

    def locate(self, quote: str) -> tuple[int, int] | None:
        """Where a quote occurs, tolerating case, white space, quote marks and dashes."""
        if quote not in self._quotes:  # a brief quotes one sentence for several figures
            # Exact first; then without the punctuation a quote may gain or lose at its ends.
            self._quotes[quote] = (self._find(_words(quote, _QUOTES), whole=False)
                                   or self._find(_words(quote, _TRIM), whole=False))
        return self._quotes[quote]

    def cited(self, start: int, end: int) -> str:
        """The article's text from start to end, as evidence that stands there: where it is
        located is known, not searched for."""
        quote = self.text[start:end]
        # A sentence the article repeats is checked where it first stands, as a quote of it is.
        self._quotes.setdefault(quote, (start, end))
        return quote

    def names(self, name: str) -> bool:
        """True if the name occurs in the article as whole words."""
        if name not in self._names:  # and names the same actors again and again
            self._names[name] = self._find(_words(name, _TRIM), whole=True) is not None
        return self._names[name]

    def view(self, start: int, end: int) -> str:
        """The folded view (lower case, plain quotes and dashes) of part of the article."""
        return self._view[start:end]

    def _paragraph(self, p: int) -> list[tuple[int, int]]:
        """The sentences of paragraph p as (start, end) offsets, split when first asked: a brief's
        evidence stands in a few paragraphs, and splitting all of them cost more than the rest."""
        if p not in self._split:
            self._split[p] = paragraph_sentences(self.text, *self._paragraphs()[p])
        return self._split[p]

    def _paragraphs(self) -> list[tuple[int, int]]:
        if self._paras is None:
            self._paras = paragraphs(self.text)
            self._para_starts = [start for start, _ in self._paras]
        return self._paras

    def _first_at(self, start: int) -> tuple[int, int]:
        """(paragraph, sentence) of the last sentence that starts at or before an offset (the
        first sentence if none does)."""
        p = bisect_right(self._para_starts, start) - 1
        if p < 0:
            return 0, 0
        j = bisect_right([s for s, _ in self._paragraph(p)], start) - 1
        if j >= 0:
            return p, j
        return (0, 0) if p == 0 else (p - 1, len(self._paragraph(p - 1)) - 1)

    def _step(self, p: int, j: int, by: int) -> tuple[int, int] | None:
        """The sentence one after (by=1) or before (by=-1) sentence j of paragraph p; None at the
        article's ends."""
        j += by
        if 0 <= j < len(self._paragraph(p)):
            return p, j
        p += by
        if not 0 <= p < len(self._para_starts):
            return None
        return p, (0 if by > 0 else len(self._paragraph(p)) - 1)

    def sentences_of(self, start: int, end: int) -> list[tuple[int, int]]:
        """The sentences, as (paragraph, sentence) indices, that a span of the article overlaps
        (from the last one that starts at or before the span)."""
        if not self._paragraphs():
            return []
        at: tuple[int, int] | None = self._first_at(start)
        out = []
        while at is not None:
            out.append(at)
            at = self._step(*at, 1)
            if at is not None and self.sentence(*at)[0] >= end:
                break
        return out

    def numbered(self) -> list[tuple[int, int]]:
        """Every sentence of the article, in order, as (start, end) offsets: the sentences the
        model reads numbered from 1 (as _text.sentences splits them)."""
        if self._numbered is None:
            self._numbered = [span for p in range(len(self._paragraphs()))
                              for span in self._paragraph(p)]
        return self._numbered

    def sentence(self, p: int, j: int) -> tuple[int, int]:
        """Sentence j of paragraph p, as (start, end) offsets."""
        return self._paragraph(p)[j]

    def back(self, p: int, j: int, n: int) -> tuple[int, int]:
        """The sentence n before sentence j of paragraph p (the first sentence at most)."""
        for _ in range(n):
            before = self._step(p, j, -1)
            if before is None:
                break
            p, j = before
        return p, j

    def reading(self, p: int, j: int) -> Reading:
        """A sentence, read once for all of its figures."""
        if (p, j) not in self._readings:
            s, e = self.sentence(p, j)
            # A hard-wrapped sentence read as one line, as the model read it ("more\nthan 50"
            # is "more than 50"); one character for one, so offsets stand.
            sentence = self.text[s:e].replace("\n", " ")
            self._readings[p, j] = read(sentence, find_mentions(sentence))
        return self._readings[p, j]

    def states(self, value: float) -> bool:
        """True if the article states this figure (in digits, words or with a scale)."""
        if written_plainly(self.text, value):  # the usual case, found without parsing
            return True
        if self._numbers is None:
            self._numbers = [(m.start(), m.end(), float(m.group().replace(",", "")))
                             for m in _NUMBER_TOKEN.finditer(self.text)]
        for start, end, written in self._numbers:
            # Parse only around numbers that could be this figure ("1.5" for 1,500,000):
            # much cheaper than reading every figure of a long article.
            if any(abs(value - written * k) <= 1e-9 * abs(value) for k in _SCALES) and (
                    value in values_in(self.text[max(0, start - 40):end + 30])):
                return True
        return False


# What may follow a figure written in digits without changing its value; the last part is a
# range whose scale word covers both ends ("400 to 600 thousand" starts at 400,000).
_CHANGES_VALUE = re.compile(
    r"\d|[.,]\d|\s*(?:hundred|thousand|million|billion|mln|bn)\b|[kKmM]\b|[^\W\dsk_]"
    r"|\s*(?:to|and|or|-|\u2013|\u2014)\s*[\w.,\s-]{0,30}?(?:hundred|thousand|million|billion)\b",
    re.I)


def written_plainly(text: str, value: float) -> bool:
    """True if a whole figure stands in the text in digits ("1,500", "1500"), as a number of
    its own: a cheap test that spares parsing the sentence in the common case."""
    if value < 0 or not float(value).is_integer():
        return False
    whole = int(value)
    for form in {f"{whole:,}", str(whole)}:
        at = text.find(form)
        while at >= 0:
            before = text[at - 1] if at else " "
            if not (before.isdigit() or before in ",." or before.isalpha()) and not (
                    _CHANGES_VALUE.match(text, at + len(form))):
                return True
            at = text.find(form, at + 1)
    return False

"""The trust layer: check a brief against its article, and drop what cannot be verified.

Pure functions over strings, shared by every engine. A problem names the field, what is wrong and
the text it was checked against, in words a model can act on when it is sent back as a re-ask.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._brief import Brief, Figure, NumberCategory
from ._figures import Reading, Sense, bounds, read
from ._numbers import Mention, find_mentions, has_vague_quantity, values_in
from ._result import BriefWarning, Span, WarningCode
from ._text import (
    _FOLD,
    clip,
    fold_str,
    format_value,
    has_words,
    is_plain,
    name_words,
    paragraph_sentences,
    paragraphs,
)

_QUOTES = " \t\n\"'\u201c\u201d\u2018\u2019"
_TRIM = _QUOTES + "\u2026.,;:"


@dataclass(frozen=True)
class Problem:
    """One thing in a brief that the article does not support.

    ``field`` is the brief's field ("numbers", "actors", "where", "outlook.signals",
    "situation", "when", "outlook.summary"; "brief" for the reply as a whole), ``index`` the
    item of a list field and ``attribute`` the item's own field ("role", "category").
    ``kind`` says what failed: "evidence" (not a span of the article), "value" (a figure its
    evidence does not state), "name", "place", "when", "text" (free text stating a figure or
    name the article does not), "category", "qualifier" or "source" (a figure's label that its
    evidence contradicts), "schema" or "json" (the reply is no valid brief), "truncated". Where
    the evidence says what the label should be, ``correction`` holds it. ``message`` is for
    people and models, never read by code.
    """

    field: str
    message: str
    kind: str = "evidence"
    correction: Any = None
    index: int | None = None
    attribute: str | None = None

    @property
    def path(self) -> str:
        """Where in the brief, as "numbers[2].category"."""
        at = self.field if self.index is None else f"{self.field}[{self.index}]"
        return f"{at}.{self.attribute}" if self.attribute else at

    @property
    def fabricates(self) -> bool:
        """True if the problem is a figure the article does not state."""
        return self.field == "numbers" and self.kind in ("evidence", "value")

    @property
    def label(self) -> bool:
        """True if the problem is a label of a figure, which can be corrected or cleared."""
        return self.kind in ("category", "qualifier", "source")

    def __str__(self) -> str:
        return self.message if self.field == "brief" else f"{self.path}: {self.message}"


@dataclass
class Grounding:
    """The outcome of checking a brief against its article."""

    problems: list[Problem] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing in the brief lacks support in the article."""
        return not self.problems


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
            sentence = self.text[s:e]
            self._readings[p, j] = read(sentence, find_mentions(sentence))
        return self._readings[p, j]

    def states(self, value: float) -> bool:
        """True if the article states this figure (in digits, words or with a scale)."""
        if _written_plainly(self.text, value):  # the usual case, found without parsing
            return True
        if self._numbers is None:
            self._numbers = [(m.start(), m.end(), float(m.group().replace(",", "")))
                             for m in _NUMBER_TOKEN.finditer(self.text)]
        for start, end, written in self._numbers:
            # Parse only around numbers that could be this figure ("1.5" for 1,500,000):
            # much cheaper than reading every figure of a long article.
            if any(abs(value - written * k) <= 1e-9 * abs(value) for k in _SCALES):
                if value in values_in(self.text[max(0, start - 40):end + 30]):
                    return True
        return False


_DIGIT = re.compile(r"\d")
_NUMBER_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?")
_SCALES = (1, 100, 1_000, 1_000_000, 1_000_000_000)
# A capitalised word that does not open a sentence is a name, which the article must contain.
# A capitalised word after a word (not at the start, nor after a full stop, colon, quote or
# bracket) is a name.
_MID_SENTENCE_NAME = re.compile(r"(?<=[^\s.!?:;\"\u201c\u201d(\[])\s+([A-Z][\w'.\-]*\w)")


def _proper_names(text: str) -> list[str]:
    return [n[:-2] if n.endswith("'s") else n for n in _MID_SENTENCE_NAME.findall(text)]


# What may follow a figure written in digits without changing its value; the last part is a
# range whose scale word covers both ends ("400 to 600 thousand" starts at 400,000).
_CHANGES_VALUE = re.compile(
    r"\d|[.,]\d|\s*(?:hundred|thousand|million|billion|mln|bn)\b|[kKmM]\b|[^\W\dsk_]"
    r"|\s*(?:to|and|or|-|\u2013|\u2014)\s*[\w.,\s-]{0,30}?(?:hundred|thousand|million|billion)\b",
    re.I)


def _written_plainly(text: str, value: float) -> bool:
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


def _digit_values(text: str) -> set[float]:
    return {v for m in find_mentions(text) if _DIGIT.search(m.text) for v in m.values}


def _unfounded(art: ArticleIndex, text: str) -> list[str]:
    """What a free text states that its article does not: digit figures, mid-sentence names."""
    messages = []
    if _DIGIT.search(text):
        missing = sorted(v for v in _digit_values(text) if not art.states(v))
        if missing:
            messages.append(
                f"figure {', '.join(format_value(v) for v in missing)} does not occur in the article")
    unknown = [name for name in _proper_names(text) if not art.names(name)]
    if unknown:
        names = ", ".join(f"'{n}'" for n in dict.fromkeys(unknown))
        messages.append(f"{names} does not occur in the article")
    return messages


def ground(brief: Brief, article: str | ArticleIndex) -> Grounding:
    """Check every evidence span, figure, name and free-text number of a brief against the article."""
    check = _Check(article if isinstance(article, ArticleIndex) else ArticleIndex(article))
    check.free_text("situation", None, None, brief.situation)
    for i, place in enumerate(brief.where):
        if not check.art.names(place):
            check.problem("where", f"place '{clip(place)}' is not in the article", "place", i)
    if brief.when and check.art.locate(brief.when) is None and not _loosely_in(check.art,
                                                                              brief.when):
        check.problem("when", f"'{clip(brief.when)}' is not stated in the article", "when")
    for i, actor in enumerate(brief.actors):
        if not check.art.names(actor.name):
            check.problem("actors", f"name '{clip(actor.name)}' does not occur in the article",
                          "name", i)
        elif check.evidence("actors", i, actor.evidence):
            check.free_text("actors", i, "role", actor.role)
            check.free_text("actors", i, "side", actor.side)
    for i, n in enumerate(brief.numbers):
        check.figure(i, n)
    check.free_text("outlook.summary", None, None, brief.outlook.summary)
    for i, s in enumerate(brief.outlook.signals):
        if check.evidence("outlook.signals", i, s.evidence):
            check.free_text("outlook.signals", i, "statement", s.statement)
    return check.out


class _Check:
    """One brief being checked against its article, with what its items share looked up once
    (several figures quote one sentence; sides and roles repeat from actor to actor)."""

    def __init__(self, art: ArticleIndex) -> None:
        self.art = art
        self.out = Grounding()
        self._stated_in: dict[str, set[float]] = {}
        self._unfounded: dict[str, list[str]] = {}

    def problem(self, field: str, message: str, kind: str, index: int | None = None,
                attribute: str | None = None, correction: Any = None) -> None:
        self.out.problems.append(Problem(field, message, kind, correction, index, attribute))

    def evidence(self, field: str, i: int, quote: str) -> tuple[int, int] | None:
        """Where an item's evidence stands in the article; a problem if nowhere."""
        span = self.art.locate(quote)
        if span is None:
            self.problem(field, f"evidence is not a verbatim span of the article: '{clip(quote)}'",
                         "evidence", i)
            return None
        self.out.spans.append(Span(path=f"{field}[{i}].evidence", start=span[0], end=span[1]))
        return span

    def free_text(self, field: str, i: int | None, attribute: str | None, text: str | None) -> None:
        """A model may paraphrase, but a figure it writes with digits, or a name it writes
        mid-sentence with a capital, must come from the article."""
        if not text:
            return
        if text not in self._unfounded:
            self._unfounded[text] = _unfounded(self.art, text)
        for message in self._unfounded[text]:
            self.problem(field, message, "text", i, attribute)

    def figure(self, i: int, n: Figure) -> None:
        """A figure: its evidence, its value in it, and the labels the evidence supports."""
        span = self.evidence("numbers", i, n.evidence)
        if span is None:
            return
        if n.value is None and n.low is None:
            if not has_vague_quantity(n.evidence):
                self.problem("numbers", "no value given and its evidence states none", "value", i)
            return
        # Where the article's own sentence states the value, that settles it (and is read for
        # the labels); else the evidence is parsed as given.
        found = _stated_at(self.art, n, span)
        wanted = [n.value] if n.value is not None else [n.low, n.high]
        missing = None if found else next(
            (v for v in wanted if v is not None and not self._stated(v, n.evidence)), None)
        if missing is not None:
            self.problem("numbers", f"value {format_value(missing)} not found in its evidence "
                         f"'{clip(n.evidence)}'", "value", i)
            return
        self.free_text("numbers", i, "counts", n.counts)
        self.out.problems.extend(_label_problems(self.art, n, i, span, found))

    def _stated(self, v: float, evidence: str) -> bool:
        if _written_plainly(evidence, v):
            return True
        if evidence not in self._stated_in:
            self._stated_in[evidence] = values_in(evidence)
        return any(abs(v - s) < 1e-9 for s in self._stated_in[evidence])


def _label_problems(art: ArticleIndex, n: Figure, i: int, span: tuple[int, int],
                    found: list[tuple[Reading, int]]) -> list[Problem]:
    """A figure's category, qualifier and source checked against the clause that states it
    (``found``: where in the article's sentences the figure's value stands, within its span)."""
    problems = []
    if found and n.category is not NumberCategory.other:  # 'other' claims nothing to check
        senses = [reading.sense(k) for reading, k in found]
        if all(s.contradicts(n.category) for s in senses):
            (reading, k), sense = found[0], senses[0]
            problems.append(Problem(
                "numbers",
                f"labelled {n.category.value}, but its evidence says "
                f"'{_around(reading, k, sense)}': it counts {_CATEGORY_WORDS[sense.category]} "
                f"(category {sense.category.value})", "category", sense.category, i, "category"))
    if found and not any(n.qualifier in bounds(reading, k) for reading, k in found):
        reading, k = found[0]
        said = reading.mentions[k].qualifier
        problems.append(Problem(
            "numbers",
            f"qualifier {n.qualifier.value} does not fit its evidence "
            f"'{_around(reading, k, None)}' (qualifier {said.value})", "qualifier", said, i,
            "qualifier"))
    if n.attributed_to and not _named_near(art, n.attributed_to, span):
        problems.append(Problem(
            "numbers",
            f"source '{clip(n.attributed_to)}' is not named in its evidence or the two "
            "sentences before it", "source", None, i, "attributed_to"))
    return problems


_CATEGORY_WORDS = {
    NumberCategory.killed: "people killed", NumberCategory.wounded: "people wounded",
    NumberCategory.displaced_or_fled: "people displaced or fled",
    NumberCategory.detained: "people detained", NumberCategory.troops_or_fighters: "a force",
    NumberCategory.vehicles_or_equipment: "vehicles or equipment",
    NumberCategory.other: "something other than people",
}


def _stated_at(art: ArticleIndex, n: Figure, span: tuple[int, int]) -> list[tuple[Reading, int]]:
    """Where, inside its evidence, the article states the figure's value: (sentence, mention)."""
    out = []
    for p, j in art.sentences_of(*span):
        reading = art.reading(p, j)
        base = art.sentence(p, j)[0]
        for k, m in enumerate(reading.mentions):
            if span[0] <= base + m.start and base + m.end <= span[1] and _same_figure(m, n):
                out.append((reading, k))
    return out


def _same_figure(m: Mention, n: Figure) -> bool:
    if n.value is not None:
        return m.value is not None and abs(m.value - n.value) < 1e-9
    return (m.low is not None and m.high is not None and n.low is not None and n.high is not None
            and abs(m.low - n.low) < 1e-9 and abs(m.high - n.high) < 1e-9)


def _around(reading: Reading, k: int, sense: Sense | None) -> str:
    """The words of a figure's clause that decide its label: "killed 12 people", "more than
    20", "30 were wounded"."""
    m, text = reading.mentions[k], reading.sentence
    start, end = m.start, m.end
    cue = sense.cue if sense is not None else ""
    at = text.rfind(cue, 0, m.start) if cue and sense and sense.rule == "object" else (
        text.find(cue, m.end) if cue else -1)
    if at >= 0 and abs(at - m.start) < 160:
        start, end = min(start, at), max(end, at + len(cue))
    if end == m.end:  # the counted noun after the figure: "killed 12 people"
        nxt = text.find(" ", end + 1)
        end = nxt if nxt > 0 else len(text)
    if 0 < start == m.start:  # the bound or verb before it: "at least 30", "injured 30"
        start = text.rfind(" ", 0, max(0, text.rfind(" ", 0, start - 1))) + 1
    words = text[start:end].strip(" ,;.").split()
    while len(words) > 2 and words[-1] in ("and", "or", "but", "while"):
        words.pop()
    return clip(" ".join(words), 100)


def _named_near(art: ArticleIndex, source: str, span: tuple[int, int]) -> bool:
    """True if every significant word of a source occurs in the evidence's sentence or the two
    before it: who said a figure is named where the article gives it."""
    which = art.sentences_of(*span)
    start = art.sentence(*art.back(*which[0], 2))[0] if which else 0
    end = max(span[1], art.sentence(*which[-1])[1]) if which else len(art.text)
    window = art.view(start, end)
    words = name_words(source)
    if not words:
        return False
    # "Kabore said 23 people were killed" with the source "Roch Marc Christian Kabore": the name
    # stands in full elsewhere in the article, and its last word near the figure.
    return has_words(window, words) or has_words(window, words[-1:]) and all(
        art.names(w) for w in words)







def _loosely_in(art: ArticleIndex, phrase: str) -> bool:
    """True if every significant word of a short phrase occurs in the article."""
    if art.names(phrase):
        return True
    words = name_words(phrase)
    return bool(words) and all(art.names(w) for w in words)


# The most a brief holds: more than any article needs, and a bound on what a model that repeats
# itself (or was told to by the article) can make the checks and the reader wade through.
LIST_LIMITS = {"actors": 40, "numbers": 60, "where": 20, "signals": 12}


def trim(brief: Brief) -> tuple[Brief, list[BriefWarning]]:
    """The brief with repeated items removed and each list cut to LIST_LIMITS, and what was
    removed."""
    notes: list[BriefWarning] = []

    def keep(items: list, key: Callable[[Any], object], name: str) -> list:
        seen: set[object] = set()
        unique = []
        for x in items:
            k = key(x)
            if k not in seen:
                seen.add(k)
                unique.append(x)
        if len(unique) < len(items):
            notes.append(BriefWarning(code=WarningCode.trimmed, path=name, message=(
                f"dropped {len(items) - len(unique)} repeated {name}")))
        if len(unique) > LIST_LIMITS[name]:
            notes.append(BriefWarning(code=WarningCode.trimmed, path=name, message=(
                f"kept the first {LIST_LIMITS[name]} of {len(unique)} {name}")))
        return unique[:LIST_LIMITS[name]]

    actors = keep(brief.actors, lambda a: (fold_str(a.name), a.kind), "actors")
    numbers = keep(brief.numbers, lambda n: (n.value, n.low, n.high, n.category, n.qualifier,
                                             fold_str(n.evidence)), "numbers")
    where = keep(brief.where, fold_str, "where")
    signals = keep(brief.outlook.signals, lambda s: (fold_str(s.statement), fold_str(s.evidence)),
                   "signals")
    if not notes:
        return brief, []
    return brief.model_copy(update={
        "actors": actors, "numbers": numbers, "where": where,
        "outlook": brief.outlook.model_copy(update={"signals": signals})}), notes


def drop_unverified(brief: Brief, problems: list[Problem]) -> tuple[Brief, list[BriefWarning]]:
    """The lenient policy: correct what the evidence corrects, remove every other item with a
    problem, and say what was done.

    A figure's category or qualifier that its evidence contradicts takes the evidence's; a
    source not named near its evidence is cleared. Scalar fields that cannot be removed
    (situation, outlook summary) are left to the caller, which replaces them with text taken
    from the article.
    """
    doomed: dict[str, set[int]] = {}
    warnings: list[BriefWarning] = []
    data = brief.model_dump()
    for p in problems:
        if p.index is not None and p.label:
            figure = data["numbers"][p.index]
            if p.kind == "source":
                figure["attributed_to"] = None
            else:
                figure[p.kind] = p.correction
                warnings.append(BriefWarning(code=WarningCode.corrected, message=f"corrected {p}",
                                             path=p.path))
                continue
        elif p.index is not None:
            doomed.setdefault(p.field, set()).add(p.index)
        elif p.field == "when":
            data["when"] = None
        warnings.append(BriefWarning(code=WarningCode.dropped, message=f"dropped {p}", path=p.path))
    for name in ("actors", "numbers", "where"):
        data[name] = [x for i, x in enumerate(data[name]) if i not in doomed.get(name, ())]
    data["outlook"]["signals"] = [
        s for i, s in enumerate(data["outlook"]["signals"])
        if i not in doomed.get("outlook.signals", ())
    ]
    return Brief.model_validate(data), warnings

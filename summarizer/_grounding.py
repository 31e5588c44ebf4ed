"""The trust layer: check a brief against its article, and drop what cannot be verified.

Pure functions over strings, shared by every engine. A problem names the field, what is wrong and
the text it was checked against, in words a model can act on when it is sent back as a re-ask.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._brief import Brief, Figure, NumberCategory
from ._figures import Reading, Sense, bounds
from ._index import ArticleIndex, written_plainly
from ._numbers import Mention, find_mentions, has_vague_quantity, values_in
from ._result import BriefWarning, Span, WarningCode
from ._text import clip, fold_str, format_value, has_words, name_words


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


_DIGIT = re.compile(r"\d")
# Evidence that stands in for a citation no sentence answers (see _wire), followed by why: no
# article holds it (input is cleaned of control characters), so no check accepts it.
UNRESOLVED = "\x00"
# A capitalised word that does not open a sentence is a name, which the article must contain.
# A capitalised word after a word (not at the start, nor after a full stop, colon, quote or
# bracket) is a name.
_MID_SENTENCE_NAME = re.compile(r"(?<=[^\s.!?:;\"\u201c\u201d(\[])\s+([A-Z][\w'.\-]*\w)")


def _proper_names(text: str) -> list[str]:
    return [n[:-2] if n.endswith("'s") else n for n in _MID_SENTENCE_NAME.findall(text)]


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
        if quote.startswith(UNRESOLVED):  # cited by a number that is no sentence: say which
            self.problem(field, quote[len(UNRESOLVED):], "evidence", i)
            return None
        span = self.art.locate(quote)
        if span is None:
            self.problem(field, f"evidence is not a verbatim span of the article: '{clip(quote)}'",
                         "evidence", i)
            return None
        # Offsets found here, not input: built without validation (~40 a brief).
        self.out.spans.append(Span.model_construct(path=f"{field}[{i}].evidence", start=span[0],
                                                   end=span[1]))
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
        if written_plainly(evidence, v):
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
    trimmed, notes, _ = trim_with_origin(brief)
    return trimmed, notes


def trim_with_origin(brief: Brief) -> tuple[Brief, list[BriefWarning], dict[str, list[int]]]:
    """:func:`trim`, and where each item kept stood in the brief given, by list (a problem's
    field): a re-ask names items as the model's reply has them."""
    notes: list[BriefWarning] = []
    origin: dict[str, list[int]] = {}

    def keep(items: list, key: Callable[[Any], object], name: str, field: str) -> list:
        seen: set[object] = set()
        unique, where = [], []
        for i, x in enumerate(items):
            k = key(x)
            if k not in seen:
                seen.add(k)
                unique.append(x)
                where.append(i)
        if len(unique) < len(items):
            notes.append(BriefWarning(code=WarningCode.trimmed, path=name, message=(
                f"dropped {len(items) - len(unique)} repeated {name}")))
        if len(unique) > LIST_LIMITS[name]:
            notes.append(BriefWarning(code=WarningCode.trimmed, path=name, message=(
                f"kept the first {LIST_LIMITS[name]} of {len(unique)} {name}")))
        origin[field] = where[:LIST_LIMITS[name]]
        return unique[:LIST_LIMITS[name]]

    actors = keep(brief.actors, lambda a: (fold_str(a.name), a.kind), "actors", "actors")
    numbers = keep(brief.numbers, lambda n: (n.value, n.low, n.high, n.category, n.qualifier,
                                             fold_str(n.evidence)), "numbers", "numbers")
    where = keep(brief.where, fold_str, "where", "where")
    signals = keep(brief.outlook.signals, lambda s: (fold_str(s.statement), fold_str(s.evidence)),
                   "signals", "outlook.signals")
    if not notes:
        return brief, [], {}
    return brief.model_copy(update={
        "actors": actors, "numbers": numbers, "where": where,
        "outlook": brief.outlook.model_copy(update={"signals": signals})}), notes, origin


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

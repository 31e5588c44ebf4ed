"""The trust layer: check a brief against its article, and drop what cannot be verified.

Pure functions over strings, shared by every engine. A problem names the field, what is wrong and
the text it was checked against, in words a model can act on when it is sent back as a re-ask.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from ._brief import Brief
from ._numbers import find_mentions, format_value, has_vague_quantity, values_in
from ._result import Span
from ._text import _FOLD, clip, fold_str

_QUOTES = " \t\n\"'\u201c\u201d\u2018\u2019"
_TRIM = _QUOTES + "\u2026.,;:"


@dataclass(frozen=True)
class Problem:
    """One thing in a brief that the article does not support."""

    path: str  # "numbers[2]", "actors[0].name", "situation"
    message: str

    @property
    def item(self) -> tuple[str, int] | None:
        """The list item this problem condemns, e.g. ('numbers', 2); None for a scalar field."""
        m = re.match(r"(actors|numbers|outlook\.signals)\[(\d+)\]", self.path)
        return (m.group(1), int(m.group(2))) if m else None

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


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
_FOLD_ALL = str.maketrans({k: v or None for k, v in _FOLD.items()})


def _fold_one_to_one(text: str) -> str:
    # A regex finds the few characters to fold far faster than str.translate walks a long text.
    return _FOLDABLE.sub(lambda m: _ONE_TO_ONE[m.group()], text)


_ODD_SPACE = re.compile(r"\s{2,}|[^\S ]")
_SPACES = re.compile(r"\s+")


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _words(text: str, strip: str) -> list[str]:
    return text.translate(_FOLD_ALL).lower().strip(strip).split()


class Article:
    """An article prepared once for many look-ups: a folded, space-collapsed view of it, with
    the start of each word in both texts to map a match back to the article's offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        view = _fold_one_to_one(text).lower()
        if len(view) != len(text):  # lower() lengthened a character (a dotted capital I, say)
            view = "".join(c.lower() if len(c.lower()) == 1 else c
                           for c in _fold_one_to_one(text))
        # Collapse white space; remember where runs were cut, to map offsets back (few runs:
        # mostly the blank lines between paragraphs).
        self._keys: list[int] = [0]
        self._shifts: list[int] = [0]
        removed = 0
        for m in _ODD_SPACE.finditer(view):
            removed += m.end() - m.start() - 1
            self._keys.append(m.start() - (removed - (m.end() - m.start() - 1)) + 1)
            self._shifts.append(removed)
        self._view = _SPACES.sub(" ", view)
        self._digits: set[float] | None = None

    def _origin(self, offset: int) -> int:
        return offset + self._shifts[bisect_right(self._keys, offset) - 1]

    def _find(self, words: list[str], *, whole: bool) -> tuple[int, int] | None:
        needle = " ".join(words)
        if not needle:
            return None
        at = self._view.find(needle)
        while at >= 0 and whole and not self._bounded(at, at + len(needle)):
            at = self._view.find(needle, at + 1)
        if at < 0:
            return None
        return self._origin(at), self._origin(at + len(needle) - 1) + 1

    def _bounded(self, start: int, end: int) -> bool:
        before = self._view[start - 1] if start else " "
        after = self._view[end] if end < len(self._view) else " "
        return not (_word_char(before) or _word_char(after))

    def locate(self, quote: str) -> tuple[int, int] | None:
        """Where a quote occurs, tolerating case, white space, quote marks and dashes."""
        # Exact first; then without the punctuation a quote may gain or lose at its ends.
        return (self._find(_words(quote, _QUOTES), whole=False)
                or self._find(_words(quote, _TRIM), whole=False))

    def names(self, name: str) -> bool:
        """True if the name occurs in the article as whole words."""
        return self._find(_words(name, _TRIM), whole=True) is not None

    def digit_values(self) -> set[float]:
        """Every figure written with digits in the article."""
        if self._digits is None:
            self._digits = _digit_values(self.text)
        return self._digits


_DIGIT = re.compile(r"\d")
# A capitalised word that does not open a sentence is a name, which the article must contain.
_CAPITALISED = re.compile(r"\b[A-Z][\w'.\-]*\w")
_OPENS = re.compile(r"(?:^|[.!?:;\"\u201c\u201d(\[\n])\s*$")


def _proper_names(text: str) -> list[str]:
    names = []
    for m in _CAPITALISED.finditer(text):
        if not _OPENS.search(text[max(0, m.start() - 3):m.start()]) and m.start() > 0:
            names.append(re.sub(r"'s$", "", m.group()))
    return names


def _digit_values(text: str) -> set[float]:
    return {v for m in find_mentions(text) if _DIGIT.search(m.text) for v in m.values}


def ground(brief: Brief, article: str | Article) -> Grounding:
    """Check every evidence span, figure, name and free-text number of a brief against the article."""
    art = article if isinstance(article, Article) else Article(article)
    out = Grounding()
    stated_in: dict[str, set[float]] = {}  # several figures often share one evidence sentence

    def evidence(path: str, quote: str) -> bool:
        span = art.locate(quote)
        if span is None:
            out.problems.append(
                Problem(path, f"evidence is not a verbatim span of the article: '{clip(quote)}'")
            )
            return False
        out.spans.append(Span(path=f"{path}.evidence", start=span[0], end=span[1]))
        return True

    def free_text(path: str, text: str | None) -> None:
        # A model may paraphrase, but a figure it writes with digits, or a name it writes
        # mid-sentence with a capital, must come from the article.
        if not text:
            return
        if _DIGIT.search(text):
            missing = sorted(_digit_values(text) - art.digit_values())
            if missing:
                figures = ", ".join(format_value(v) for v in missing)
                out.problems.append(
                    Problem(path, f"figure {figures} does not occur in the article"))
        unknown = [name for name in _proper_names(text) if not art.names(name)]
        if unknown:
            names = ", ".join(f"'{n}'" for n in dict.fromkeys(unknown))
            out.problems.append(Problem(path, f"{names} does not occur in the article"))

    free_text("situation", brief.situation)
    for i, place in enumerate(brief.where):
        if not art.names(place):
            out.problems.append(Problem(f"where[{i}]", f"place '{clip(place)}' is not in the article"))
    if brief.when and art.locate(brief.when) is None and not _loosely_in(art, brief.when):
        out.problems.append(Problem("when", f"'{clip(brief.when)}' is not stated in the article"))

    for i, actor in enumerate(brief.actors):
        path = f"actors[{i}]"
        if not art.names(actor.name):
            out.problems.append(
                Problem(path, f"name '{clip(actor.name)}' does not occur in the article")
            )
            continue
        if evidence(path, actor.evidence):
            free_text(f"{path}.role", actor.role)
            free_text(f"{path}.side", actor.side)

    for i, n in enumerate(brief.numbers):
        path = f"numbers[{i}]"
        if not evidence(path, n.evidence):
            continue
        stated = stated_in.get(n.evidence)
        if stated is None:
            stated = stated_in[n.evidence] = values_in(n.evidence)
        wanted = [n.value] if n.value is not None else [n.low, n.high]
        if n.value is None and n.low is None:
            if not has_vague_quantity(n.evidence):
                out.problems.append(Problem(path, "no value given and its evidence states none"))
            continue
        for v in wanted:
            if v is not None and not any(abs(v - s) < 1e-9 for s in stated):
                out.problems.append(
                    Problem(
                        path,
                        f"value {format_value(v)} not found in its evidence '{clip(n.evidence)}'",
                    )
                )
                break
        free_text(f"{path}.counts", n.counts)
        if n.attributed_to and not _loosely_in(art, n.attributed_to):
            out.problems.append(
                Problem(
                    f"{path}.attributed_to",
                    f"source '{clip(n.attributed_to)}' is not named in the article",
                )
            )

    free_text("outlook.summary", brief.outlook.summary)
    for i, s in enumerate(brief.outlook.signals):
        path = f"outlook.signals[{i}]"
        if evidence(path, s.evidence):
            free_text(f"{path}.statement", s.statement)
    return out


_STOP = {"the", "a", "an", "of", "and", "in", "on", "for", "to", "at", "by", "with", "'s", "s"}


def _loosely_in(art: Article, phrase: str) -> bool:
    """True if every significant word of a short phrase occurs in the article."""
    if art.names(phrase):
        return True
    words = [w for w in re.findall(r"[\w'-]+", fold_str(phrase)) if w not in _STOP and len(w) > 1]
    return bool(words) and all(art.names(w) for w in words)


def drop_unverified(brief: Brief, problems: list[Problem]) -> tuple[Brief, list[str]]:
    """The lenient policy: remove every item with a problem and say what was removed.

    Scalar fields that cannot be removed (situation, outlook summary) are left to the caller, which
    replaces them with text taken from the article.
    """
    doomed: dict[str, set[int]] = {}
    warnings: list[str] = []
    data = brief.model_dump()
    for p in problems:
        item = p.item
        if item and not p.path.endswith(".attributed_to"):
            doomed.setdefault(item[0], set()).add(item[1])
        elif item:
            data["numbers"][item[1]]["attributed_to"] = None
        elif p.path.startswith("where["):
            doomed.setdefault("where", set()).add(int(p.path[6:-1]))
        elif p.path == "when":
            data["when"] = None
        warnings.append(f"dropped {p}")
    data["actors"] = [a for i, a in enumerate(data["actors"]) if i not in doomed.get("actors", ())]
    data["numbers"] = [
        n for i, n in enumerate(data["numbers"]) if i not in doomed.get("numbers", ())
    ]
    data["where"] = [w for i, w in enumerate(data["where"]) if i not in doomed.get("where", ())]
    data["outlook"]["signals"] = [
        s for i, s in enumerate(data["outlook"]["signals"])
        if i not in doomed.get("outlook.signals", ())
    ]
    return Brief.model_validate(data), warnings

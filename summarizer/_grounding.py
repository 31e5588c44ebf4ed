"""The trust layer: check a brief against its article, and drop what cannot be verified.

Pure functions over strings, shared by every engine. A problem names the field, what is wrong and
the text it was checked against, in words a model can act on when it is sent back as a re-ask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ._brief import Brief
from ._numbers import find_mentions, format_value, has_vague_quantity, values_in
from ._result import Span
from ._text import Folded, clip, fold, fold_str

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


class Article:
    """An article prepared once for many look-ups."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded: Folded = fold(text)
        self._digits: set[float] | None = None

    def locate(self, quote: str) -> tuple[int, int] | None:
        """Where a quote occurs, tolerating case, white space, quote marks and dashes."""
        folded = fold_str(quote)
        # Exact first; then without the punctuation a quote may gain or lose at its ends.
        for needle in (folded.strip(_QUOTES), folded.strip(_TRIM)):
            at = self.folded.text.find(needle) if needle else -1
            if at >= 0:
                return self.folded.span(at, at + len(needle))
        return None

    def names(self, name: str) -> bool:
        """True if the name occurs in the article as whole words."""
        needle = fold_str(name).strip(_TRIM)
        if not needle:
            return False
        pattern = r"(?<!\w)" + re.escape(needle) + r"(?!\w)"
        return re.search(pattern, self.folded.text) is not None

    def digit_values(self) -> set[float]:
        """Every figure written with digits in the article."""
        if self._digits is None:
            self._digits = _digit_values(self.text)
        return self._digits


def _digit_values(text: str) -> set[float]:
    return {v for m in find_mentions(text) if re.search(r"\d", m.text) for v in m.values}


def ground(brief: Brief, article: str | Article) -> Grounding:
    """Check every evidence span, figure, name and free-text number of a brief against the article."""
    art = article if isinstance(article, Article) else Article(article)
    out = Grounding()

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
        # A model may paraphrase, but any figure it writes with digits must be in the article.
        if not text:
            return
        missing = sorted(_digit_values(text) - art.digit_values())
        if missing:
            figures = ", ".join(format_value(v) for v in missing)
            out.problems.append(Problem(path, f"figure {figures} does not occur in the article"))

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
        evidence(path, actor.evidence)

    for i, n in enumerate(brief.numbers):
        path = f"numbers[{i}]"
        if not evidence(path, n.evidence):
            continue
        stated = values_in(n.evidence)
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

"""Score briefs against hand-made gold files (``X.txt`` beside ``X.gold.json``)."""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ._brief import Brief, Figure
from ._grounding import ground
from ._result import AttemptReason, Result, WarningCode
from ._text import clip


@dataclass
class Score:
    """How one brief compares with its gold file."""

    name: str
    group: str
    # A share of nothing (precision of a brief with no figures, source accuracy where the gold
    # names no source) is None, shown as "-" and left out of the means: never a free 1.00.
    number_recall: float | None
    number_precision: float | None
    actor_recall: float | None
    actor_precision: float | None
    kind_accuracy: float | None
    grounding: float | None
    seconds: float
    figure_recall: float | None = 0.0
    category_accuracy: float | None = 0.0
    qualifier_accuracy: float | None = 0.0
    source_accuracy: float | None = 0.0
    counts_accuracy: float | None = 0.0
    fabricated: int = 0
    reasks: int = 0
    tokens: int = 0
    error: str | None = None  # the engine raised: nothing to score
    fallback: str | None = None  # the brief is the extractive engine's, not the one under test
    missed_numbers: list[str] = field(default_factory=list)
    extra_numbers: list[str] = field(default_factory=list)
    missed_actors: list[str] = field(default_factory=list)
    extra_actors: list[str] = field(default_factory=list)
    wrong_kinds: list[str] = field(default_factory=list)
    mislabelled: list[str] = field(default_factory=list)


def failed(s: Score) -> bool:
    """True if the engine under test gave no brief of its own (an error, or a fallback)."""
    return bool(s.error or s.fallback)


def _outcome(s: Score) -> str:
    return "error" if s.error else "fallback" if s.fallback else "ok"


METRICS = (
    "number_recall", "number_precision", "figure_recall", "category_accuracy",
    "qualifier_accuracy", "source_accuracy", "counts_accuracy", "actor_recall",
    "actor_precision", "kind_accuracy", "grounding",
)


def find_cases(root: Path) -> Iterator[tuple[Path, Path]]:
    """Every article with a gold file beside it, below root, in a stable order."""
    for gold in sorted(root.rglob("*.gold.json")):
        text = gold.with_name(gold.name[: -len(".gold.json")] + ".txt")
        if text.is_file():
            yield text, gold


def _words(text: str) -> list[str]:
    return re.findall(r"[\w.'&#-]+", text.lower())


def names_match(listed: str, alias: str) -> bool:
    """Case-insensitive whole-word match; the shorter name must be at least half the longer."""
    a, b = _words(listed), _words(alias)
    if not a or not b:
        return False
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) * 2 < len(long_):
        return False
    n = len(short)
    return any(long_[i : i + n] == short for i in range(len(long_) - n + 1))


def _same(x: float | None, y: float | None) -> bool:
    return x is not None and y is not None and abs(float(x) - float(y)) < 1e-9


def _fits(g: dict, n: Figure) -> bool:
    """A brief's figure states the gold figure's value (a range by both ends)."""
    if "value" in g:
        return _same(n.value, g["value"])
    return _same(n.low, g.get("low")) and _same(n.high, g.get("high"))


@dataclass(frozen=True)
class _Pair:
    """A gold figure and the brief's figure that explains it, with what each label got right."""

    gold: dict
    figure: Figure
    category: bool
    qualifier: bool
    source: bool | None  # None where the gold names no source
    counts: bool

    @property
    def rank(self) -> tuple[int, int, int, int]:
        return (self.category, self.qualifier, bool(self.source), self.counts)


def _pair(g: dict, n: Figure) -> _Pair:
    source = None
    if g.get("attributed_to"):
        source = bool(n.attributed_to) and sources_match(n.attributed_to or "", g["attributed_to"])
    return _Pair(g, n, n.category.value in _as_list(g.get("category")),
                 n.qualifier.value in _as_list(g.get("qualifier", "exact")), source,
                 bool(_content_words(n.counts) & _content_words(g.get("counts", ""))))


def _as_list(x: object) -> list:
    return x if isinstance(x, list) else [x]


def match_figures(gold: list[dict], figures: list[Figure]) -> list[_Pair]:
    """Pair gold figures with the brief's, one to one, by value; among the pairings that explain
    the most gold figures, the one whose labels agree best (category first)."""
    pairs: list[_Pair] = []
    groups: dict[tuple, list[dict]] = {}
    for g in gold:
        groups.setdefault((g.get("value"), g.get("low"), g.get("high")), []).append(g)
    for golds in groups.values():
        cands = [n for n in figures if _fits(golds[0], n)]
        pairs += _best_assignment(golds, cands)
    return pairs


def _best_assignment(golds: list[dict], cands: list[Figure]) -> list[_Pair]:
    """The pairing of one value's gold figures and brief figures whose labels agree best (a
    value stands for one to three figures: every pairing is tried, on scores made once)."""
    size = min(len(golds), len(cands))
    if not size:
        return []
    pairs = [[_pair(g, n) for n in cands] for g in golds]
    best: list[_Pair] = []
    best_key: tuple[int, ...] = (-1,)
    for gs in itertools.combinations(range(len(golds)), size):
        for ns in itertools.permutations(range(len(cands)), size):
            chosen = [pairs[g][n] for g, n in zip(gs, ns, strict=True)]
            key = tuple(sum(p.rank[i] for p in chosen) for i in range(4))
            if key > best_key:
                best, best_key = chosen, key
    return best


_STOP = frozenset("the a an of and in on at by for to with from that who which were was had have "
                  "has been be is are its their his her this those these than more at least "
                  "said according".split())
# Words that name no one in particular: they do not make two sources the same.
_GENERIC_SOURCE = frozenset("source sources official officials spokesman spokeswoman spokesperson "
                            "statement report people".split())


def _content_words(text: str) -> set[str]:
    """Lower-cased words that carry meaning, plural 's' dropped, and the parts of hyphenated
    names ("al-Thwadi" also gives "thwadi")."""
    words = re.findall(r"[\w'.-]+", re.sub(r"\([^)]*\)", " ", text.lower()))
    words += [part for w in words if "-" in w for part in w.split("-")]
    return {w.strip(".'").removesuffix("'s").rstrip("s") for w in words
            if w.strip(".'") not in _STOP and len(w.strip(".'")) > 1}


def sources_match(said: str, gold: str) -> bool:
    """True if a brief's source names the gold's: a shared word that names someone in particular
    ("U.S. military" for "U.S. military estimate", "Kabore" for "Roch Marc Christian Kabore",
    "Group for the Support of Islam and Muslims (JNIM)" for "JNIM")."""
    said, gold = said.replace("(", " ").replace(")", " "), gold.replace("(", " ").replace(")", " ")
    return bool((_content_words(said) & _content_words(gold)) - {
        w.rstrip("s") for w in _GENERIC_SOURCE})


def score_brief(brief: Brief, article: str, gold: dict, *, name: str = "", group: str = "",
                seconds: float = 0.0) -> Score:
    """Recall, precision, label accuracy, kind accuracy and grounding of one brief."""
    gold_numbers = gold.get("numbers", [])
    found_numbers = [g for g in gold_numbers if any(_fits(g, n) for n in brief.numbers)]
    precise_numbers = [n for n in brief.numbers if any(_fits(g, n) for g in gold_numbers)]
    pairs = match_figures(gold_numbers, brief.numbers)
    sourced = [p for p in pairs if p.source is not None]
    gold_actors = gold.get("actors", [])

    def match(g: dict, name_: str) -> bool:
        return any(names_match(name_, alias) for alias in g["names"])

    found_actors = []
    kinds_right = 0
    wrong_kinds = []
    for g in gold_actors:
        hits = [a for a in brief.actors if match(g, a.name)]
        if hits:
            found_actors.append(g)
            if any(a.kind.value == g["kind"] for a in hits):
                kinds_right += 1
            else:
                wrong_kinds.append(f"{g['names'][0]}: {hits[0].kind.value} (gold {g['kind']})")
    precise_actors = [a for a in brief.actors if any(match(g, a.name) for g in gold_actors)]
    report = ground(brief, article)
    checked = len(brief.actors) + len(brief.numbers) + len(brief.outlook.signals) + 1
    fabricated = sum(1 for p in report.problems if p.fabricates)
    return Score(
        name=name,
        group=group,
        number_recall=_ratio(len(found_numbers), len(gold_numbers)),
        number_precision=_ratio(len(precise_numbers), len(brief.numbers)),
        figure_recall=_ratio(sum(p.category for p in pairs), len(gold_numbers)),
        category_accuracy=_ratio(sum(p.category for p in pairs), len(pairs)),
        qualifier_accuracy=_ratio(sum(p.qualifier for p in pairs), len(pairs)),
        source_accuracy=_ratio(sum(bool(p.source) for p in sourced), len(sourced)),
        counts_accuracy=_ratio(sum(p.counts for p in pairs), len(pairs)),
        actor_recall=_ratio(len(found_actors), len(gold_actors)),
        actor_precision=_ratio(len(precise_actors), len(brief.actors)),
        kind_accuracy=_ratio(kinds_right, len(found_actors)),
        grounding=max(0.0, 1 - len(report.problems) / checked),
        seconds=seconds,
        fabricated=fabricated,
        missed_numbers=[_show(g) for g in gold_numbers if g not in found_numbers],
        extra_numbers=[n.display() for n in brief.numbers if n not in precise_numbers],
        missed_actors=[g["names"][0] for g in gold_actors if g not in found_actors],
        extra_actors=[a.name for a in brief.actors if a not in precise_actors],
        wrong_kinds=wrong_kinds,
        mislabelled=[_mislabel(p) for p in pairs if not (p.category and p.qualifier)
                     or p.source is False or not p.counts],
    )


def _mislabel(p: _Pair) -> str:
    n, g = p.figure, p.gold
    wrong = []
    if not p.category:
        wrong.append(f"category {n.category.value} "
                     f"(gold {'/'.join(_as_list(g.get('category')))})")
    if not p.qualifier:
        wrong.append(f"qualifier {n.qualifier.value} "
                     f"(gold {'/'.join(_as_list(g.get('qualifier', 'exact')))})")
    if p.source is False:
        wrong.append(f"source {n.attributed_to!r} (gold {g['attributed_to']!r})")
    if not p.counts:
        wrong.append(f"counts {n.counts!r} (gold {g.get('counts', '')!r})")
    return f"{n.display()}: {'; '.join(wrong)} in \"{clip(n.evidence, 160)}\""


def _show(g: dict) -> str:
    return str(g["value"]) if "value" in g else f"{g.get('low')}-{g.get('high')}"


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def evaluate(root: Path, run: Callable[[str], Result]) -> list[Score]:
    """Run the engine over every case below root and score each brief. A brief that fell back
    to the extractive engine is not the engine's: it is marked as failed, like an error."""
    scores = []
    for text_path, gold_path in find_cases(root):
        article = text_path.read_text(encoding="utf-8")
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        group = str(text_path.parent.relative_to(root)) if text_path.parent != root else "."
        name = text_path.name[: -len(".txt")]
        started = time.perf_counter()
        try:
            result = run(article)
        except Exception as exc:  # noqa: BLE001 - a failed case is scored, not fatal
            scores.append(Score(name, group, 0, 0, 0, 0, 0, 0, time.perf_counter() - started,
                                error=f"{type(exc).__name__}: {' '.join(str(exc).split())}"))
            continue
        seconds = time.perf_counter() - started
        s = score_brief(result.brief, article, gold, name=name, group=group, seconds=seconds)
        s.reasks = sum(1 for a in result.meta.attempt_log if a.reason is AttemptReason.reask)
        s.tokens = result.meta.usage.total_tokens
        s.fallback = next((w.message for w in result.meta.warnings
                           if w.code is WarningCode.fallback), None)
        scores.append(s)
    return scores


def means(scores: list[Score]) -> dict[str, float | None]:
    """The mean of each metric over the articles the engine briefed (failed ones excluded) where
    the metric applies; None where it applies to none."""
    scored = [s for s in scores if not failed(s)]
    out = {m: _mean([getattr(s, m) for s in scored]) for m in METRICS}
    out["seconds"] = _mean([s.seconds for s in scored])
    return out


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def _cell(value: float | None, fmt: str) -> str:
    return "-" if value is None else fmt.format(float(value))


_COLUMNS = (
    ("num_rec", "number_recall", "{:.2f}"), ("num_prec", "number_precision", "{:.2f}"),
    ("fig_rec", "figure_recall", "{:.2f}"), ("category", "category_accuracy", "{:.2f}"),
    ("bound", "qualifier_accuracy", "{:.2f}"), ("source", "source_accuracy", "{:.2f}"),
    ("counts", "counts_accuracy", "{:.2f}"), ("act_rec", "actor_recall", "{:.2f}"),
    ("act_prec", "actor_precision", "{:.2f}"),
    ("kinds", "kind_accuracy", "{:.2f}"), ("ground", "grounding", "{:.2f}"),
    ("fabric", "fabricated", "{:.0f}"), ("reasks", "reasks", "{:.0f}"),
    ("tokens", "tokens", "{:.0f}"), ("seconds", "seconds", "{:.3f}"),
)


_COST = ("reasks", "tokens", "seconds")  # what a failed article cost is still shown


def _cells(s: Score) -> list[str]:
    if failed(s):  # nothing of the engine's to score: its cost still shows
        return ["-" if attr not in _COST else _cell(getattr(s, attr), fmt)
                for _, attr, fmt in _COLUMNS] + [_outcome(s)]
    return [_cell(getattr(s, attr), fmt) for _, attr, fmt in _COLUMNS] + ["ok"]


def _mean_row(items: list[Score]) -> list[str]:
    scored = [s for s in items if not failed(s)]
    if not scored:
        return ["-"] * len(_COLUMNS) + [""]
    return [_cell(_mean([getattr(s, attr) for s in scored]), fmt)
            for _, attr, fmt in _COLUMNS] + [""]


def _bar(value: float | None, width: int = 10) -> str:
    if value is None:
        return "-"
    full = round(max(0.0, min(1.0, value)) * width)
    return "\u2588" * full + "\u2591" * (width - full)


def report(scores: list[Score], fmt: str = "text", *, details: bool = False) -> str:
    """Per-article rows, the mean of each folder and of all articles, and the sums of counts."""
    groups: dict[str, list[Score]] = {}
    for s in scores:
        groups.setdefault(s.group, []).append(s)
    rows = [(f"{s.group}/{s.name}", _cells(s)) for s in scores]
    totals = []
    for group, items in [*groups.items(), ("all", scores)]:
        scored = sum(1 for s in items if not failed(s))
        count = f"{len(items)}" if scored == len(items) else f"{scored} of {len(items)}"
        totals.append((f"mean {group} ({count})", _mean_row(items)))
    head = [name for name, _, _ in _COLUMNS] + ["outcome"]
    errors = sum(1 for s in scores if s.error)
    fallbacks = sum(1 for s in scores if s.fallback and not s.error)
    failed_line = f"{errors + fallbacks} failed" + (
        f" ({errors} error{'s' if errors != 1 else ''}, {fallbacks} fell back to the "
        "extractive engine)" if fallbacks else "")
    summary = (f"{len(scores)} articles: {sum(s.fabricated for s in scores)} fabricated figures, "
               f"{sum(s.reasks for s in scores)} re-asks, {sum(s.tokens for s in scores)} tokens, "
               f"{sum(s.seconds for s in scores):.2f} s; {failed_line}"
               + ("; failed articles are left out of the means" if errors + fallbacks else ""))
    why = [f"{s.group}/{s.name}: {s.error or s.fallback}" for s in scores if failed(s)]
    if fmt == "markdown":
        out = ["# Quality report", "", summary, "",
               "| article | " + " | ".join(head) + " |", "|---" * (len(head) + 1) + "|"]
        out += [f"| {name} | " + " | ".join(c) + " |" for name, c in rows]
        out += [f"| **{name}** | " + " | ".join(c) + " |" for name, c in totals]
        if why:
            out += ["", "## Failed", "", *(f"- {line}" for line in why)]
        out += ["", "## Recall per article", "", "| article | numbers | actors |", "|---|---|---|"]
        out += [f"| {s.group}/{s.name} | `{_bar(s.number_recall)}` "
                f"{_cell(s.number_recall, '{:.2f}')} | `{_bar(s.actor_recall)}` "
                f"{_cell(s.actor_recall, '{:.2f}')} |" for s in scores if not failed(s)]
        text = "\n".join(out) + "\n"
    else:
        width = max(len(n) for n, _ in rows + totals)

        def line(name: str, cells: list[str]) -> str:
            return f"{name:<{width}}  " + "  ".join(f"{x:>8}" for x in cells)

        text = "\n".join([line("article", head), *(line(n, c) for n, c in rows), "",
                          *(line(n, c) for n, c in totals), "", summary,
                          *(["failed:", *(f"  {w}" for w in why)] if why else [])]) + "\n"
    if details:
        for s in scores:
            if failed(s):
                continue
            text += (f"\n{s.group}/{s.name}: missed numbers {s.missed_numbers}, extra numbers "
                     f"{s.extra_numbers}; missed actors {s.missed_actors}, extra actors "
                     f"{s.extra_actors}; wrong kinds {s.wrong_kinds}")
            text += "".join(f"\n  mislabelled {m}" for m in s.mislabelled)
        text += "\n"
    return text

"""Regression guard: the extractive engine over ../shared/eval must not fall below the figures
reached. Raise these when the engine improves; never lower them to make a change pass."""

from __future__ import annotations

import pytest

from summarizer import summarize
from summarizer._eval import evaluate, means

from .conftest import EVAL

# Reached on 2026-11-30 (summarizer eval ../shared/eval, extractive engine). Number precision
# was 0.968 before figures were read clause by clause: "killed two dozen people" now gives 24
# (it was a bogus 2 that a filter dropped), a real toll that the dev gold does not list. Source
# accuracy is a mean over the articles whose gold names a source (11 of the 12 in dev; it
# read 0.855 while an article with none counted as 1.00).
REACHED = {
    "dev": {"number_recall": 1.00, "number_precision": 0.966, "figure_recall": 0.981,
            "category_accuracy": 1.00, "qualifier_accuracy": 1.00, "source_accuracy": 0.842,
            "counts_accuracy": 0.963, "actor_recall": 0.921, "actor_precision": 0.757,
            "kind_accuracy": 0.926, "grounding": 1.0},
    "seed": {"number_recall": 1.00, "number_precision": 1.00, "figure_recall": 1.00,
             "category_accuracy": 1.00, "qualifier_accuracy": 1.00, "source_accuracy": 1.00,
             "counts_accuracy": 1.00, "actor_recall": 1.00, "actor_precision": 0.667,
             "kind_accuracy": 1.00, "grounding": 1.0},
}
# The issues' floors, on dev and seed together, which must hold whatever the engine becomes.
FLOORS = {
    "all": {"number_recall": 0.85, "number_precision": 0.75, "figure_recall": 0.95,
            "category_accuracy": 0.95, "qualifier_accuracy": 0.90, "source_accuracy": 0.85,
            "counts_accuracy": 0.90, "actor_recall": 0.75, "actor_precision": 0.55,
            "kind_accuracy": 0.65, "grounding": 1.0},
}


@pytest.mark.skipif(not EVAL.is_dir(), reason="../shared/eval is not beside the repo")
@pytest.mark.parametrize("group", ["dev", "seed", "all"])
def test_extractive_quality_holds(group: str) -> None:
    folder = EVAL if group == "all" else EVAL / group
    scores = evaluate(folder, lambda text: summarize(text, engine="extractive"))
    assert scores and not [s.error for s in scores if s.error]
    got = means(scores)
    for metric, reached in REACHED.get(group, {}).items():
        value = got[metric]
        assert value is not None and value >= reached - 0.0005, f"{group} {metric} fell: {value}"
    for metric, floor in FLOORS.get(group, {}).items():
        value = got[metric]
        assert value is not None and value >= floor, f"{group} {metric} below {floor}: {value}"
    assert all(s.grounding == 1.0 and s.fabricated == 0 for s in scores)

"""The trust layer: every rule of ground() on small, exact cases."""

from __future__ import annotations

import pytest

from summarizer import Brief, ground
from summarizer._grounding import drop_unverified
from summarizer._numbers import find_mentions

ARTICLE = (
    "Around 1,500 civilians had fled the enclave on Monday, he said. "
    "The SDF believes 400 to 600 jihadists may be holed up there. "
    "Nearly 1.5 million people have been displaced, the U.N. said. "
    "More than 20,000 civilians left, and five suicide attackers and 13 militants were killed. "
    "Hundreds of civilians fled. "
    "\u201cIt seems there are still many civilians inside Baghouz,\u201d Bali said \u2014 "
    "the Syrian Democratic Forces said so too."
)


def brief(numbers: list[dict] | None = None, actors: list[dict] | None = None,
          situation: str = "Civilians fled the enclave.", signals: list[dict] | None = None
          ) -> Brief:
    return Brief.model_validate({
        "situation": situation,
        "where": [],
        "actors": actors or [],
        "numbers": numbers or [],
        "outlook": {"summary": "More fighting is expected.", "signals": signals or []},
    })


def fig(evidence: str, **kw: object) -> dict:
    return {"counts": "people", "category": "other", "evidence": evidence, **kw}


@pytest.mark.parametrize(
    ("evidence", "shape"),
    [
        ("Around 1,500 civilians had fled the enclave on Monday", {"value": 1500}),
        ("Nearly 1.5 million people have been displaced", {"value": 1_500_000}),
        ("More than 20,000 civilians left", {"value": 20000}),
        ("The SDF believes 400 to 600 jihadists may be holed up there.", {"low": 400,
                                                                          "high": 600}),
        ("five suicide attackers and 13 militants were killed", {"value": 5}),
        ("five suicide attackers and 13 militants were killed", {"value": 13}),
        ("Hundreds of civilians fled.", {"approximate": True}),
    ],
)
def test_each_number_form_is_grounded(evidence: str, shape: dict) -> None:
    report = ground(brief([fig(evidence, **shape)]), ARTICLE)
    assert report.problems == []
    assert [s.path for s in report.spans] == ["numbers[0].evidence"]


def test_fabricated_number_is_named_precisely() -> None:
    b = brief([fig("Around 1,500 civilians had fled the enclave on Monday, he said.",
                   value=1600)])
    [problem] = ground(b, ARTICLE).problems
    assert str(problem).startswith("numbers[0]: value 1,600 not found in its evidence")
    assert "1,500 civilians" in str(problem)


def test_range_needs_both_ends_in_evidence() -> None:
    b = brief([fig("The SDF believes 400 to 600 jihadists", low=400, high=700)])
    assert "value 700 not found" in str(ground(b, ARTICLE).problems[0])


def test_vague_figure_without_vague_words_is_rejected() -> None:
    b = brief([fig("Around 1,500 civilians had fled", approximate=True)])
    assert "states none" in str(ground(b, ARTICLE).problems[0])


def test_paraphrased_quote_is_not_verbatim() -> None:
    b = brief([fig("About 1,500 civilians fled the enclave on Monday", value=1500)])
    [problem] = ground(b, ARTICLE).problems
    assert "not a verbatim span" in problem.message


def test_curly_quotes_dashes_case_and_whitespace_are_tolerated() -> None:
    quote = '"it seems there are still   many civilians inside Baghouz," Bali said - the'
    b = brief(actors=[{"name": "Bali", "kind": "non_state_armed_group", "role": "spoke",
                       "evidence": quote}])
    report = ground(b, ARTICLE)
    assert report.problems == []
    start, end = report.spans[0].start, report.spans[0].end
    assert ARTICLE[start:end].startswith("It seems")  # surrounding quote marks are trimmed
    assert ARTICLE[start:end].endswith("the")


def test_actor_name_must_occur_as_whole_words() -> None:
    ok = {"name": "Syrian Democratic Forces", "kind": "non_state_armed_group", "role": "x",
          "evidence": "the Syrian Democratic Forces said so too"}
    bad = {**ok, "name": "Syria"}
    assert ground(brief(actors=[ok]), ARTICLE).problems == []
    [problem] = ground(brief(actors=[bad]), ARTICLE).problems
    assert problem.path == "actors[0]" and "does not occur" in problem.message


def test_unfounded_figure_in_the_situation_is_caught() -> None:
    report = ground(brief(situation="About 9,999 people died."), ARTICLE)
    assert [str(p) for p in report.problems] == [
        "situation: figure 9,999 does not occur in the article"
    ]


def test_lenient_drop_removes_only_bad_items() -> None:
    good = fig("More than 20,000 civilians left", value=20000)
    bad = fig("More than 20,000 civilians left", value=30000)
    b = brief([good, bad])
    report = ground(b, ARTICLE)
    kept, warnings = drop_unverified(b, report.problems)
    assert [n.value for n in kept.numbers] == [20000]
    assert len(warnings) == 1 and "numbers[1]" in warnings[0]
    assert ground(kept, ARTICLE).ok


def test_mentions_mark_hedges_as_approximate() -> None:
    [m] = find_mentions("at least 17 trucks")
    assert m.value == 17 and m.approximate
    [m] = find_mentions("17 trucks")
    assert not m.approximate


def test_invented_name_in_prose_is_caught() -> None:
    report = ground(brief(situation="Civilians fled the enclave, as Saudi Arabia watched."), ARTICLE)
    assert [str(p) for p in report.problems] == [
        "situation: 'Saudi', 'Arabia' does not occur in the article"
    ]
    # Names the article does contain, and words opening a sentence, pass.
    assert ground(brief(situation="Hundreds fled. The Syrian Democratic Forces and Bali said so."),
                  ARTICLE).ok


def test_actor_role_with_an_invented_name_is_dropped_leniently() -> None:
    actor = {"name": "Bali", "kind": "non_state_armed_group", "role": "spoke for Hezbollah",
             "evidence": "Bali said"}
    b = brief(actors=[actor])
    [problem] = ground(b, ARTICLE).problems
    assert problem.path == "actors[0].role" and "Hezbollah" in problem.message
    kept, _ = drop_unverified(b, [problem])
    assert kept.actors == []


@pytest.mark.parametrize("stated", ["400 to 600 thousand", "between 400 and 600 million",
                                    "400-600 thousand", "400 or 600 million"])
def test_a_range_scale_word_covers_its_low_end(stated: str) -> None:
    # "400 to 600 thousand" starts at 400,000: a bare 400 is not what the article says, in prose
    # or as a figure (the digits standing alone must not pass for the value).
    article = f"Some {stated} people had been displaced, the U.N. said."
    prose = Brief.model_validate({"situation": "400 people were displaced.",
                                  "outlook": {"summary": "More may flee."}})
    assert [p.path for p in ground(prose, article).problems] == ["situation"]
    figure = brief([fig(f"Some {stated} people had been displaced", value=400)])
    assert [p.path for p in ground(figure, article).problems] == ["numbers[0]"]


def test_zero_and_scaled_figures_in_prose() -> None:
    article = "Report 0. Nearly 1.5 million people fled; 0 soldiers died, and 400 to 600 stayed."
    b = Brief.model_validate({"situation": "Report 0: 1,500,000 fled and 600 stayed.",
                              "outlook": {"summary": "Maybe 0 more."}})
    assert ground(b, article).ok
    b2 = b.model_copy(update={"situation": "Some 1,600,000 fled."})
    assert [p.path for p in ground(b2, article).problems] == ["situation"]

"""The trust layer: every rule of ground() on small, exact cases."""

from __future__ import annotations

import pytest

from summarizer import Brief, ground
from summarizer._brief import NumberCategory, Qualifier
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
        ("Around 1,500 civilians had fled the enclave on Monday",
         {"value": 1500, "qualifier": "approximately"}),
        ("Nearly 1.5 million people have been displaced",
         {"value": 1_500_000, "qualifier": "approximately"}),
        ("More than 20,000 civilians left", {"value": 20000, "qualifier": "at_least"}),
        ("The SDF believes 400 to 600 jihadists may be holed up there.", {"low": 400,
                                                                          "high": 600}),
        ("five suicide attackers and 13 militants were killed", {"value": 5}),
        ("five suicide attackers and 13 militants were killed", {"value": 13}),
        ("Hundreds of civilians fled.", {"qualifier": "approximately"}),
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
    b = brief([fig("Around 1,500 civilians had fled", qualifier="approximately")])
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
    good = fig("More than 20,000 civilians left", value=20000, qualifier="at_least")
    bad = fig("More than 20,000 civilians left", value=30000, qualifier="at_least")
    b = brief([good, bad])
    report = ground(b, ARTICLE)
    kept, warnings = drop_unverified(b, report.problems)
    assert [n.value for n in kept.numbers] == [20000]
    assert len(warnings) == 1 and "numbers[1]" in warnings[0].message
    assert ground(kept, ARTICLE).ok


def test_mentions_carry_their_bound() -> None:
    [m] = find_mentions("at least 17 trucks")
    assert m.value == 17 and m.qualifier is Qualifier.at_least
    [m] = find_mentions("17 trucks")
    assert m.qualifier is Qualifier.exact


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


# --- labels checked against their evidence ---------------------------------------------------

LABELS = (
    "Police said the attack was the worst this year. A car bomb killed 12 people and injured at "
    "least 30 others at a market in the town. Doctors said the hospital was full. "
    "The governor said on Tuesday that 4 more died overnight."
)
BOMB = "A car bomb killed 12 people and injured at least 30 others at a market in the town."


def test_traded_categories_are_named_with_what_the_evidence_says() -> None:
    b = brief([fig(BOMB, value=12, category="wounded"),
               fig(BOMB, value=30, category="killed", qualifier="at_least")])
    problems = ground(b, LABELS).problems
    assert [(p.path, p.kind, p.correction) for p in problems] == [
        ("numbers[0].category", "category", NumberCategory.killed),
        ("numbers[1].category", "category", NumberCategory.wounded),
    ]
    assert "labelled wounded" in problems[0].message and "killed 12" in problems[0].message
    assert not any(p.fabricates for p in problems)


def test_lenient_policy_corrects_labels_and_says_so() -> None:
    b = brief([fig(BOMB, value=12, category="wounded"),
               fig(BOMB, value=30, category="killed")])  # also labelled exact: "at least 30"
    fixed, warnings = drop_unverified(b, ground(b, LABELS).problems)
    assert [(n.category, n.qualifier) for n in fixed.numbers] == [
        (NumberCategory.killed, Qualifier.exact), (NumberCategory.wounded, Qualifier.at_least)]
    assert len(warnings) == 3 and all(w.message.startswith("corrected numbers[") for w in warnings)
    assert ground(fixed, LABELS).ok


def test_qualifier_must_match_the_words_before_the_figure() -> None:
    b = brief([fig(BOMB, value=30, category="wounded", qualifier="exact")])
    [problem] = ground(b, LABELS).problems
    assert problem.path == "numbers[0].qualifier" and problem.correction is Qualifier.at_least
    assert "at least 30" in problem.message
    # The bound is read in the article even when the evidence quotes less than the sentence.
    b = brief([fig("injured at least 30 others", value=30, category="wounded",
                   qualifier="at_least")])
    assert ground(b, LABELS).ok


def test_source_must_be_named_near_its_evidence() -> None:
    near = fig("The governor said on Tuesday that 4 more died overnight.", value=4,
               category="killed", attributed_to="governor")
    far = fig(BOMB, value=12, category="killed", attributed_to="governor")
    fragment = fig(BOMB, value=12, category="killed", attributed_to="P")
    assert ground(brief([near]), LABELS).ok
    for bad in (far, fragment):
        [problem] = ground(brief([bad]), LABELS).problems
        assert problem.kind == "source" and problem.path == "numbers[0].attributed_to"
    # "Police" is named in the sentence before the bomb: where a reader would look.
    assert ground(brief([{**far, "attributed_to": "Police"}]), LABELS).ok
    fixed, [warning] = drop_unverified(brief([far]), ground(brief([far]), LABELS).problems)
    assert fixed.numbers[0].attributed_to is None and warning.message.startswith("dropped numbers[0]")


def test_a_source_named_in_full_earlier_and_by_surname_near_is_near() -> None:
    article = ("President Roch Marc Christian Kabore visited the scene. The attack began at "
               "night. Guests hid in the kitchen. Kabore said 23 people were killed.")
    b = brief([fig("Kabore said 23 people were killed.", value=23, category="killed",
                   attributed_to="Roch Marc Christian Kabore")])
    assert ground(b, article).ok


def test_the_quote_in_a_problem_is_the_figures_own_words() -> None:
    article = "Forty people were killed in the raid, officials said."
    b = brief([fig(article, value=40, category="wounded")])
    [problem] = ground(b, article).problems
    assert "'Forty people were killed'" in problem.message

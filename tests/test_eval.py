"""The scorer behind ``summarizer eval``: figures matched one to one, by value and by label."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from summarizer import Brief, summarize
from summarizer._eval import evaluate, means, report, score_brief, sources_match
from summarizer.cli import cli
from summarizer.testing import FakeOpenAIServer, Reply

ARTICLE = ("The U.S.-led coalition conducted three air strikes near the city, it said. "
           "In the capital, a car bomb killed three people and injured nine, police said.")
STRIKES = "The U.S.-led coalition conducted three air strikes near the city, it said."
BOMB = "In the capital, a car bomb killed three people and injured nine, police said."
GOLD = {"numbers": [
    {"value": 3, "category": ["other"], "qualifier": ["exact"],
     "attributed_to": "U.S.-led coalition", "counts": "coalition air strikes"},
    {"value": 3, "category": ["killed"], "qualifier": ["exact"], "counts": "people killed"},
    {"value": 9, "category": ["wounded"], "qualifier": ["at_least", "exact"],
     "attributed_to": "police", "counts": "people injured"},
]}


def brief(*numbers: dict) -> Brief:
    return Brief.model_validate({"situation": "Bombs hit the city.", "numbers": list(numbers),
                                 "outlook": {"summary": ""}})


def n(value: int, category: str, evidence: str, **kw: object) -> dict:
    return {"value": value, "category": category, "counts": "people", "evidence": evidence, **kw}


def test_one_figure_explains_one_gold_figure_and_needs_an_accepted_category() -> None:
    # One "3 wounded" once stood for both the air strikes and the dead: value alone matched.
    s = score_brief(brief(n(3, "wounded", BOMB)), ARTICLE, GOLD)
    assert s.number_recall == 2 / 3  # by value: 3 and 3, not 9
    assert s.figure_recall == 0 and s.category_accuracy == 0
    assert any("category wounded (gold" in m for m in s.mislabelled)


def test_the_best_pairing_is_found_for_figures_of_one_value() -> None:
    s = score_brief(brief(n(3, "killed", BOMB, counts="people killed"),
                          n(3, "other", STRIKES, counts="air strikes",
                            attributed_to="U.S.-led coalition"),
                          n(9, "wounded", BOMB, attributed_to="police", counts="people injured")),
                    ARTICLE, GOLD)
    assert (s.figure_recall, s.category_accuracy, s.qualifier_accuracy) == (1, 1, 1)
    assert s.source_accuracy == 1 and s.counts_accuracy == 1 and s.mislabelled == []


def test_qualifier_source_and_counts_are_scored_where_the_gold_says() -> None:
    s = score_brief(brief(n(9, "wounded", BOMB, qualifier="approximately", attributed_to="the city",
                            counts="bystanders")), ARTICLE, GOLD)
    assert s.figure_recall == 1 / 3 and s.category_accuracy == 1
    assert s.qualifier_accuracy == 0 and s.source_accuracy == 0 and s.counts_accuracy == 0
    [line] = s.mislabelled
    assert "qualifier approximately" in line and "source 'the city'" in line and BOMB[:40] in line


def test_sources_match_on_a_word_that_names_someone() -> None:
    assert sources_match("U.S. military", "U.S. military estimate")
    assert sources_match("Kabore", "Roch Marc Christian Kabore")
    assert sources_match("Thwadi", "Hussein al-Thwadi")
    assert not sources_match("officials", "security officials")  # no one in particular
    assert not sources_match("Shabab", "Pentagon")


def test_report_has_the_new_columns_and_lists_mislabelled_figures() -> None:
    s = score_brief(brief(n(3, "wounded", BOMB)), ARTICLE, GOLD, name="x", group="g")
    text = report([s], details=True)
    for column in ("fig_rec", "category", "bound", "source", "counts"):
        assert column in text.splitlines()[0]
    assert "mislabelled 3: category wounded" in text


def test_eval_judges_the_engine_asked_for_not_its_fallback(tmp_path: Path) -> None:
    # Three cases: the model briefs one, gives no JSON for another (the brief then is the
    # extractive engine's), and the endpoint refuses the third.
    for name, text in (("good", "Gunmen killed 12 people in the town of Ayn, police said."),
                       ("garbled", "Rebels seized 40 trucks near the border, the army said."),
                       ("refused", "Floods displaced 300 families in the valley, officials said.")):
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
        value = int(next(w for w in text.split() if w.isdigit()))
        (tmp_path / f"{name}.gold.json").write_text(json.dumps(
            {"numbers": [{"value": value, "category": ["killed", "other", "displaced_or_fled"]}],
             "actors": []}), encoding="utf-8")

    def answer(i: int, body: dict) -> Reply | None:
        article = json.dumps(body["messages"])  # re-asks too
        if "Rebels" in article:
            return Reply.text("I think the article is about trucks.")
        if "Floods" in article:
            return Reply(status=403, error="this key may not use the model")
        return None  # the default: a good brief of the article

    with FakeOpenAIServer(responder=answer) as server:
        result = CliRunner().invoke(cli, ["eval", str(tmp_path), "--engine", "openai",
                                          "--base-url", server.url, "--model", "fake-model"])
    out = result.stdout
    assert result.exit_code == 1
    rows = {line.split()[0]: line.split() for line in out.splitlines()
            if line.startswith("./")}
    assert set(rows) == {"./good", "./garbled", "./refused"}  # the article column is clean
    assert rows["./good"][-1] == "ok" and rows["./good"][1] == "1.00"
    assert rows["./garbled"][-1] == "fallback" and rows["./garbled"][1] == "-"
    assert rows["./refused"][-1] == "error" and rows["./refused"][1] == "-"
    assert "mean all (1 of 3)" in out  # only the engine's own brief is averaged
    assert "2 failed (1 error, 1 fell back to the extractive engine)" in out
    assert "./garbled: the model gave no valid brief" in out
    assert "./refused: RequestRejectedError: access denied (403)" in out
    scores = evaluate(tmp_path, lambda text: summarize(text, engine="extractive"))
    assert means(scores)["number_recall"] == 1 and not any(s.fallback for s in scores)


def test_a_share_of_nothing_is_no_score() -> None:
    # A brief with no figures has no precision to speak of, and no category to get right:
    # "-", left out of the means, never a free 1.00.
    s = score_brief(brief(), ARTICLE, GOLD)
    assert s.number_recall == 0 and s.number_precision is None
    assert s.category_accuracy is None and s.source_accuracy is None
    row = report([s]).splitlines()[1]
    assert row.split()[1:5] == ["0.00", "-", "0.00", "-"]
    other = score_brief(brief(n(9, "wounded", BOMB, attributed_to="police")), ARTICLE, GOLD)
    assert means([s, other])["category_accuracy"] == other.category_accuracy == 1
    assert means([s])["number_precision"] is None

"""Evidence by reference: the model reads numbered sentences and cites numbers; the brief it
yields holds the article's own sentences, exactly as if the model had copied them."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from summarizer import BriefValidationError, Summarizer, ground
from summarizer._brief import NumberCategory, Qualifier
from summarizer._engines._openai import OpenAIEngine
from summarizer._extractive import extract
from summarizer._text import sentences
from summarizer._wire import numbered, read_numbered, strict_form, wire_form, wire_schema
from summarizer.testing import FakeChatModel, FakeOpenAIServer, Reply, default_content

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
ARTICLE = ("Gunmen killed 12 villagers near Dori on Monday, police said. Another 30 were wounded.\n\n"
           "The army said it would send about 200 troops to the area.")
FIRST, SECOND, THIRD = (ARTICLE[s:e] for s, e in sentences(ARTICLE))


def reply(numbers: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """A model's brief of ARTICLE in the wire schema."""
    return {"situation": "Gunmen killed 12 villagers near Dori on Monday.",
            "actors": [{"name": "police", "kind": "state_force", "role": "reported the toll",
                        "evidence": [1]}],
            "numbers": numbers,
            "outlook": {"summary": "The army will send troops.",
                        "signals": [{"statement": "The army will send 200 troops.",
                                     "source": "the army", "evidence": [3]}]},
            **extra}


def figure(value: float, evidence: Any, category: str = "killed", **extra: Any) -> dict[str, Any]:
    return {"value": value, "counts": "people", "category": category, "evidence": evidence,
            **extra}


def brief_of(*replies: Any, **settings: Any) -> tuple[Any, FakeChatModel]:
    fake = FakeChatModel(*replies)
    with Summarizer(chat_model=fake, cache=False, **settings) as summarizer:
        return summarizer.summarize(ARTICLE), fake


def articles() -> list[str]:
    found = [p.read_text(encoding="utf-8") for p in sorted(EVAL.glob("*/*.txt"))]
    return found or [(ROOT / "examples" / "baghouz.txt").read_text(encoding="utf-8")]


def test_every_sentence_is_numbered_once_and_read_back_as_written() -> None:
    assert numbered(ARTICLE) == (f"1| {FIRST}\n2| {SECOND}\n\n3| {THIRD}")
    for text in [*articles(), "One line\nwrapped in the middle.", "x", ""]:
        view = numbered(text)
        article, spans = read_numbered(view)
        assert [article[s:e] for s, e in spans] == [
            " ".join(text[s:e].split("\n")) for s, e in sentences(text)]
        assert [line.split("| ", 1)[0] for line in view.split("\n") if line] == [
            str(n) for n in range(1, len(spans) + 1)]


def test_numbers_cited_become_the_articles_own_sentences() -> None:
    result, fake = brief_of(reply([
        figure(12, [1], source="police"),
        figure(30, "2", "wounded"),  # a number written as text is a citation too
        figure(200, [3, 1], "troops", qualifier="about", source="the army"),
    ]))
    brief = result.brief
    assert [n.evidence for n in brief.numbers] == [FIRST, SECOND, THIRD]  # 200: the one stating it
    assert [n.category for n in brief.numbers] == [
        NumberCategory.killed, NumberCategory.wounded, NumberCategory.troops_or_fighters]
    assert brief.numbers[2].qualifier is Qualifier.approximately  # the wire's "about"
    assert brief.numbers[0].attributed_to == "police"  # the wire's "source"
    assert brief.actors[0].evidence == FIRST and brief.outlook.signals[0].evidence == THIRD
    assert ground(brief, ARTICLE).ok and result.meta.attempts == 1
    spans = {s.path: ARTICLE[s.start:s.end] for s in result.meta.spans}
    assert spans["numbers[2].evidence"] == THIRD
    # What the model was sent: the article numbered, the compact schema asking for numbers.
    [request] = fake.requests
    assert f"1| {FIRST}\n2| {SECOND}\n\n3| {THIRD}" in request.messages[-1]["content"]
    assert request.schema == wire_schema()


def test_consecutive_citations_are_one_span_of_the_article() -> None:
    result, _ = brief_of(reply([figure(12, [2, 1])]))
    assert result.brief.numbers[0].evidence == ARTICLE[:ARTICLE.index("\n")]


def test_quoted_evidence_is_still_accepted_without_a_copied_marker() -> None:
    result, _ = brief_of(reply([figure(12, f"1| {FIRST}"), figure(30, "Another 30 were wounded",
                                                                  "wounded")]))
    assert [n.evidence for n in result.brief.numbers] == [FIRST, "Another 30 were wounded"]
    assert ground(result.brief, ARTICLE).ok and result.meta.attempts == 1


def test_a_reply_in_the_briefs_own_names_and_a_strict_reply_with_nulls_are_read() -> None:
    # As strict structured outputs write it: every field, nulls included, in the brief's names.
    data = {"situation": "Gunmen killed 12 villagers.", "where": None, "when": None,
            "actors": None, "numbers": [
                {"value": 30, "low": None, "high": None, "qualifier": None, "counts": "people",
                 "category": "wounded", "attributed_to": None, "evidence": [2]}],
            "outlook": {"summary": "", "signals": None}}
    result, fake = brief_of(data)
    assert len(fake.requests) == 1
    assert result.brief.numbers[0].qualifier is Qualifier.exact
    assert result.brief.numbers[0].evidence == SECOND
    assert result.brief.where == [] and result.brief.actors == []


def test_a_sentence_that_does_not_exist_is_named_in_the_reask() -> None:
    bad = reply([figure(12, [57])])
    result, fake = brief_of(bad, reply([figure(12, [1])]))
    assert len(fake.requests) == 2 and result.brief.numbers[0].evidence == FIRST
    assert "- numbers[0]: sentence 57 does not exist; the article has 3 sentences" in (
        fake.requests[1].messages[-1]["content"])
    with pytest.raises(BriefValidationError) as raised:
        brief_of(bad, reasks=0, strict=True)
    assert str(raised.value.problems[0]) == (
        "numbers[0]: sentence 57 does not exist; the article has 3 sentences")
    lenient, _ = brief_of(reply([figure(12, [57]), figure(30, [2], "wounded")]), reasks=0)
    assert [n.value for n in lenient.brief.numbers] == [30]  # dropped, and said
    assert [w.path for w in lenient.meta.warnings] == ["numbers[0]"]
    assert "sentence 57 does not exist" in lenient.meta.warnings[0].message


@pytest.mark.parametrize("evidence", [[], ["a", "b"], {"n": 1}, [1.5]])
def test_evidence_that_is_neither_numbers_nor_a_quote_is_a_problem(evidence: Any) -> None:
    _, fake = brief_of(reply([figure(12, evidence)]), reply([figure(12, [1])]))
    assert "numbers[0]:" in fake.requests[1].messages[-1]["content"]
    assert "sentence" in fake.requests[1].messages[-1]["content"].split("numbers[0]:")[1]


def test_a_figure_its_cited_sentence_does_not_state_is_a_problem() -> None:
    _, fake = brief_of(reply([figure(12, [3])]), reply([figure(12, [1])]))
    assert "numbers[0]: value 12 not found in its evidence" in (
        fake.requests[1].messages[-1]["content"])


def test_problems_go_back_in_the_wire_schemas_names() -> None:
    wrong = reply([figure(12, [1], "displaced", source="the army")])
    _, fake = brief_of(wrong, reply([]))
    asked = fake.requests[1].messages[-1]["content"]
    assert "- numbers[0].category: labelled displaced," in asked
    assert "- numbers[0].source: source 'the army' is not named" in asked
    assert "displaced_or_fled" not in asked and "attributed_to" not in asked


def test_a_lenient_reply_that_fails_the_schema_is_salvaged_with_its_citations() -> None:
    result, _ = brief_of(reply([figure(12, [1]), figure(30, [2], "wounded", low=1)]), reasks=0)
    assert [n.evidence for n in result.brief.numbers] == [FIRST]


def test_the_wire_schema_is_compact_and_its_strict_form_complete() -> None:
    schema = wire_schema()
    text = json.dumps(schema)
    for noise in ("title", "default", "null", "description", "$ref", "attributed_to"):
        assert noise not in text
    numbers = schema["properties"]["numbers"]["items"]
    assert numbers["properties"]["evidence"] == {"items": {"type": "integer"}}
    assert numbers["required"] == ["counts", "category", "evidence"]
    assert "troops" in numbers["properties"]["category"]["enum"]
    strict = strict_form(schema)

    def objects(node: Any) -> list[dict[str, Any]]:
        if isinstance(node, dict):
            own = [node] if "properties" in node else []
            return own + [o for v in node.values() for o in objects(v)]
        return [o for v in node for o in objects(v)] if isinstance(node, list) else []

    for node in objects(strict):
        assert node["type"] == "object" and node["additionalProperties"] is False
        assert node["required"] == list(node["properties"])
    figure_ = strict["properties"]["numbers"]["items"]["properties"]
    assert figure_["source"]["type"] == ["string", "null"] and None in figure_["qualifier"]["enum"]
    assert strict["properties"]["numbers"]["type"] == ["array", "null"]


def test_openai_gets_the_strict_form_and_other_servers_the_compact_one() -> None:
    assert OpenAIEngine(model="m", api_key="k").strict_schema
    assert OpenAIEngine(model="m", api_key="k", base_url="https://x.openai.azure.com/v1").strict_schema
    with FakeOpenAIServer() as server, Summarizer(engine="openai", base_url=server.url, model="m",
                                                  cache=False) as summarizer:
        assert not summarizer.engine().strict_schema  # type: ignore[attr-defined]
        summarizer.summarize(ARTICLE)
        sent = server.requests[0]["response_format"]["json_schema"]
        assert sent["strict"] is False and sent["schema"] == wire_schema()


def request_overhead(body: dict[str, Any], article: str) -> int:
    """Characters a request sends beyond the article's own: messages and response_format,
    serialised as the engine sends them."""
    sent = {"messages": body["messages"], "response_format": body.get("response_format")}
    return len(json.dumps(sent, separators=(",", ":"), ensure_ascii=False)) - len(article)


# (json_object+schema sends it in the prompt as well, for a server that ignores the extra key.)
@pytest.mark.parametrize("mode", ["json_schema", "json_object", "text"])
def test_the_seed_request_costs_little_beside_its_article(mode: str) -> None:
    seed = (ROOT / "examples" / "baghouz.txt").read_text(encoding="utf-8")
    with FakeOpenAIServer() as server, Summarizer(engine="openai", base_url=server.url, model="m",
                                                  cache=False, response_format=mode) as summarizer:
        result = summarizer.summarize(seed)
        [body] = server.requests
    assert request_overhead(body, seed) <= 2600
    assert result.brief == extract(seed) and not result.meta.warnings


@pytest.mark.parametrize("quote", [False, True])
def test_the_fake_server_cites_by_number_or_quotes_and_both_ground(quote: bool) -> None:
    text = articles()[0]
    with FakeOpenAIServer(quote_evidence=quote) as server, Summarizer(
            engine="openai", base_url=server.url, model="m", cache=False) as summarizer:
        result = summarizer.summarize(text)
        answer = json.loads(default_content(server.requests[0], quote_evidence=quote))
    assert result.brief == extract(text) and ground(result.brief, text).ok
    evidence = answer["numbers"][0]["evidence"]
    assert isinstance(evidence, str) if quote else isinstance(evidence, list)


def test_an_independent_server_quoting_evidence_yields_a_grounded_brief() -> None:
    # Not the project's default reply: a server of its own that quotes whole sentences.
    text = articles()[-1]

    def quoting(_index: int, _body: dict[str, Any]) -> Reply:
        return Reply.json(json.loads(extract(text).model_dump_json()))

    with FakeOpenAIServer(responder=quoting) as server, Summarizer(
            engine="openai", base_url=server.url, model="m", cache=False) as summarizer:
        result = summarizer.summarize(text)
    assert result.brief == extract(text) and ground(result.brief, text).ok
    assert result.meta.attempts == 1 and not result.meta.warnings


def test_wire_form_is_what_a_model_following_the_schema_writes() -> None:
    for text in articles():
        brief = extract(text)
        data = wire_form(brief, text)
        for item in [*data.get("numbers", ()), *data.get("actors", ())]:
            assert isinstance(item["evidence"], list) and item["evidence"]
            assert "attributed_to" not in item and item.get("qualifier") != "exact"


@pytest.mark.parametrize(("given", "evidence"), [
    ("2.", SECOND), ('"2"', SECOND), ("[2]", SECOND), ("2|", SECOND), ("1-2", None),
    ("1 and 2", None)])
def test_a_text_of_numbers_only_is_a_citation_not_a_quote(given: str, evidence: str | None
                                                          ) -> None:
    result, _ = brief_of(reply([figure(30, given, "wounded")]))
    expected = evidence or ARTICLE[:ARTICLE.index("\n")]  # 1-2: both sentences, one span
    assert result.brief.numbers[0].evidence == expected


def test_a_number_written_as_a_quote_of_digits_is_never_evidence() -> None:
    # "30." names no sentence of a 3-sentence article: a problem, not the digits "30".
    _, fake = brief_of(reply([figure(30, "30.", "wounded")]), reply([]))
    assert "numbers[0]: sentence 30 does not exist" in fake.requests[1].messages[-1]["content"]


def test_a_long_run_of_digits_is_read_at_once() -> None:
    started = time.monotonic()
    brief_of(reply([figure(30, "1 " * 5000 + ",", "wounded")]), reply([]), reasks=1)
    assert time.monotonic() - started < 5  # no regex backtracking over it


def test_the_reask_names_items_as_the_reply_has_them_after_repeats_are_trimmed() -> None:
    # numbers[1] repeats numbers[0] and is trimmed; the bad one is the reply's numbers[2].
    bad = reply([figure(12, [1]), figure(12, [1]), figure(30, [57], "wounded")])
    _, fake = brief_of(bad, reply([]))
    asked = fake.requests[1].messages[-1]["content"]
    assert "- numbers[2]: sentence 57 does not exist" in asked and "numbers[1]:" not in asked


def test_a_hard_wrapped_bound_is_read_as_the_model_read_it() -> None:
    wrapped = ("Officials said more\nthan 50,000 people had fled the city by Sunday. The army "
               "said it would send about 200 troops.")
    data = {"situation": "More than 50,000 people fled.", "outlook": {"summary": ""},
            "numbers": [{"value": 50000, "qualifier": "at_least", "counts": "people",
                         "category": "displaced", "evidence": [1]}]}
    fake = FakeChatModel(data)
    with Summarizer(chat_model=fake, cache=False, strict=True) as summarizer:
        result = summarizer.summarize(wrapped)
    assert result.brief.numbers[0].qualifier is Qualifier.at_least and len(fake.requests) == 1

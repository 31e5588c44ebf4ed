"""Messages are for people only: with every message the library writes reworded (errors,
warnings, problems, attempt outcomes), what it decides stays the same: what a lenient brief
drops and corrects, what is cached, the HTTP status of an error, what a batch counts as a
retry, what eval counts as a fallback, what a strict error says is wrong and where."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from summarizer import (
    Attempt,
    BriefValidationError,
    BriefWarning,
    Problem,
    RequestTimeoutError,
    Summarizer,
    SummarizerError,
    WarningCode,
    summarize_many,
)
from summarizer._eval import evaluate, failed
from summarizer._extractive import extract
from summarizer.testing import FakeChatModel

WORDS = "(reworded)"
ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ("A car bomb killed 12 people and injured 30 others at a market in Shaab on Sunday, "
           "police said. The army sent 200 troops to the district, officials said.")


@pytest.fixture(autouse=True)
def reworded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every message the library writes says the same nothing."""
    monkeypatch.setattr(SummarizerError, "__str__", lambda self: WORDS)
    for model, name in ((BriefWarning, "message"), (Attempt, "outcome")):
        def init(self: Any, _init: Any = model.__init__, _name: str = name, **data: Any) -> None:
            _init(self, **{**data, _name: WORDS})
        monkeypatch.setattr(model, "__init__", init)
    plain = Problem.__init__

    def problem(self: Problem, *args: Any, **kwargs: Any) -> None:
        plain(self, *args, **kwargs)
        object.__setattr__(self, "message", WORDS)
    monkeypatch.setattr(Problem, "__init__", problem)


def good() -> dict[str, Any]:
    return json.loads(extract(ARTICLE).model_dump_json())


def test_lenient_drops_and_corrects_by_structure() -> None:
    brief = good()
    killed, wounded = brief["numbers"][0], brief["numbers"][1]
    brief["numbers"][0] = {**killed, "category": "wounded"}  # traded: corrected
    brief["numbers"][1] = {**wounded, "category": "killed"}
    brief["numbers"].append({**killed, "value": 99})  # not in the article: dropped
    with Summarizer(chat_model=FakeChatModel(brief, brief, brief), reasks=0) as summarizer:
        result = summarizer.summarize(ARTICLE)
    assert [(n.value, n.category.value) for n in result.brief.numbers][:2] == [
        (12, "killed"), (30, "wounded")]
    assert 99 not in [n.value for n in result.brief.numbers]
    codes = [w.code for w in result.meta.warnings]
    assert codes.count(WarningCode.corrected) == 2 and codes.count(WarningCode.dropped) == 1
    assert "1 unverifiable item(s) dropped" in result.to_markdown()
    assert "2 figure label(s) corrected" in result.to_markdown()


def test_a_fallback_is_not_cached_and_a_good_brief_is(tmp_path: Path) -> None:
    fake = FakeChatModel("{not json", "{not json", cacheable=True)
    with Summarizer(chat_model=fake, reasks=0, cache_dir=tmp_path) as summarizer:
        first = summarizer.summarize(ARTICLE)
        assert first.fell_back
        again = summarizer.summarize(ARTICLE)  # asked again, not answered from the cache
        assert again.fell_back and len(fake.requests) == 2
        third = summarizer.summarize(ARTICLE)  # nothing scripted: a good brief, then cached
        fourth = summarizer.summarize(ARTICLE)
    assert not third.fell_back and fourth.meta.cached and len(fake.requests) == 3


def test_a_strict_error_says_where_by_its_fields() -> None:
    brief = good()
    brief["numbers"][1] = {**brief["numbers"][1], "value": 31}
    with pytest.raises(BriefValidationError) as err, Summarizer(
            chat_model=FakeChatModel(brief), reasks=0, strict=True) as summarizer:
        summarizer.summarize(ARTICLE)
    [problem] = err.value.problems
    assert (problem.field, problem.index, problem.kind) == ("numbers", 1, "value")


def test_a_batch_counts_retries_by_reason() -> None:
    fake = FakeChatModel("{not json")  # one re-ask, then the default brief
    [item] = list(summarize_many([("a", ARTICLE)], chat_model=fake, concurrency=1))
    assert item.ok and [a.reason.value for a in item.result.meta.attempt_log] == [
        "initial", "re-ask"]


def test_eval_tells_a_fallback_by_its_code(tmp_path: Path) -> None:
    case = next((ROOT.parent / "shared" / "eval" / "seed").glob("*.txt"), None)
    if case is None:
        pytest.skip("no eval articles beside the project")
    shutil.copy(case, tmp_path / case.name)
    shutil.copy(case.with_suffix(".gold.json"), tmp_path / case.with_suffix(".gold.json").name)
    with Summarizer(chat_model=FakeChatModel(*["{not json"] * 3), reasks=0) as summarizer:
        [score] = evaluate(tmp_path, summarizer.summarize)
    assert score.fallback and failed(score)


def test_a_timeout_is_a_504_by_its_type() -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from summarizer._serve import create_app

    fake = FakeChatModel(*[RequestTimeoutError("slow")] * 10)
    summarizer = Summarizer(chat_model=fake, transport_retries=0)
    with TestClient(create_app(summarizer), base_url="http://localhost") as client:
        response = client.post("/v1/briefs", json={"text": ARTICLE})
    assert response.status_code == 504 and response.json()["error"]["type"] == "model_timeout"

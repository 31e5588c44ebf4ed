"""The library surface: __all__, sync and async calls, rendering for chat bots."""

from __future__ import annotations

import asyncio

import pytest

import summarizer
from summarizer import (
    Brief,
    BriefWarning,
    InputError,
    Result,
    WarningCode,
    asummarize,
    summarize,
)


def test_public_surface_is_explicit() -> None:
    public = {
        name for name, value in vars(summarizer).items()
        if not name.startswith("_") and not isinstance(value, type(summarizer))
    }
    assert set(summarizer.__all__) - {"__version__"} == public
    for name in ("summarize", "asummarize", "Brief", "Result", "Summarizer", "Settings",
                 "ground", "SummarizerError", "BriefValidationError"):
        assert name in summarizer.__all__
    for name in summarizer.__all__:
        assert getattr(summarizer, name) is not None
    assert not [n for n in summarizer.__all__ if n.startswith("_") and n != "__version__"]


def test_summarize_offline_defaults_to_extractive(baghouz: str) -> None:
    result = summarize(baghouz)
    assert isinstance(result, Result) and isinstance(result.brief, Brief)
    assert result.meta.engine == "extractive"
    assert result.meta.spans  # offsets of every evidence span
    for span in result.meta.spans:
        assert 0 <= span.start < span.end <= len(baghouz)


def test_spans_point_at_the_evidence(baghouz: str) -> None:
    result = summarize(baghouz)
    by_path = {s.path: s for s in result.meta.spans}
    for i, figure in enumerate(result.brief.numbers):
        span = by_path[f"numbers[{i}].evidence"]
        assert " ".join(baghouz[span.start:span.end].split()) == " ".join(
            figure.evidence.split()
        )


async def test_asummarize(baghouz: str) -> None:
    result = await asummarize(baghouz)
    assert result.brief.situation


def test_sync_call_inside_a_running_loop(baghouz: str) -> None:
    async def bot() -> Result:
        return summarize(baghouz)  # a bot written synchronously, run from async code

    assert asyncio.run(bot()).brief.situation


@pytest.mark.parametrize("text", ["", "   \n ", "a\x00b"])
def test_bad_text_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError):
        summarize(text)


def test_markdown_and_text_renderings(baghouz: str) -> None:
    brief = summarize(baghouz).brief
    md, text = brief.to_markdown(), brief.to_text()
    assert "## Situation" in md and "## Numbers" in md and "> " in md
    assert text.startswith("SITUATION") and "**" not in text and "##" not in text
    assert "1,500" in md and "1,500" in text


def test_figure_shape_rules() -> None:
    base = {"counts": "x", "category": "killed", "evidence": "e"}
    with pytest.raises(ValueError):
        Brief.model_validate({"situation": "s", "outlook": {"summary": ""},
                              "numbers": [{**base, "value": 1, "low": 1, "high": 2}]})
    with pytest.raises(ValueError):
        Brief.model_validate({"situation": "s", "outlook": {"summary": ""},
                              "numbers": [{**base}]})
    with pytest.raises(ValueError):
        Brief.model_validate({"situation": "s", "outlook": {"summary": ""}, "extra": 1})


def test_result_renderings_close_with_what_was_dropped(baghouz: str) -> None:
    result = summarize(baghouz)
    assert not result.to_markdown().rstrip().endswith("_")  # nothing dropped, no note
    noted = result.model_copy(update={"meta": result.meta.model_copy(update={"warnings": [
        BriefWarning(code=WarningCode.dropped, message="dropped numbers[1]: value 9 not found"),
        BriefWarning(code=WarningCode.trimmed, message="dropped 2 repeated actors"),
        BriefWarning(code=WarningCode.replaced,
                     message="replaced situation with the article's lead")]})})
    assert noted.to_markdown().rstrip().endswith(
        "_1 unverifiable item(s) dropped; dropped 2 repeated actors; replaced situation with the "
        "article's lead._")
    assert noted.to_text().rstrip().endswith("replaced situation with the article's lead.")

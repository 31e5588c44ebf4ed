"""Articles longer than the model's context: split on paragraphs, briefed in parts, merged,
grounded against the whole text. Never truncated."""

from __future__ import annotations

import re

import pytest

from summarizer import ConfigurationError, Summarizer, ground
from summarizer._chunking import split_article
from summarizer._text import estimate_tokens
from summarizer.testing import FakeChatModel

from .conftest import EVAL, ROOT


def long_article() -> str:
    texts = [(ROOT / "examples" / "baghouz.txt").read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in sorted((EVAL / "dev").glob("*.txt"))[:3]]
    if len(texts) == 1:  # without ../shared: the example four times is long enough to split
        texts *= 4
    return "\n\n".join(texts)


def test_split_keeps_every_word_and_respects_the_budget() -> None:
    article = long_article()
    parts = split_article(article, 600)
    assert len(parts) > 3
    assert all(estimate_tokens(p) <= 600 for p in parts)
    assert re.findall(r"\S+", " ".join(parts)) == re.findall(r"\S+", article)


def test_a_paragraph_longer_than_the_budget_is_cut_between_sentences_then_words() -> None:
    paragraph = " ".join(f"Sentence number {i} says the fighting went on." for i in range(200))
    parts = split_article(paragraph, 50)
    assert all(estimate_tokens(p) <= 50 for p in parts)
    assert " ".join(parts).split() == paragraph.split()
    assert split_article("word " * 400, 20)  # one endless sentence still fits, word by word


@pytest.mark.skipif(not (EVAL / "dev").is_dir(), reason="../shared/eval is not beside the repo")
def test_long_article_is_briefed_in_parts_and_grounded_on_the_whole() -> None:
    article = long_article()
    fake = FakeChatModel()
    with Summarizer(chat_model=fake, cache=False, context_tokens=3000,
                    max_tokens=1024) as summarizer:
        result = summarizer.summarize(article)
    parts = len(fake.requests)
    assert parts >= 3  # one request a part, each within the context
    assert any(f"briefed in {parts} parts" in w.message for w in result.meta.warnings)
    for request in fake.requests:
        sent = sum(estimate_tokens(m["content"]) for m in request.messages)
        assert request.max_tokens == 1024
        assert sent + 1024 <= 3000 + 50 * len(request.messages)
    assert " ".join(r.article for r in fake.requests).split() == article.split()
    assert ground(result.brief, article).ok
    assert result.meta.attempts == parts
    values = {n.value for n in result.brief.numbers}
    assert 1500 in values  # from the first part (Baghouz)
    assert len(values) > 8  # and figures from the later parts too
    for span in result.meta.spans:
        assert 0 <= span.start < span.end <= len(article)


def test_context_too_small_is_a_clear_error(baghouz: str) -> None:
    fake = FakeChatModel()
    summarizer = Summarizer(chat_model=fake, cache=False, context_tokens=900, max_tokens=800)
    with pytest.raises(ConfigurationError, match="leaves no room"):
        summarizer.summarize(baghouz)
    assert fake.requests == []

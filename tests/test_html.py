"""HTML input: saved news pages from the shared eval set reduced to their article, and the brief
of one grounded against what was extracted."""

from __future__ import annotations

import html as htmllib
import json
import sys
from pathlib import Path

import pytest

from summarizer import ConfigurationError, InputError, Summarizer, ground
from summarizer._html import extract_html, looks_like_html

pytest.importorskip("trafilatura")

HTML_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "html"
PAGES = sorted(HTML_DIR.glob("*.html")) if HTML_DIR.is_dir() else []


def norm(text: str) -> str:
    """As SOURCES.md says to compare: entities decoded, white space collapsed."""
    return " ".join(htmllib.unescape(text).split())


def expected(page: Path) -> dict:
    return json.loads(page.with_name(page.stem + ".expected.json").read_text(encoding="utf-8"))


@pytest.mark.skipif(not PAGES, reason=f"no saved pages in {HTML_DIR}")
@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_saved_page_keeps_article_and_drops_chrome(page: Path) -> None:
    want = expected(page)
    article = extract_html(page.read_text(encoding="utf-8"))
    text = norm(article.text)
    assert article.title is not None and norm(article.title) == norm(want["title"])
    assert article.text.split("\n\n", 1)[0] == article.title
    for sentence in want["must_contain"]:
        assert norm(sentence) in text, sentence
    for chrome in want["must_not_contain"]:
        assert norm(chrome) not in text, chrome
    assert article.date is not None and article.date[:4].isdigit()


PAGE = """<!DOCTYPE html>
<html><head><title>Shelling hits Kharkiv market | Daily Site</title>
<meta property="og:title" content="Shelling hits Kharkiv market">
<meta property="article:published_time" content="2024-05-25T10:00:00Z"></head>
<body>
<nav><a href="/">Home</a> <a href="/world">World news menu</a></nav>
<article><h1>Shelling hits Kharkiv market</h1>
<p>Russian shelling struck a crowded market in Kharkiv on Saturday, killing at least 12 people
and wounding 43, the regional governor said.</p>
<p>Emergency crews worked through the night to clear the rubble, and officials said the toll
could rise as more victims were found.</p>
</article>
<footer>Copyright 2024 Daily Site. All rights reserved. Subscribe to our newsletter.</footer>
</body></html>"""


def test_hand_made_page() -> None:
    article = extract_html(PAGE)
    assert article.title == "Shelling hits Kharkiv market"
    assert article.date == "2024-05-25"
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0] == "Shelling hits Kharkiv market"  # once, though it is also the <h1>
    assert paragraphs[1].startswith("Russian shelling struck") and "at least 12 people" in paragraphs[1]
    assert len(paragraphs) == 3
    assert "menu" not in article.text and "Copyright" not in article.text


@pytest.mark.parametrize("page", [
    "<html><body><nav><a href='/'>Home</a></nav></body></html>",
    "<html><head><title>Empty</title></head><body></body></html>",
    "",
])
def test_no_article_is_an_input_error(page: str) -> None:
    with pytest.raises(InputError, match="no article text found in the HTML page"):
        extract_html(page)


def test_missing_trafilatura_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # import now raises ImportError
    with pytest.raises(ConfigurationError, match=r'pip install "summarizer\[html\]"'):
        extract_html(PAGE)


@pytest.mark.parametrize(("text", "is_html"), [
    (PAGE, True),
    ("\ufeff  <html lang='en'><head></head></html>", True),
    ("<!-- saved --><!doctype html><p>x</p>", True),
    ("<div class='story'><p>Fighting resumed.</p></div>", True),
    ("Fighting resumed near Bakhmut on Monday.\n\nThe army said 3 soldiers died.", False),
    ("A paragraph about <html> tags " + "x" * 3000 + "<p>late</p>", False),
])
def test_looks_like_html(text: str, is_html: bool) -> None:
    assert looks_like_html(text) is is_html


@pytest.mark.skipif(not PAGES, reason=f"no saved pages in {HTML_DIR}")
def test_brief_of_a_saved_page_is_grounded_in_the_extracted_text() -> None:
    page = next(p for p in PAGES if p.stem.startswith("tunisia"))
    article = extract_html(page.read_text(encoding="utf-8"))
    result = Summarizer(engine="extractive").summarize(article.text)
    assert ground(result.brief, article.text).problems == []
    assert result.meta.warnings == []
    assert any(n.value == 19 for n in result.brief.numbers)  # "killing at least 19 people"

"""Saved news pages to article text: trafilatura keeps the story and drops the page's chrome.

An optional extra (``pip install "summarizer[html]"``); trafilatura is imported on first use
because importing it costs more than briefing a short article with the extractive engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ._errors import ConfigurationError, InputError

_INSTALL_HINT = 'reading HTML needs trafilatura: pip install "summarizer[html]"'
# A page announces itself in its first bytes; a plain-text article that quotes a tag further
# down must not be mistaken for one, hence the short window.
_DOCTYPE = re.compile(r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])",
                      re.IGNORECASE | re.DOTALL)
_EARLY_TAG = re.compile(r"<(?:body|head|p|div|article)[\s>]", re.IGNORECASE)
_WINDOW = 2048
_MIN_WORDS = 5


@dataclass(frozen=True)
class HtmlArticle:
    """The article in a web page: text (title line, blank line, paragraphs), title and date."""

    text: str
    title: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD) as found on the page


def looks_like_html(text: str) -> bool:
    """Whether text is an HTML page rather than a plain article."""
    head = text[:_WINDOW].lstrip("\ufeff")
    return bool(_DOCTYPE.match(head) or _EARLY_TAG.search(head))


def extract_html(html: str) -> HtmlArticle:
    """The article's text, title and date from a saved news page."""
    try:
        import trafilatura
    except ImportError as exc:  # also lxml >= 5.2 without lxml_html_clean, which justext needs
        raise ConfigurationError(f"{_INSTALL_HINT} ({exc})") from None
    try:
        doc = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_images=False,
            include_links=False, include_formatting=False,
        )
    except Exception as exc:  # the parser choking on a page is that page's problem, not a bug here
        raise InputError(f"cannot extract an article from the HTML page: {exc}") from None
    data = _as_dict(doc)
    title = _clean(data.get("title"))
    date = _clean(data.get("date"))
    paragraphs = [p for p in (_clean(line) for line in str(data.get("text") or "").split("\n")) if p]
    if not paragraphs:  # trafilatura turns down short content (a snippet pasted into a chat)
        paragraphs = _plain_paragraphs(html)
    if paragraphs and title and _same(paragraphs[0], title):
        paragraphs = paragraphs[1:]  # the headline inside <article> repeats the metadata title
    # trafilatura falls back to all the page's text, so a page with only menus yields menu words;
    # an article has at least one sentence-sized paragraph.
    if not any(len(p.split()) >= _MIN_WORDS for p in paragraphs):
        raise InputError("no article text found in the HTML page")
    text = "\n\n".join([title, *paragraphs] if title else paragraphs)
    return HtmlArticle(text=text, title=title, date=date)


def _plain_paragraphs(html: str) -> list[str]:
    """The text of the page's paragraphs and headings, for HTML too short for trafilatura."""
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except Exception:  # noqa: BLE001 - unparsable markup has no paragraphs to offer
        return []
    blocks = root.xpath("//h1|//h2|//h3|//p|//li|//blockquote")
    return [t for t in (_clean(b.text_content()) for b in blocks) if t]


def _as_dict(doc: Any) -> dict[str, Any]:
    """trafilatura 2 returns a Document, 1.x a dict, and nothing at all for an empty page."""
    if doc is None:
        return {}
    if isinstance(doc, dict):
        return doc
    return dict(doc.as_dict())


def _clean(value: Any) -> str | None:
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None


def _same(a: str, b: str) -> bool:
    return a.casefold().strip(" .") == b.casefold().strip(" .")

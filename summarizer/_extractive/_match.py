"""Fast searches of text: whole words, and a pattern tried only near its head words."""

from __future__ import annotations

import re
from collections.abc import Iterator


def _finditer_near(rx: re.Pattern[str], head: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """rx.finditer(text), trying rx only where one of its head words is near.

    For patterns such as GROUP_RE: a head word (matched by ``head``, e.g. "forces"), preceded
    within the match by at most three words, each followed by white space. A match whose head is
    at h thus starts no earlier than three words before h, so the leftmost match at or after
    ``cur`` starts no earlier than the least such bound over the heads at or after ``cur``.
    Searching from there skips the long stretches without a head word, where the alternatives
    for the words before it would be tried at every offset for nothing; each stretch of text is
    still searched at most once.
    """
    heads: list[int] = []  # every offset where a head matches, overlapping ones included
    hm = head.search(text)
    while hm:
        heads.append(hm.start())
        hm = head.search(text, hm.start() + 1)
    # floor[i]: no match with its head at heads[i] or later starts before it.
    floor = [_three_words_back(text, h) for h in heads]
    for i in range(len(floor) - 2, -1, -1):
        floor[i] = min(floor[i], floor[i + 1])
    cur = 0
    for h, low in zip(heads, floor, strict=True):
        while h >= cur:
            m = rx.search(text, max(low, cur))
            if m is None:
                return
            yield m
            cur = m.end()


def _three_words_back(text: str, end: int) -> int:
    """An offset at or before the start of the third white-space-separated word before end."""
    parts = text[:end].rsplit(None, 3)
    # With four parts, the three words are the last three and start after the first part.
    return len(parts[0]) if len(parts) == 4 else 0


def _word_at(text: str, word: str) -> list[int]:
    """Offsets where word occurs in text as whole words (cheaper than a regex per name)."""
    out = []
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if (at == 0 or not text[at - 1].isalnum()) and (end == len(text) or not text[end].isalnum()):
            out.append(at)
        at = text.find(word, at + 1)
    return out

"""The model-free engine: a brief built by rules from the article alone (see
:mod:`summarizer._extractive`), behind the same interface as every model."""

from __future__ import annotations

import asyncio

from .._extractive import extract
from ._base import ChatModel, ChatReply, ChatRequest


class ExtractiveEngine(ChatModel):
    """Answers every request with the extractive brief of its article, as JSON. It copies the
    article's own words, so the trust layer finds nothing to send back; it needs no prompt, and
    making a brief again is cheaper than a cache look-up."""

    engine = "extractive"
    uses_prompts = False
    cacheable = False

    async def complete(self, request: ChatRequest) -> ChatReply:
        """The brief of the request's article, built off the event loop (pure CPU work: the
        loop stays free for progress, other briefs and Ctrl-C)."""
        brief = await asyncio.to_thread(extract, request.article)
        return ChatReply(text=brief.model_dump_json())

"""Engines: the only code that talks to a model. The pipeline sees only :class:`ChatModel`."""

from ._base import ChatModel, ChatReply, ChatRequest
from ._rules import ExtractiveEngine

__all__ = ["ChatModel", "ChatReply", "ChatRequest", "ExtractiveEngine"]

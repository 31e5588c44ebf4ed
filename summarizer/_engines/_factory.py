"""The one place that turns an engine's name into an engine."""

from __future__ import annotations

from typing import Any, Literal

from .._errors import ConfigurationError
from .._settings import DEFAULT_MODEL, Settings
from ._base import ChatModel


def create_engine(settings: Settings, engine: str, *,
                  transport: Literal["httpx", "aiohttp"] = "httpx",
                  http_client: Any = None) -> ChatModel:
    """The engine named (as :meth:`Settings.resolve_engine` names it). ``transport``: the HTTP
    client under the OpenAI SDK (aiohttp for many requests at once, on one loop that closes
    it); ``http_client``: an async client as the SDK takes (``httpx.AsyncClient``, or
    ``httpx2.AsyncClient`` for openai 3) to use instead, which stays the caller's to close."""
    if engine == "extractive":
        from ._rules import ExtractiveEngine

        return ExtractiveEngine()
    if engine == "openai":
        from ._openai import OpenAIEngine

        return OpenAIEngine(
            model=settings.model or (DEFAULT_MODEL if not settings.base_url else ""),
            base_url=settings.base_url, api_key=settings.api_key, timeout=settings.timeout,
            transport=transport, response_format=settings.response_format,
            http_client=http_client,
        )
    if engine == "local":
        from ._local import LocalEngine

        return LocalEngine.shared(settings.model_path, n_ctx=settings.context_tokens)
    raise ConfigurationError(f"unknown engine {engine!r}")

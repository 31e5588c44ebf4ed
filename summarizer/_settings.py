"""Settings for a Summarizer, and engine choice. :meth:`Settings.from_env` is the one place the
environment is read; ``Settings()`` itself holds only what it is given and the defaults, which
the CLI shows as its own."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ._errors import ConfigurationError

if TYPE_CHECKING:
    from ._engines import ChatModel

ENGINES = ("auto", "extractive", "openai", "local")
DEFAULT_MODEL = "gpt-4o-mini"  # the openai engine's model at OpenAI's own endpoint
# How the openai engine can ask for JSON, best first (see _engines/_openai.py).
RESPONSE_FORMATS = ("json_schema", "json_object+schema", "json_object", "text")


def endpoint_name(url: str | None) -> str:
    """An endpoint as it may be shown in logs and errors: scheme, host, port and path, never a
    user:password@ part or a query (which may hold a key)."""
    if not url:
        return "https://api.openai.com/v1"
    return re.sub(r"(//)[^/@]*@", r"\1***@", url).split("?", 1)[0]


#: The environment variables :meth:`Settings.from_env` reads, by the field each one sets.
ENVIRONMENT = {
    "engine": "SUMMARIZER_ENGINE",
    "model": "SUMMARIZER_MODEL",
    "base_url": "OPENAI_BASE_URL",
    "api_key": "OPENAI_API_KEY",
    "model_path": "SUMMARIZER_LOCAL_MODEL",
    "prompts": "SUMMARIZER_PROMPTS",
    "cache_dir": "SUMMARIZER_CACHE_DIR",
    "response_format": "SUMMARIZER_RESPONSE_FORMAT",
}


@dataclass
class Settings:
    """Everything that shapes how a brief is made."""

    engine: str = "auto"
    model: str | None = None  # the model's name at the endpoint
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)  # never shown
    timeout: float = 60.0
    model_path: str | None = None  # a GGUF file for the local engine
    prompts: str | Path | None = None  # a folder of prompt templates
    strict: bool = False
    reasks: int = 2
    transport_retries: int = 4
    deadline: float = 300.0
    token_budget: int | None = None
    max_tokens: int = 2048
    context_tokens: int | None = None  # the model's context; longer articles are split
    cache: bool = True  # reuse results of identical requests (LLM engines only)
    cache_dir: str | Path | None = None  # else the user's cache folder
    response_format: str = "auto"  # auto, or one of the openai engine's modes to keep
    backoff: float = 0.5
    max_backoff: float = 30.0
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, repr=False)

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ConfigurationError(
                f"unknown engine {self.engine!r}; choose one of {', '.join(ENGINES)}"
            )
        if self.reasks < 0 or self.transport_retries < 0:
            raise ValueError("reasks and transport_retries must be >= 0")
        if self.base_url and not re.match(r"https?://", self.base_url, re.I):
            # The SDK would take "127.0.0.1:8080" for a relative path and fail to connect.
            guess = "http://" + self.base_url.rstrip("/") + (
                "" if self.base_url.rstrip("/").endswith("/v1") else "/v1")
            raise ConfigurationError(f"the endpoint {endpoint_name(self.base_url)!r} has no "
                                     f"scheme; did you mean {endpoint_name(guess)}?")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **values: object) -> Settings:
        """Settings from the values given; each one not given (or None) is taken from its
        environment variable (:data:`ENVIRONMENT`), else it is the default."""
        env = os.environ if environ is None else environ
        for name, variable in ENVIRONMENT.items():
            if values.get(name) is None and env.get(variable):
                values[name] = env[variable]
        return cls(**{k: v for k, v in values.items() if v is not None})  # type: ignore[arg-type]

    def resolve_engine(self, given: ChatModel | None = None) -> tuple[str, str]:
        """Which engine runs, and why (for --verbose)."""
        if given is not None:
            return given.engine, "an engine object was passed in"
        if self.engine != "auto":
            return self.engine, f"--engine {self.engine} was asked for"
        if self.base_url:
            return "openai", "an endpoint is configured (--base-url / OPENAI_BASE_URL)"
        if self.api_key:
            return "openai", "an API key is configured (OPENAI_API_KEY)"
        if self.model_path:
            return "local", "a local model is configured (SUMMARIZER_LOCAL_MODEL)"
        return "extractive", "no endpoint, key or local model is configured"

"""The one interface between the pipeline and a model."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from .._result import Usage
from .._text import estimate_tokens


@dataclass(frozen=True)
class ChatRequest:
    """Messages plus the JSON schema the reply must follow."""

    messages: tuple[dict[str, str], ...]
    schema: dict[str, Any]
    max_tokens: int = 2048
    #: The schema as an instruction, for engines that cannot enforce it (prompts/schema.md).
    schema_prompt: str = ""
    #: Seconds this request may take, start to finish; None: the engine's own limit.
    timeout: float | None = None
    #: At most this many items a list, where the engine's constraint can hold the model to it
    #: (a grammar: the local engine's, llama.cpp's servers'); asked for after a reply was cut.
    max_items: int | None = None
    #: The article the messages carry, as plain text: for an engine that briefs without a
    #: model (the extractive one) and for fakes that answer from it.
    article: str = ""


@dataclass(frozen=True)
class ChatReply:
    """The model's raw text and what the call cost."""

    text: str
    usage: Usage = field(default_factory=Usage)
    finish_reason: str = "stop"  # "stop", "length", "content_filter"
    refusal: str | None = None
    #: The provider's batch this reply came from, when it came through the Batch API.
    batch: str | None = None


class ChatModel(ABC):
    """A chat model behind any transport, or anything that answers a request with a brief's
    JSON. Engines translate their library's errors into :mod:`summarizer._errors` (transient
    faults as ``TransportError``); retries live in the pipeline, never here. The pipeline reads
    only the attributes below, never an engine's name."""

    engine: str = "chat"
    model_name: str | None = None
    #: The endpoint's address without credentials, for logs and cache keys; None in-process.
    endpoint: str | None = None
    #: False for an engine that ignores the prompt (its results carry no prompt version).
    uses_prompts: bool = True
    #: False where a result costs less to make again than to look up (no model behind it).
    cacheable: bool = True
    #: True where a brief takes minutes (a model on this machine's CPU): the CLI says so.
    slow: bool = False
    #: How many briefs may be in flight at once (a local model runs one at a time).
    max_concurrency: int | None = None
    #: The model's context window in tokens; longer articles are split into parts.
    context_tokens: int | None = None
    #: The longest one request may take, start to finish, in seconds; None for no limit (a
    #: model in this process cannot be stopped halfway anyway).
    request_deadline: float | None = None
    #: The context window the server itself named (in an error, or its model list): it
    #: overrides any setting, for the rest of the run.
    context_from_server: int | None = None

    #: The model's tokens per estimated token, for an engine without the model's tokenizer;
    #: learnt from what the server counts, so that plans fit its window.
    token_scale: float = 1.0

    def count_tokens(self, text: str) -> int:
        """Tokens in a text: the model's tokenizer where an engine has one, else an estimate."""
        return estimate_tokens(text)

    @abstractmethod
    async def complete(self, request: ChatRequest) -> ChatReply:
        """Send one request and return the reply."""

    async def prepare(self) -> None:  # noqa: B027 - optional hook
        """Learn what the endpoint says about itself (its context window, say) before the
        first brief is planned; once per engine, and never an error."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook, most engines hold nothing
        """Release connections or model memory; the engine may not be used afterwards."""

    async def release_loop(self) -> None:  # noqa: B027 - optional hook
        """Let go of what the engine holds for the running event loop only (its connections),
        when that loop is about to close while the engine lives on."""

    def describe(self) -> str:
        """The engine in a few words, for --verbose: its name, model and endpoint."""
        details = [x for x in (self.model_name, self.endpoint) if x]
        return self.engine + (f" ({', '.join(details)})" if details else "")


class Forwarding(ChatModel):
    """A ChatModel around another, to which it forwards every call and every attribute of the
    interface (reads and writes alike, so what the inner one learns is seen through it).
    Subclasses override what they add to, such as :meth:`complete`; an interface attribute of
    their own must be a class attribute (one set on the instance would reach the inner
    engine)."""

    def __init__(self, inner: ChatModel) -> None:
        self.inner = inner

    async def complete(self, request: ChatRequest) -> ChatReply:
        """The inner engine's reply."""
        return await self.inner.complete(request)

    async def prepare(self) -> None:
        """The inner engine's."""
        await self.inner.prepare()

    async def aclose(self) -> None:
        """Close the inner engine."""
        await self.inner.aclose()

    async def release_loop(self) -> None:
        """The inner engine's."""
        await self.inner.release_loop()

    def count_tokens(self, text: str) -> int:
        """The inner engine's count (its tokenizer, where it has one)."""
        return self.inner.count_tokens(text)


def _forwarded(name: str) -> property:
    return property(lambda self: getattr(self.inner, name),
                    lambda self, value: setattr(self.inner, name, value))


for _name in ChatModel.__annotations__:  # every attribute of the interface, new ones included
    setattr(Forwarding, _name, _forwarded(_name))

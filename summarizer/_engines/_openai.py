"""Any OpenAI-compatible chat endpoint, through the official ``openai`` SDK."""

from __future__ import annotations

import asyncio
import email.utils
import json
import time
import weakref
from typing import Any, Literal

import openai

from .._errors import ConfigurationError, RequestRejectedError, TransportError
from .._result import Usage
from ._base import ChatModel, ChatReply, ChatRequest

# Context windows of well-known models; any other model gets DEFAULT_CONTEXT unless configured.
CONTEXTS = {"gpt-4o": 128_000, "gpt-4o-mini": 128_000, "gpt-4.1": 1_000_000,
            "gpt-4.1-mini": 1_000_000, "gpt-3.5-turbo": 16_385}
DEFAULT_CONTEXT = 8192

# Output modes, best first; a server that rejects one is asked in the next, once per engine.
MODES = ("json_schema", "json_object", "text")


class OpenAIEngine(ChatModel):
    """Chat completions over HTTP with structured output, falling back for older servers."""

    engine = "openai"

    def __init__(
        self,
        *,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 60.0,
        transport: Literal["httpx", "aiohttp"] = "httpx",
    ) -> None:
        if not model:
            raise ConfigurationError("no model named: pass --model or set SUMMARIZER_MODEL")
        if not api_key and not base_url:
            raise ConfigurationError(
                "no endpoint configured: set OPENAI_API_KEY, or --base-url for a local server"
            )
        self.model = model
        self.context_tokens = CONTEXTS.get(model, DEFAULT_CONTEXT)
        self._key = api_key or "no-key"  # local servers want none, but the SDK insists on one
        self._base_url, self._timeout, self._transport = base_url, timeout, transport
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, openai.AsyncOpenAI]
        self._clients = weakref.WeakKeyDictionary()
        self.mode = MODES[0]

    def _client(self) -> openai.AsyncOpenAI:
        """The running loop's client. Connections belong to the loop that opened them, so an
        engine used from the sync bridge's loop and from a caller's own loop keeps one each."""
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            # aiohttp under the SDK: the SDK's own advice for many concurrent requests, about a
            # third less CPU a request than its default httpx. An unclosed session complains
            # on stderr, so it is used where the engine's life is owned and closed (a batch).
            http = (openai.DefaultAioHttpClient(timeout=self._timeout)
                    if self._transport == "aiohttp" else None)
            # max_retries=0: the pipeline is the one retry layer.
            client = openai.AsyncOpenAI(api_key=self._key, base_url=self._base_url,
                                        timeout=self._timeout, max_retries=0, http_client=http)
            self._clients[loop] = client
        return client

    async def complete(self, request: ChatRequest) -> ChatReply:
        """One chat completion; on a rejected response_format, fall back and ask again."""
        while True:
            try:
                return await self._create(request)
            except openai.BadRequestError as exc:
                if self.mode != MODES[-1] and _rejects_format(exc):
                    self.mode = MODES[MODES.index(self.mode) + 1]
                    continue
                raise self._translate(exc) from None
            except openai.OpenAIError as exc:
                raise self._translate(exc) from None
            except ValueError:  # a 200 whose body is not JSON (a proxy's error page, say)
                raise TransportError("the endpoint sent a malformed (non-JSON) response") from None

    async def _create(self, request: ChatRequest) -> ChatReply:
        messages: list[Any] = [dict(m) for m in request.messages]
        body: dict[str, Any] = {"model": self.model, "messages": messages,
                                "max_tokens": request.max_tokens, "temperature": 0}
        if self.mode == "json_schema":
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "brief", "strict": True, "schema": request.schema},
            }
        else:
            # Without server-side structure the schema travels in the prompt, once, compactly.
            messages[0] = {**messages[0],
                           "content": f"{messages[0]['content']}\n\n{request.schema_prompt}"}
            if self.mode == "json_object":
                body["response_format"] = {"type": "json_object"}
        # The SDK's generic POST: it still authenticates, sends and raises its typed error for
        # every non-2xx status, but skips what chat.completions.create() adds per request for
        # nothing here: walking the parameters through its TypedDict transforms, deep-copying
        # the body, building its full response models (together over half its CPU a request).
        # (Its default headers carry the JSON content type.)
        content = await self._client().post("/chat/completions", content=json.dumps(body).encode(),
                                            cast_to=bytes)
        return self._reply(json.loads(content))

    def _reply(self, data: Any) -> ChatReply:
        """The reply's text, usage and finish reason from a chat-completion body."""
        try:
            choice = data["choices"][0]
            message = choice.get("message") or {}
            usage = data.get("usage") or {}
            refusal = message.get("refusal")
            return ChatReply(
                # A proxy or model echoing the key must not carry it into messages or errors.
                text=self._scrub(message.get("content") or ""),
                usage=Usage(prompt_tokens=usage.get("prompt_tokens") or 0,
                            completion_tokens=usage.get("completion_tokens") or 0),
                finish_reason=choice.get("finish_reason") or "stop",
                refusal=self._scrub(refusal) if refusal else None,
            )
        except (KeyError, IndexError, TypeError, AttributeError):
            raise TransportError("the endpoint sent a response without choices") from None

    def _translate(self, exc: openai.OpenAIError) -> Exception:
        """The SDK's error as ours, with the key scrubbed from any text that came back."""
        if isinstance(exc, openai.APITimeoutError):
            return TransportError("the model endpoint timed out")
        if isinstance(exc, openai.APIConnectionError):
            return TransportError("could not connect to the model endpoint")
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            detail = self._scrub(_detail(exc))
            if status == 429:
                return TransportError(
                    f"rate limited (429): {detail}", retry_after=_retry_after(exc.response)
                )
            if status >= 500 or status in (408, 409):
                return TransportError(
                    f"server error ({status}): {detail}", retry_after=_retry_after(exc.response)
                )
            what = {
                400: "bad request",
                401: "the API key was rejected",
                403: "access denied",
                404: f"unknown model or endpoint (model {self.model!r})",
                422: "bad request",
            }.get(status, "request rejected")
            return RequestRejectedError(f"{what} ({status}): {detail}", status_code=status)
        if isinstance(exc, openai.APIResponseValidationError):
            return TransportError("the endpoint sent a malformed response")
        return TransportError(self._scrub(f"model endpoint error: {exc}"))

    def _scrub(self, text: str) -> str:
        return text.replace(self._key, "[redacted]") if len(self._key) > 3 else text

    async def aclose(self) -> None:
        """Close the running loop's connection pool (and forget those of closed loops)."""
        client = self._clients.pop(asyncio.get_running_loop(), None)
        for loop in [loop for loop in self._clients if loop.is_closed()]:
            del self._clients[loop]
        if client is not None:
            await client.close()


def _detail(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        message = body.get("message") or (body.get("error") or {}).get("message")
        if message:
            return " ".join(str(message).split())[:200]
    return " ".join(str(exc.message).split())[:200]


def _rejects_format(exc: openai.BadRequestError) -> bool:
    text = f"{exc.message} {exc.body}".lower()
    return any(w in text for w in ("response_format", "json_schema", "json_object", "schema"))


def _retry_after(response: Any) -> float | None:
    """Seconds to wait from Retry-After (seconds or an HTTP date) or retry-after-ms."""
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None

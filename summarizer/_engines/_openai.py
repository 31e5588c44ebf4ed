"""Any OpenAI-compatible chat endpoint, through the official ``openai`` SDK."""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import math
import re
import threading
import time
from typing import Any, Literal
from urllib.parse import urlsplit

import openai

from .._errors import (
    ConfigurationError,
    ContextOverflowError,
    RequestRejectedError,
    RequestTimeoutError,
    TransportError,
)
from .._prompts import capped_schema
from .._result import Usage
from .._settings import RESPONSE_FORMATS, endpoint_name
from .._text import estimate_tokens
from .._wire import strict_form
from ._base import ChatModel, ChatReply, ChatRequest

# Context windows of well-known models; any other model gets DEFAULT_CONTEXT unless configured.
CONTEXTS = {"gpt-4o": 128_000, "gpt-4o-mini": 128_000, "gpt-4.1": 1_000_000,
            "gpt-4.1-mini": 1_000_000, "gpt-3.5-turbo": 16_385}
DEFAULT_CONTEXT = 8192

#: USD per million (prompt, completion) tokens; dated snapshots match by prefix. Prices change:
#: the CLI's --price-in/--price-out override them.
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
}


def price_of(model: str | None) -> tuple[float, float] | None:
    """USD per million (prompt, completion) tokens for a known model, else None."""
    if not model:
        return None
    for name in sorted(PRICES, key=len, reverse=True):  # gpt-4o-mini before gpt-4o
        if model == name or model.startswith(name + "-"):
            return PRICES[name]
    return None


# Output modes, best first; a server that rejects one is asked in the next, once per engine:
# - json_schema: OpenAI's structured outputs (OpenAI, vLLM, Ollama, LM Studio);
# - json_object+schema: JSON mode with the schema beside it, which llama.cpp's servers use to
#   constrain the output (a server that ignores the extra key still gets JSON mode), the schema
#   in the prompt as well;
# - json_object: JSON mode, the schema in the prompt;
# - text: the schema in the prompt, the JSON found in the reply.
MODES = RESPONSE_FORMATS
log = logging.getLogger("summarizer")


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
        response_format: str = "auto",
        http_client: Any = None,
    ) -> None:
        if not model:
            raise ConfigurationError("no model named: pass --model or set SUMMARIZER_MODEL")
        if not api_key and not base_url:
            raise ConfigurationError(
                "no endpoint configured: set OPENAI_API_KEY, or --base-url for a local server"
            )
        self.model_name = model
        self.endpoint = endpoint_name(base_url)
        self.context_tokens = CONTEXTS.get(model, DEFAULT_CONTEXT)
        # A client given is used on whatever loop runs, and left open: it is the caller's.
        self._given = http_client
        self._key = api_key or "no-key"  # local servers want none, but the SDK insists on one
        if transport not in ("httpx", "aiohttp"):
            raise ValueError(f"unknown transport {transport!r}: 'httpx' or 'aiohttp'")
        self._base_url, self._timeout, self._transport = base_url, timeout, transport
        # The SDK's timeout is between reads: a server that drips a byte at a time never trips
        # it. The pipeline holds the whole request to it as well.
        self.request_deadline = timeout
        # What the SDK's aiohttp transport raises without translating it (a garbled status
        # line, say): an endpoint's fault like any other, not a bug.
        self._raw_errors: tuple[type[Exception], ...] = ()
        if transport == "aiohttp":
            import aiohttp

            self._raw_errors = (aiohttp.ClientError,)
        self._clients: dict[asyncio.AbstractEventLoop | None, openai.AsyncOpenAI] = {}
        self._lock = threading.Lock()  # the sync bridge's thread and a caller's may both ask
        if response_format not in ("auto", *MODES):
            raise ConfigurationError(f"unknown response format {response_format!r}; choose "
                                     f"auto or one of {', '.join(MODES)}")
        # "auto" starts at the best and follows what the server says; a mode given is kept.
        self.pinned = response_format != "auto"
        self.mode = MODES[0] if not self.pinned else response_format
        # The model list is asked once per engine (a well-known model's window is known); the
        # briefs that start meanwhile wait for the same answer.
        self._listing: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}
        self._listed = model in CONTEXTS
        # OpenAI's own structured outputs hold the model to the schema only in strict mode,
        # which needs every field (optional ones as null); other servers constrain the output
        # by any schema, and are sent the compact one, whose optional fields a reply leaves out.
        host = urlsplit(self.endpoint).hostname or ""
        self.strict_schema = host == "api.openai.com" or host.endswith(".openai.azure.com")
        self._strict: tuple[dict[str, Any], dict[str, Any]] | None = None

    def _client(self) -> openai.AsyncOpenAI:
        """The running loop's client. Connections belong to the loop that opened them, so an
        engine used from the sync bridge's loop and from a caller's own loop keeps one each."""
        # A client given serves every loop: its loop is the caller's business.
        loop = asyncio.get_running_loop() if self._given is None else None
        with self._lock:
            client = self._clients.get(loop)
            if client is None:
                self._forget_closed_loops()
                # aiohttp under the SDK: the SDK's own advice for many concurrent requests,
                # about a third less CPU a request than httpx. An unclosed session complains on
                # stderr, so it is used where the engine's life is owned and closed (a batch).
                # The httpx client is the SDK's own, minus the finaliser its default adds, which
                # would try to close a dead loop's connections on the live one, noisily.
                http = self._given or (openai.DefaultAioHttpClient(timeout=self._timeout)
                                       if self._transport == "aiohttp"
                                       else openai.DefaultAsyncHttpxClient(timeout=self._timeout))
                # max_retries=0: the pipeline is the one retry layer.
                client = openai.AsyncOpenAI(api_key=self._key, base_url=self._base_url,
                                            timeout=self._timeout, max_retries=0,
                                            http_client=http)
                self._clients[loop] = client
        return client

    def _forget_closed_loops(self) -> None:
        # A closed loop's client can be neither used nor closed: let it go, sockets and all
        # (each asyncio.run() would otherwise leave one behind).
        for loop in [loop for loop in self._clients if loop is not None and loop.is_closed()]:
            del self._clients[loop]

    async def prepare(self) -> None:
        """The context window from the endpoint's model list, where it gives one (vLLM's
        ``max_model_len``, ``context_length`` of OpenRouter and others); silence or an error
        leaves the window as assumed."""
        if self._listed:
            return
        with self._lock:
            task = self._listing.get(asyncio.get_running_loop())
            if task is None:
                task = asyncio.get_running_loop().create_task(self._list_models())
                self._listing[asyncio.get_running_loop()] = task
        await asyncio.shield(task)

    async def _list_models(self) -> None:
        try:
            content = await self._client().get("/models", cast_to=bytes,
                                               options={"timeout": min(self._timeout, 10.0)})
            window = _listed_context(json.loads(content), self.model_name or "")
        except (openai.OpenAIError, ValueError, *self._raw_errors) as exc:  # type: ignore[misc]
            log.debug("the endpoint's model list is not available (%s)", type(exc).__name__)
            window = None
        self._listed = True
        if window:
            self.context_tokens = window
            log.info("the endpoint's model list gives %s a context window of %d tokens",
                     self.model_name, window)

    async def complete(self, request: ChatRequest) -> ChatReply:
        """One chat completion; on a rejected response_format, fall back and ask again."""
        while True:
            try:
                return await self._create(request)
            except openai.APIStatusError as exc:
                # A server says it rejects the output format in words, with whatever status it
                # chooses (400, 422, or a 500 from llama.cpp's): never a fault to retry.
                if not self.pinned and self.mode != MODES[-1] and _rejects_format(exc):
                    rejected, self.mode = self.mode, MODES[MODES.index(self.mode) + 1]
                    log.info("the endpoint rejected response_format %s (%d: %s); asking with %s",
                             rejected, exc.status_code, self._scrub(_detail(exc))[:120],
                             self.mode)
                    continue
                error = self._translate(exc)
            except openai.OpenAIError as exc:
                error = self._translate(exc)
            except self._raw_errors as exc:  # its text may hold the endpoint's user:password@
                error = TransportError(
                    f"the model endpoint broke the HTTP exchange ({type(exc).__name__})")
            except ValueError:  # a 200 whose body is not JSON (a proxy's error page, say)
                error = TransportError("the endpoint sent a malformed (non-JSON) response")
            # Raised out here, not in the handler: the SDK's error, whose request carries the
            # key in its headers, is then not even our error's __context__.
            raise error

    def request_body(self, request: ChatRequest) -> dict[str, Any]:
        """The chat-completion body this engine sends for a request (in its current output mode):
        for a live call, or a line of a Batch API file."""
        messages: list[Any] = [dict(m) for m in request.messages]
        body: dict[str, Any] = {"model": self.model_name, "messages": messages,
                                "max_tokens": request.max_tokens, "temperature": 0}
        if self.mode == "json_schema":
            body["response_format"] = {"type": "json_schema", "json_schema": {
                "name": "brief", "strict": self.strict_schema,
                "schema": self._strict_form(request.schema) if self.strict_schema
                else request.schema}}
        else:
            # Without server-side structure the schema travels in the prompt, once, compactly.
            messages[0] = {**messages[0],
                           "content": f"{messages[0]['content']}\n\n{request.schema_prompt}"}
            if self.mode == "json_object+schema":
                body["response_format"] = {"type": "json_object",
                                           "schema": capped_schema(request.schema,
                                                                   request.max_items)}
            elif self.mode == "json_object":
                body["response_format"] = {"type": "json_object"}
        return body

    async def _create(self, request: ChatRequest) -> ChatReply:
        body = self.request_body(request)
        # The SDK's generic POST: it still authenticates, sends and raises its typed error for
        # every non-2xx status, but skips what chat.completions.create() adds per request for
        # nothing here: walking the parameters through its TypedDict transforms, deep-copying
        # the body, building its full response models (together over half its CPU a request).
        # (Its default headers carry the JSON content type.)
        options: Any = {"timeout": request.timeout} if request.timeout else {}
        try:
            content = await self._client().post("/chat/completions",
                                                content=json.dumps(body, separators=(",", ":"),
                                                                   ensure_ascii=False).encode(),
                                                cast_to=bytes, options=options)
        except openai.APIStatusError as exc:  # a window overflowed may say what the prompt took
            counted = _PROMPT_COUNT.search(_answer(exc))
            if counted and _overflows(exc):
                self._calibrate(body, int(next(g for g in counted.groups() if g)))
            raise
        reply = self._reply(json.loads(content))
        self._calibrate(body, reply.usage.prompt_tokens)
        return reply

    def client(self) -> openai.AsyncOpenAI:
        """The SDK client of the running loop: for the Batch API's files and batches."""
        return self._client()

    def chat_reply(self, data: Any) -> ChatReply:
        """A chat-completion body as a reply (the body of a Batch API output line, say)."""
        return self._reply(data)

    def error_of(self, exc: openai.OpenAIError) -> Exception:
        """The SDK's error as summarizer's (transient faults as TransportError), key scrubbed."""
        return self._translate(exc)

    def _strict_form(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The schema in strict form, made once for the schema every request of a brief sends."""
        if self._strict is None or self._strict[0] is not schema:
            self._strict = (schema, strict_form(schema))
        return self._strict[1]

    def count_tokens(self, text: str) -> int:
        """The estimate, scaled to the server's count once a reply has told it."""
        return math.ceil(estimate_tokens(text) * self.token_scale)

    def _calibrate(self, body: dict[str, Any], prompt_tokens: int) -> None:
        """Learn how the server's tokens compare with the estimate from a prompt it counted.
        Only upwards (an estimate too low overfills the window; one too high wastes a little
        of it) and only from a prompt long enough to say (a chat template adds a few tokens
        a message). A schema in response_format is counted as the planner counts it: as
        prompt (OpenAI's servers count it; one that does not only keeps the scale down)."""
        if not prompt_tokens:
            return
        messages = body["messages"]
        estimate = sum(estimate_tokens(str(m.get("content") or "")) for m in messages)
        if body.get("response_format", {}).get("type") == "json_schema":
            estimate += estimate_tokens(json.dumps(body["response_format"]))
        if estimate >= 500:
            scale = min(3.0, prompt_tokens / (estimate + 8 * len(messages)))
            if scale > self.token_scale * 1.02:
                log.debug("the server counts %.2f tokens per estimated token", scale)
                self.token_scale = round(scale, 3)

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
        where = endpoint_name(self._base_url)
        if isinstance(exc, openai.APITimeoutError) and self._timed_out(exc):
            return RequestTimeoutError(f"the model endpoint {where} timed out")
        if isinstance(exc, openai.APIConnectionError):  # the timeout error is one too
            if self._dropped(exc):
                return TransportError(f"the model endpoint {where} dropped the connection "
                                      "before its answer was complete")
            return TransportError(f"could not connect to the model endpoint {where}")
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
            if status in (400, 413, 422) and _overflows(exc):
                window = _CONTEXT_SIZE.search(detail)
                return ContextOverflowError(
                    f"the request did not fit the model's context window ({status}): {detail}",
                    context_tokens=int(window.group(1).replace(",", "")) if window else None)
            what = {
                400: "bad request",
                401: "the API key was rejected",
                403: "access denied",
                404: f"unknown model or endpoint (model {self.model_name!r})",
                422: "bad request",
            }.get(status, "request rejected")
            return RequestRejectedError(f"{what} ({status}): {detail}", status_code=status)
        if isinstance(exc, openai.APIResponseValidationError):
            return TransportError("the endpoint sent a malformed response")
        return TransportError(self._scrub(f"model endpoint error: {exc}"))

    def _scrub(self, text: str) -> str:
        return text.replace(self._key, "[redacted]") if len(self._key) > 3 else text

    @staticmethod
    def _dropped(exc: openai.APIConnectionError) -> bool:
        """True when a connection that was made broke before the answer was complete (a
        refused or unreachable one is not)."""
        cause: BaseException | None = exc
        while cause is not None:
            name = type(cause).__name__
            if name in ("ConnectError", "ClientConnectorError", "ConnectionRefusedError",
                        "ConnectTimeout", "gaierror"):
                return False
            if name in ("RemoteProtocolError", "ReadError", "ServerDisconnectedError",
                        "ClientPayloadError", "IncompleteRead", "ConnectionResetError",
                        "ClientOSError"):
                return True
            cause = cause.__cause__ or cause.__context__
        return False

    def _timed_out(self, exc: openai.APITimeoutError) -> bool:
        """False when the timeout stands for a refused or dropped connection (the SDK's aiohttp
        transport reports every connection error as a connect timeout)."""
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, self._raw_errors):
                return isinstance(cause, TimeoutError)
            cause = cause.__cause__ or cause.__context__
        return True

    async def release_loop(self) -> None:
        """Close the running loop's connection pool: the same as :meth:`aclose`."""
        await self.aclose()

    async def aclose(self) -> None:
        """Close the running loop's connection pool. A pool opened on another loop that still
        runs is closed by calling this (or :meth:`release_loop`) from that loop; those of
        closed loops are let go."""
        with self._lock:
            client = self._clients.pop(asyncio.get_running_loop(), None)
            self._forget_closed_loops()
            if self._given is not None:
                self._clients.clear()  # the caller's client: theirs to close
                return
        if client is not None:
            await client.close()


def _listed_context(listing: Any, model: str) -> int | None:
    """The context window a ``/models`` answer gives the model: its entry's, or the only
    entry's (a server of one model answers to any name)."""
    entries = listing.get("data") if isinstance(listing, dict) else None
    if not isinstance(entries, list):
        return None
    entries = [e for e in entries if isinstance(e, dict)]
    named = [e for e in entries if e.get("id") == model] or (entries if len(entries) == 1 else [])
    for entry in named:
        for key in ("max_model_len", "context_length", "max_context_length", "context_window"):
            value = entry.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and value >= 512:
                return value
    return None


def _detail(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        message = body.get("message") or (body.get("error") or {}).get("message")
        if message:
            return " ".join(str(message).split())[:200]
    return " ".join(str(exc.message).split())[:200]


def _answer(exc: openai.APIStatusError) -> str:
    """All an error answer says: the SDK's message and the body it came from."""
    return f"{exc.message} {exc.body}"


def _rejects_format(exc: openai.APIStatusError) -> bool:
    """True if an error answer is about the output format asked for (the field or its values),
    whatever its status; a 5xx only when it names the field, as faults of the server say
    nothing of it."""
    if exc.status_code not in (400, 404, 415, 422, 500, 501):
        return False
    text = _answer(exc).lower()
    if exc.status_code >= 500:
        return bool(_FORMAT_FIELD.search(text))
    return any(w in text for w in ("response_format", "json_schema", "json_object", "schema",
                                   "guided", "structured output"))


_FORMAT_FIELD = re.compile(r"response_format|json_schema|json_object")
# "This model's maximum context length is 4096 tokens", vLLM's "max_model_len 4096", llama.cpp's
# "the request exceeds the available context size (4096 tokens)".
_CONTEXT_SIZE = re.compile(
    r"(?:context(?: length| window| size)?(?: is| of)?|max_model_len(?: is| of)?|n_ctx(?: is|=)?)"
    r"\D{0,30}?(\d[\d,]{2,})", re.I)

# What the prompt took, by the server's count, in an overflow error: OpenAI's and vLLM's "(4031 in
# the messages, 10 in the completion)" or "your messages resulted in 4031 tokens", llama.cpp's
# "n_prompt_tokens": 4031.
_PROMPT_COUNT = re.compile(
    r"(\d+) in the messages|messages resulted in (\d+) tokens|n_prompt_tokens\W{1,4}(\d+)")


def _overflows(exc: openai.APIStatusError) -> bool:
    """True if an error answer says the request was too long for the model's context."""
    text = _answer(exc).lower()
    return "context_length_exceeded" in text or "context length" in text or (
        "context" in text and ("exceed" in text or "too long" in text or "maximum" in text))


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

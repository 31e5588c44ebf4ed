"""Test helpers: an in-process fake chat model, and a real OpenAI-compatible HTTP server on
127.0.0.1, both scripted per request.

Where no HTTP is under test, a :class:`FakeChatModel` needs no socket::

    from summarizer import Summarizer
    from summarizer.testing import FakeChatModel

    fake = FakeChatModel('{"situation": ...}')        # then: the extractive brief
    with Summarizer(chat_model=fake) as summarizer:
        result = summarizer.summarize(text)
    assert len(fake.requests) == 1

Where it is, the server (any OpenAI client can be pointed at it)::

    from summarizer.testing import FakeOpenAIServer, Reply

    with FakeOpenAIServer() as server:                  # default reply: the extractive brief
        server.script(Reply.rate_limited(retry_after=1), Reply.server_error(503))
        result = summarize(text, engine="openai", base_url=server.url, model="fake")
        assert len(server.requests) == 3

Or from a shell: ``python -m summarizer.testing --port 8080``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pydantic import BaseModel

from ._engines import ChatModel, ChatReply, ChatRequest
from ._errors import RequestRejectedError, TransportError
from ._extractive import extract
from ._result import Usage

__all__ = ["FakeChatModel", "FakeOpenAIServer", "Reply", "pathological_texts"]

_START, _END = "<<<ARTICLE", "ARTICLE>>>"


@dataclass(frozen=True)
class Reply:
    """What the server does with one request. ``content=None`` means the default reply."""

    content: str | None = None
    status: int = 200
    latency: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    finish_reason: str = "stop"
    refusal: str | None = None
    hang: float = 0.0  # seconds to stall before answering (past the client's timeout)
    reset: bool = False  # drop the connection without an answer
    malformed: bool = False  # a 200 whose body is not JSON
    not_http: bool = False  # an answer that is not HTTP at all
    error: str | None = None  # message of an error status
    drip: float = 0.0  # send the answer a byte at a time, this many seconds apart
    usage: tuple[int, int] | None = None  # (prompt, completion) tokens to report, if not counted

    @classmethod
    def text(cls, content: str, **kw: Any) -> Reply:
        """Reply with this message content."""
        return cls(content=content, **kw)

    @classmethod
    def json(cls, data: Any, **kw: Any) -> Reply:
        """Reply with this object as JSON content."""
        return cls(content=json.dumps(data), **kw)

    @classmethod
    def rate_limited(cls, retry_after: float | None = 1.0) -> Reply:
        """429, with Retry-After when given."""
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        return cls(status=429, headers=headers, error="Rate limit reached")

    @classmethod
    def server_error(cls, status: int = 500) -> Reply:
        """A 5xx."""
        return cls(status=status, error="The server had an error")

    @classmethod
    def unauthorized(cls) -> Reply:
        """401, as for a bad key."""
        return cls(status=401, error="Incorrect API key provided")

    @classmethod
    def stall(cls, seconds: float = 30.0) -> Reply:
        """Hang before answering, past the client's timeout."""
        return cls(hang=seconds)

    @classmethod
    def connection_reset(cls) -> Reply:
        """Close the connection with a reset, no answer."""
        return cls(reset=True)

    @classmethod
    def malformed_body(cls) -> Reply:
        """A 200 whose body is not JSON at all."""
        return cls(malformed=True)

    @classmethod
    def garbled(cls) -> Reply:
        """An answer that is not HTTP (a wrong port, a broken proxy)."""
        return cls(not_http=True)

    @classmethod
    def dripping(cls, seconds_per_byte: float = 0.05) -> Reply:
        """Send the headers at once, then the body a byte at a time: each read is quick, the
        whole answer takes for ever (a server or proxy in trouble, or a slow-loris)."""
        return cls(drip=seconds_per_byte)

    @classmethod
    def truncated(cls, content: str = '{"situation": "The army', **kw: Any) -> Reply:
        """Output cut at the length limit (all the output asked for, unless ``usage`` says)."""
        return cls(content=content, finish_reason="length", **kw)

    @classmethod
    def refused(cls, words: str = "I can't help with that.") -> Reply:
        """A refusal, as structured-output models report one."""
        return cls(content=None, refusal=words)


Script = (Reply | str | dict[str, Any] | BaseModel | ChatReply | BaseException
          | Callable[[ChatRequest], Any])


class FakeChatModel(ChatModel):
    """A chat model in this process, for tests of code built on summarizer: no socket, no
    thread. Each request takes the next scripted reply (a JSON string, a dict or pydantic
    model sent as JSON, a :class:`ChatReply`, a :class:`Reply` as the fake server would send
    it, an exception to raise, or a function of the request returning any of these); with
    nothing scripted, it answers with the extractive brief of the request's article. Every
    request is kept in ``requests``; tokens are counted at 4 characters each."""

    engine = "fake"

    def __init__(self, *replies: Script, model_name: str = "fake-model",
                 context_tokens: int | None = None) -> None:
        self._queue: deque[Script] = deque(replies)
        self.model_name = model_name
        self.context_tokens = context_tokens
        self.requests: list[ChatRequest] = []
        self.closed = False

    def script(self, *replies: Script) -> FakeChatModel:
        """Queue replies for the next requests, in order."""
        self._queue.extend(replies)
        return self

    async def complete(self, request: ChatRequest) -> ChatReply:
        """The next scripted reply, or the extractive brief of the article."""
        self.requests.append(request)
        reply = self._queue.popleft() if self._queue else None
        if callable(reply) and not isinstance(reply, BaseModel):
            reply = reply(request)
        if isinstance(reply, BaseException):
            raise reply
        if isinstance(reply, Reply):
            return await _as_chat_reply(reply, request)
        if isinstance(reply, ChatReply):
            return reply
        text = (reply.model_dump_json() if isinstance(reply, BaseModel)
                else json.dumps(reply) if isinstance(reply, dict)
                else reply if isinstance(reply, str)
                else extract(request.article or "Nothing happened.").model_dump_json())
        return ChatReply(text, _usage(request, text))

    async def aclose(self) -> None:
        """Mark the model closed (tests can check that it was)."""
        self.closed = True


def _usage(request: ChatRequest, text: str, cut: bool = False) -> Usage:
    prompt = sum(len(m["content"]) for m in request.messages) // 4 + 1
    return Usage(prompt_tokens=prompt,
                 completion_tokens=request.max_tokens if cut else len(text) // 4 + 1)


async def _as_chat_reply(reply: Reply, request: ChatRequest) -> ChatReply:
    """What an engine would make of the fake server's reply: a reply, or its typed error."""
    if reply.latency or reply.hang:
        await asyncio.sleep(reply.latency or reply.hang)  # a hang outlasts the request's limit
    if reply.reset or reply.malformed or reply.not_http:
        raise TransportError("the model endpoint broke the HTTP exchange")
    if reply.status == 429 or reply.status >= 500:
        after = reply.headers.get("Retry-After")
        raise TransportError(f"the endpoint answered {reply.status}: {reply.error}",
                             retry_after=float(after) if after else None)
    if reply.status != 200:
        raise RequestRejectedError(f"the endpoint answered {reply.status}: {reply.error}",
                                   status_code=reply.status)
    text = reply.content if reply.content is not None or reply.refusal else (
        extract(request.article or "Nothing happened.").model_dump_json())
    usage = _usage(request, text or "", cut=reply.finish_reason == "length")
    if reply.usage:
        usage = Usage(prompt_tokens=reply.usage[0], completion_tokens=reply.usage[1])
    return ChatReply(text or "", usage, reply.finish_reason, reply.refusal)


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 resets connections when a batch opens dozens at once.
    request_queue_size = 256
    daemon_threads = True


Responder = Callable[[int, dict[str, Any]], "Reply | None"]


class FakeOpenAIServer:
    """``/v1/chat/completions`` and ``/v1/models`` on 127.0.0.1, scripted per request.

    Replies come from the script queue, then from ``responder(index, body)`` if given, then the
    default: the extractive engine's brief of the article in the request. With
    ``reject_json_schema=True`` (or a status: 400, 422, 500) it refuses ``response_format:
    json_schema`` the way real servers do: a 400 saying so (older OpenAI-compatible servers), a
    422 naming the field (FastAPI-based ones), a 500 quoting the validation error
    (llama-cpp-python's). ``context_window`` is listed in ``/v1/models`` as vLLM lists it. Every
    chat request body is kept in ``requests``.
    """

    def __init__(
        self,
        replies: Iterable[Reply] = (),
        *,
        port: int = 0,
        reject_json_schema: bool | int = False,
        latency: float = 0.0,
        responder: Responder | None = None,
        models: Iterable[str] = ("fake-model",),
        context_window: int | None = None,
    ) -> None:
        self._queue: deque[Reply] = deque(replies)
        self.reject_json_schema = reject_json_schema
        self.latency = latency
        self.responder = responder
        self.models = list(models)
        self.context_window = context_window  # listed as vLLM does, as max_model_len
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _Server(("127.0.0.1", port), _handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The base URL to give an OpenAI client."""
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *replies: Reply) -> None:
        """Queue replies for the next requests, in order."""
        with self._lock:
            self._queue.extend(replies)

    def start(self) -> FakeOpenAIServer:
        """Serve in a background thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and cut any stalled reply short."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            index = len(self.requests)
            self.requests.append(body)
            scripted = self._queue.popleft() if self._queue else None
        if scripted is None and self.responder is not None:
            scripted = self.responder(index, body)
        return scripted or Reply()


def pathological_texts(size: int = 100_000) -> dict[str, str]:
    """Texts of about ``size`` characters that once made text scanners slow (a regex retried at
    every offset, a block searched again as it grows): runs of digits, decimals, dots, dashes and
    quotes; other scripts' digits; short lines; number soup. Each comes twice: bare, and inside
    a paragraph of news so that it is read as body text."""
    words = ("killed 12 and injured 30 at least more than said police the were wounded , "
             "including 5 to 7 between").split()
    bare = {
        "digits": "9" * size,
        "digits_spaced": " ".join(["9" * 50] * (size // 51)),
        "one_dot": "1." * (size // 2),
        "decimals": "0." + "1" * size,
        "arabic_digits": "\u0663" * size,
        "fullwidth_digits": "\uff19" * size,
        "short_lines": "\n".join(["ab"] * (size // 3)),
        "wrapped_lines": "\n".join(["ab cd", "ef gh"] * (size // 12)),
        "dots": "." * size,
        "dashes": "-" * size,
        "quotes": '"' * size,
        "parens": "(" * size,
        "word_dots": "a." * (size // 2),
        "capitals": " ".join(["Abc"] * (size // 4)),
        "long_word": "a" * size,
        "ranges": " to ".join(["5"] * (size // 5)),
        "number_soup": " ".join(words[i % len(words)] for i in range(size // 6)),
        "said": "police said " * (size // 12),
        "mixed_scripts": "".join("aZ9.,;:-'\" \n\u0663\u4e00()"[(i * 7919) % 15]
                                 for i in range(size)),
    }
    out = dict(bare)
    for name, text in bare.items():
        out[f"{name}_in_news"] = (f"Rebels attacked the town on Monday, police said. {text} more "
                                  "words here.\n\nThe army said 12 people were killed.\n")
    return out


# How real servers refuse response_format json_schema, by status.
_FORMAT_REJECTIONS: dict[int, Any] = {
    400: {"error": {"message": "response_format json_schema is not supported by this server",
                    "type": "invalid_request_error", "param": "response_format"}},
    422: {"detail": [{"type": "literal_error", "loc": ["body", "response_format", "type"],
                      "msg": "Input should be 'text' or 'json_object'", "input": "json_schema"}]},
    500: {"error": {"message": "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', "
                               "'response_format', 'type'), 'msg': \"Input should be 'text' or "
                               "'json_object'\", 'input': 'json_schema'}",
                    "type": "internal_server_error", "param": None, "code": None}},
}


def default_content(body: dict[str, Any]) -> str:
    """The extractive engine's brief of the article in a chat request, as JSON."""
    from ._extractive import extract

    article = ""
    for message in body.get("messages", []):
        content = str(message.get("content") or "")
        if message.get("role") == "user" and _START in content:
            article = content.split(_START, 1)[1].rsplit(_END, 1)[0].strip("\n")
            break
    else:
        users = [m for m in body.get("messages", []) if m.get("role") == "user"]
        article = str(users[-1].get("content") or "") if users else ""
    return extract(article or "Nothing happened.").model_dump_json()


def _handler(server: FakeOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Nagle's algorithm with delayed ACKs would stall each small reply by ~40 ms.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
            return

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            if self.path.rstrip("/") in ("/v1/models", "/models"):
                data: list[dict[str, Any]] = [{"id": m, "object": "model", "owned_by": "fake"}
                                              for m in server.models]
                if server.context_window:
                    data = [{**m, "max_model_len": server.context_window} for m in data]
                self._send(200, {"object": "list", "data": data})
            else:
                self._send(404, {"error": {"message": "not found", "type": "invalid_request"}})

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
                self._send(404, {"error": {"message": "not found", "type": "invalid_request"}})
                return
            if not (self.headers.get("Content-Type") or "").lower().startswith("application/json"):
                # As real servers do: a body not declared as JSON is refused.
                self._send(415, {"error": {"message": "expected Content-Type: application/json",
                                           "type": "invalid_request"}})
                return
            try:
                body = json.loads(raw)
            except json.JSONDecodeError:
                self._send(400, {"error": {"message": "body is not JSON", "type": "invalid"}})
                return
            reply = server._next(body)
            delay = reply.latency or server.latency
            if delay:
                time.sleep(delay)
            if reply.hang:
                server._stopping.wait(reply.hang)
                self.close_connection = True
                return
            if reply.reset:
                # SO_LINGER 0 makes close() send a RST: a connection reset, not a clean close.
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.close_connection = True
                self.connection.close()
                return
            if reply.not_http:
                self.wfile.write(b"HELLO WORLD\r\n\r\n")
                self.close_connection = True
                return
            fmt = (body.get("response_format") or {}).get("type")
            if server.reject_json_schema and fmt == "json_schema":
                status = 400 if server.reject_json_schema is True else int(server.reject_json_schema)
                self._send(status, _FORMAT_REJECTIONS[status])
                return
            if reply.status != 200:
                kind = "rate_limit_exceeded" if reply.status == 429 else "server_error"
                self._send(reply.status, {"error": {"message": reply.error or "error",
                                                    "type": kind}}, reply.headers)
                return
            if reply.malformed:
                self._send_raw(200, b"<html>502 Bad Gateway</html>", "application/json")
                return
            content = reply.content
            if content is None and reply.refusal is None:
                content = default_content(body)
            # A fixed 4 characters a token: cheap and good enough for budgets in tests. An
            # answer cut at the length limit used all the output asked for, as on real servers.
            prompt = sum(len(str(m.get("content") or "")) for m in body.get("messages", []))
            prompt_tokens = prompt // 4 + 1
            completion_tokens = len(content or reply.refusal or "") // 4 + 1
            if reply.finish_reason == "length" and isinstance(body.get("max_tokens"), int):
                completion_tokens = body["max_tokens"]
            if reply.usage:
                prompt_tokens, completion_tokens = reply.usage
            self._send(200, {
                "id": f"chatcmpl-fake-{len(server.requests)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "fake-model"),
                "choices": [{
                    "index": 0,
                    "message": {"role": "assistant", "content": content,
                                "refusal": reply.refusal},
                    "finish_reason": reply.finish_reason,
                }],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                          "total_tokens": prompt_tokens + completion_tokens},
            }, reply.headers, reply.drip)

        def _send(self, status: int, data: Any, headers: dict[str, str] | None = None,
                  drip: float = 0.0) -> None:
            self._send_raw(status, json.dumps(data).encode(), "application/json", headers, drip)

        def _send_raw(self, status: int, payload: bytes, ctype: str,
                      headers: dict[str, str] | None = None, drip: float = 0.0) -> None:
            head = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", f"Content-Type: {ctype}",
                    f"Content-Length: {len(payload)}"]
            head += [f"{k}: {v}" for k, v in (headers or {}).items()]
            if drip:
                self._drip(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"), payload, drip)
                return
            try:
                # Status, headers and body in one write: one segment, no stall between them.
                self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def _drip(self, head: bytes, payload: bytes, seconds: float) -> None:
            try:
                self.wfile.write(head)
                self.wfile.flush()
                for i in range(len(payload)):
                    if server._stopping.wait(seconds):
                        break
                    self.wfile.write(payload[i:i + 1])
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up: what a drip is for
            self.close_connection = True

    return Handler


def _port(text: str) -> int:
    """A TCP port number for argparse; 0 picks a free one."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0-65535; 0 picks a free one)")
    return port


def _seconds(text: str) -> float:
    """A finite, non-negative number of seconds for argparse."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    # time.sleep() would reject these inside every request: each would drop with a traceback.
    if not 0 <= seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not a number of seconds (0 or more)")
    return seconds


def main(argv: list[str] | None = None) -> None:
    """Run the fake server until interrupted; exit 2 on a usage error, 1 if it cannot listen."""
    parser = argparse.ArgumentParser(
        prog="python -m summarizer.testing",
        description="A fake OpenAI-compatible server whose replies are the extractive brief.",
    )
    parser.add_argument("--port", type=_port, default=8080, help="0 picks a free port")
    parser.add_argument("--latency", type=_seconds, default=0.0, help="seconds added per reply")
    parser.add_argument("--reject-json-schema", action="store_true",
                        help="answer response_format json_schema with 400, like older servers")
    args = parser.parse_args(argv)
    try:
        server = FakeOpenAIServer(port=args.port, latency=args.latency,
                                  reject_json_schema=args.reject_json_schema)
    except OSError as exc:  # the port is taken, or needs privileges: the user's to fix, not a bug
        parser.exit(1, f"{parser.prog}: error: cannot listen on 127.0.0.1:{args.port}: "
                       f"{exc.strerror or exc}\n")
    print(f"fake OpenAI server on {server.url} (Ctrl-C to stop)", flush=True)
    try:
        server._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server._server.server_close()


if __name__ == "__main__":
    main()

"""The fake OpenAI-compatible HTTP server of :mod:`summarizer.testing`.

A real server on 127.0.0.1 (``http.server`` in a thread), so the openai engine's whole HTTP path
is exercised: each request takes a scripted :class:`Reply` (a status, a stall, a reset, a drip,
a body that is no JSON or no HTTP), else the extractive brief of the request's article, its
evidence cited by sentence number as a model following the wire schema would (or quoted).
Import it from :mod:`summarizer.testing`.
"""

from __future__ import annotations

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

from ._extractive import extract
from ._fake_batches import FakeBatches
from ._wire import read_numbered, wire_form

__all__ = ["FakeOpenAIServer", "Reply", "Responder", "default_content"]

_START, _END = "<<<ARTICLE", "ARTICLE>>>"
_NOT_FOUND = {"error": {"message": "not found", "type": "invalid_request"}}


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


Responder = Callable[[int, dict[str, Any]], "Reply | None"]


class FakeOpenAIServer:
    """``/v1/chat/completions`` and ``/v1/models`` on 127.0.0.1, scripted per request.

    Replies come from the script queue, then from ``responder(index, body)`` if given, then the
    default: the extractive engine's brief of the article in the request, its evidence cited by
    the numbers of the request's numbered sentences (quoted with ``quote_evidence=True``). With
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
        quote_evidence: bool = False,
    ) -> None:
        self._queue: deque[Reply] = deque(replies)
        self.quote_evidence = quote_evidence
        self.reject_json_schema = reject_json_schema
        self.latency = latency
        self.responder = responder
        self.models = list(models)
        self.context_window = context_window  # listed as vLLM does, as max_model_len
        self.requests: list[dict[str, Any]] = []
        #: The Batch API (/v1/files, /v1/batches): its clock, faults and counts.
        self.batches = FakeBatches(self._batch_completion)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _Server(("127.0.0.1", port), self)
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

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted, then close the socket."""
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

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

    def _batch_completion(self, body: dict[str, Any], reply: Reply | None) -> dict[str, Any]:
        """A batch line's answer, made as a live request's would be (not counted in requests)."""
        return _completion(body, reply or Reply(), 0, quote_evidence=self.quote_evidence)

    def _format_rejection(self, body: dict[str, Any]) -> int | None:
        """The status refusing this request's ``response_format``, if this server refuses it."""
        fmt = (body.get("response_format") or {}).get("type")
        if not self.reject_json_schema or fmt != "json_schema":
            return None
        return 400 if self.reject_json_schema is True else int(self.reject_json_schema)

    def _models(self) -> dict[str, Any]:
        """The body of ``/v1/models``."""
        data: list[dict[str, Any]] = [{"id": m, "object": "model", "owned_by": "fake"}
                                      for m in self.models]
        if self.context_window:
            data = [{**m, "max_model_len": self.context_window} for m in data]
        return {"object": "list", "data": data}


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


def default_content(body: dict[str, Any], *, quote_evidence: bool = False) -> str:
    """The extractive engine's brief of the article in a chat request, as JSON: its evidence
    cited by the numbers the request gives its sentences, or quoted (as a model that ignores
    the numbers would, and where the request numbers none)."""
    text = ""
    for message in body.get("messages", []):
        content = str(message.get("content") or "")
        if message.get("role") == "user" and _START in content:
            text = content.split(_START, 1)[1].rsplit(_END, 1)[0].strip("\n")
            break
    else:
        users = [m for m in body.get("messages", []) if m.get("role") == "user"]
        text = str(users[-1].get("content") or "") if users else ""
    article, spans = read_numbered(text)
    if not spans:  # no numbered sentences: the text is the article, and quotes are all it can
        return extractive_reply(text, quote_evidence=True)
    return extractive_reply(article, spans, quote_evidence=quote_evidence)


def extractive_reply(article: str, spans: list[tuple[int, int]] | None = None, *,
                     quote_evidence: bool = False) -> str:
    """The fakes' default answer: the extractive engine's brief of the article, as JSON in the
    wire schema (evidence by the numbers of ``spans``, the article's sentences, by default its
    own split), or as the brief itself with quoted evidence."""
    brief = extract(article or "Nothing happened.")
    if quote_evidence:
        return brief.model_dump_json()
    return json.dumps(wire_form(brief, article, spans), separators=(",", ":"))


def fake_usage(reply: Reply, prompt_chars: int, answer: str, max_tokens: object) -> tuple[int, int]:
    """The (prompt, completion) tokens the fakes report: a fixed 4 characters a token, cheap and
    good enough for budgets in tests; an answer cut at the length limit used all the output
    asked for, as on real servers; ``reply.usage`` when the script gives one."""
    if reply.usage:
        return reply.usage
    completion = len(answer) // 4 + 1
    if reply.finish_reason == "length" and isinstance(max_tokens, int):
        completion = max_tokens
    return prompt_chars // 4 + 1, completion


def _completion(body: dict[str, Any], reply: Reply, number: int, *,
                quote_evidence: bool = False) -> dict[str, Any]:
    """The chat completion answering ``body`` as ``reply`` says, numbered ``number``."""
    content = reply.content
    if content is None and reply.refusal is None:
        content = default_content(body, quote_evidence=quote_evidence)
    prompt = sum(len(str(m.get("content") or "")) for m in body.get("messages", []))
    prompt_tokens, completion_tokens = fake_usage(reply, prompt, content or reply.refusal or "",
                                                  body.get("max_tokens"))
    return {
        "id": f"chatcmpl-fake-{number}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake-model"),
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content, "refusal": reply.refusal},
            "finish_reason": reply.finish_reason,
        }],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 resets connections when a batch opens dozens at once.
    request_queue_size = 256
    daemon_threads = True

    def __init__(self, address: tuple[str, int], fake: FakeOpenAIServer) -> None:
        self.fake = fake  # before binding: a handler may run as soon as it serves
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    """One connection to the fake server; ``self.server.fake`` says what to answer."""

    server: _Server
    protocol_version = "HTTP/1.1"
    # Nagle's algorithm with delayed ACKs would stall each small reply by ~40 ms.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002, ARG002 - quiet
        return

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.rstrip("/").removeprefix("/v1")
        batches = self.server.fake.batches
        if path == "/models":
            self._send(200, self.server.fake._models())
        elif path.split("?")[0] == "/batches":
            self._answer(*batches.listing())
        elif path.startswith("/batches/"):
            self._answer(*batches.retrieve(path.split("/")[2]))
        elif path.startswith("/files/") and path.endswith("/content"):
            self._answer(*batches.content(path.split("/")[2]))
        else:
            self._send(404, _NOT_FOUND)

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.rstrip("/").removeprefix("/v1")
        if path.startswith(("/files", "/batches")):
            self._batch_post(path)
            return
        body = self._chat_request()
        if body is None:
            return
        fake = self.server.fake
        reply = fake._next(body)
        delay = reply.latency or fake.latency
        if delay:
            time.sleep(delay)
        if self._misbehaved(reply):
            return
        rejection = fake._format_rejection(body)
        if rejection is not None:
            self._send(rejection, _FORMAT_REJECTIONS[rejection])
        elif reply.status != 200:
            kind = "rate_limit_exceeded" if reply.status == 429 else "server_error"
            self._send(reply.status, {"error": {"message": reply.error or "error", "type": kind}},
                       reply.headers)
        elif reply.malformed:
            self._send_raw(200, b"<html>502 Bad Gateway</html>", "application/json")
        else:
            self._send(200, _completion(body, reply, len(fake.requests),
                                        quote_evidence=fake.quote_evidence), reply.headers,
                       reply.drip)

    def _batch_post(self, path: str) -> None:
        """An upload, a new batch, or a cancel."""
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        batches = self.server.fake.batches
        if path == "/files":
            self._answer(*batches.upload(self.headers.get("Content-Type") or "", raw))
        elif path == "/batches":
            self._answer(*batches.create(json.loads(raw or b"{}")))
        elif path.endswith("/cancel"):
            self._answer(*batches.cancel(path.split("/")[2]))
        else:
            self._send(404, _NOT_FOUND)

    def _answer(self, status: int, data: Any) -> None:
        if isinstance(data, bytes):
            self._send_raw(status, data, "application/octet-stream")
        else:
            self._send(status, data)

    def _chat_request(self) -> dict[str, Any] | None:
        """The body of a chat request; None once a 404, 415 or 400 has answered it."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
            self._send(404, _NOT_FOUND)
            return None
        if not (self.headers.get("Content-Type") or "").lower().startswith("application/json"):
            # As real servers do: a body not declared as JSON is refused.
            self._send(415, {"error": {"message": "expected Content-Type: application/json",
                                       "type": "invalid_request"}})
            return None
        try:
            body = json.loads(raw)
        except json.JSONDecodeError:
            body = None
        if not isinstance(body, dict):  # "[]" or "3" is JSON, but no request
            self._send(400, {"error": {"message": "body is not a JSON object", "type": "invalid"}})
            return None
        return body

    def _misbehaved(self, reply: Reply) -> bool:
        """Stall, reset or answer in no HTTP, as ``reply`` says; whether it did."""
        if reply.hang:
            self.server.fake._stopping.wait(reply.hang)
        elif reply.reset:
            # SO_LINGER 0 makes close() send a RST: a connection reset, not a clean close.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        elif reply.not_http:
            self.wfile.write(b"HELLO WORLD\r\n\r\n")
        else:
            return False
        self.close_connection = True
        return True

    def _send(self, status: int, data: Any, headers: dict[str, str] | None = None,
              drip: float = 0.0) -> None:
        self._send_raw(status, json.dumps(data).encode(), "application/json", headers, drip)

    def _send_raw(self, status: int, payload: bytes, ctype: str,
                  headers: dict[str, str] | None = None, drip: float = 0.0) -> None:
        head = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", f"Content-Type: {ctype}",
                f"Content-Length: {len(payload)}"]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        top = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        if drip:
            self._drip(top, payload, drip)
            return
        try:
            # Status, headers and body in one write: one segment, no stall between them.
            self.wfile.write(top + payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _drip(self, head: bytes, payload: bytes, seconds: float) -> None:
        try:
            self.wfile.write(head)
            self.wfile.flush()
            for i in range(len(payload)):
                if self.server.fake._stopping.wait(seconds):
                    break
                self.wfile.write(payload[i:i + 1])
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up: what a drip is for
        self.close_connection = True

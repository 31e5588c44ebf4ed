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
import contextlib
import json
from collections import deque
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from ._engines import ChatModel, ChatReply, ChatRequest
from ._errors import RequestRejectedError, TransportError
from ._fake_server import (
    FakeOpenAIServer,
    Reply,
    Responder,
    default_content,
    extractive_reply,
    fake_usage,
)
from ._result import Usage

__all__ = [
    "FakeChatModel",
    "FakeOpenAIServer",
    "Reply",
    "Responder",
    "default_content",
    "pathological_texts",
]


Script = (Reply | str | dict[str, Any] | BaseModel | ChatReply | BaseException
          | Callable[[ChatRequest], Any])


class FakeChatModel(ChatModel):
    """A chat model in this process, for tests of code built on summarizer: no socket, no
    thread. Each request takes the next scripted reply (a JSON string, a dict or pydantic
    model sent as JSON, a :class:`ChatReply`, a :class:`Reply` as the fake server would send
    it, an exception to raise, or a function of the request returning any of these); with
    nothing scripted, it answers with the extractive brief of the request's article, in the
    wire schema (evidence by sentence number; quoted with ``quote_evidence=True``). Every
    request is kept in ``requests``; tokens are counted at 4 characters each. Its briefs are
    not cached unless ``cacheable=True`` (a test of caching)."""

    engine = "fake"

    def __init__(self, *replies: Script, model_name: str = "fake-model",
                 context_tokens: int | None = None, cacheable: bool = False,
                 quote_evidence: bool = False) -> None:
        self._queue: deque[Script] = deque(replies)
        self.quote_evidence = quote_evidence
        self.model_name = model_name
        self.context_tokens = context_tokens
        # Off unless asked for: a test's fake briefs must not land in the user's real cache.
        self.cacheable = cacheable
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
            return await _as_chat_reply(reply, request, self.quote_evidence)
        if isinstance(reply, ChatReply):
            return reply
        text = (reply.model_dump_json() if isinstance(reply, BaseModel)
                else json.dumps(reply) if isinstance(reply, dict)
                else reply if isinstance(reply, str)
                else extractive_reply(request.article, quote_evidence=self.quote_evidence))
        return ChatReply(text, _usage(Reply(), request, text))

    async def aclose(self) -> None:
        """Mark the model closed (tests can check that it was)."""
        self.closed = True


def _usage(reply: Reply, request: ChatRequest, answer: str) -> Usage:
    prompt, completion = fake_usage(reply, sum(len(m["content"]) for m in request.messages),
                                    answer, request.max_tokens)
    return Usage(prompt_tokens=prompt, completion_tokens=completion)


async def _as_chat_reply(reply: Reply, request: ChatRequest, quote_evidence: bool) -> ChatReply:
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
        extractive_reply(request.article, quote_evidence=quote_evidence))
    usage = _usage(reply, request, text or reply.refusal or "")
    return ChatReply(text or "", usage, reply.finish_reason, reply.refusal)


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
        description="A fake OpenAI-compatible server whose replies are the extractive brief, "
                    "its evidence cited by sentence number.",
    )
    parser.add_argument("--port", type=_port, default=8080, help="0 picks a free port")
    parser.add_argument("--latency", type=_seconds, default=0.0, help="seconds added per reply")
    parser.add_argument("--reject-json-schema", action="store_true",
                        help="answer response_format json_schema with 400, like older servers")
    parser.add_argument("--quote-evidence", action="store_true",
                        help="quote evidence as text, as a model that ignores the numbers would")
    args = parser.parse_args(argv)
    try:
        server = FakeOpenAIServer(port=args.port, latency=args.latency,
                                  reject_json_schema=args.reject_json_schema,
                                  quote_evidence=args.quote_evidence)
    except OSError as exc:  # the port is taken, or needs privileges: the user's to fix, not a bug
        parser.exit(1, f"{parser.prog}: error: cannot listen on 127.0.0.1:{args.port}: "
                       f"{exc.strerror or exc}\n")
    print(f"fake OpenAI server on {server.url} (Ctrl-C to stop)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()

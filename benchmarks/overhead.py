"""What summarizer adds to a request: the raw openai SDK vs summarizer with validation and
grounding, the same requests against one FakeOpenAIServer on loopback with no added latency.
Both of summarizer's APIs are measured: ``asummarize()`` against the SDK's async client, and the
blocking ``summarize()`` against the SDK's blocking client, all interleaved in one run so that
the machine's drift hits every side alike. The last line gives both ratios.

Run: python benchmarks/overhead.py [N]
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

import openai

from summarizer import Summarizer
from summarizer._extractive import extract
from summarizer._parse import build_messages
from summarizer._prompts import load_prompts
from summarizer._wire import wire_form, wire_schema
from summarizer.testing import FakeOpenAIServer, Reply

HERE = Path(__file__).resolve().parent
EVAL = HERE.parent.parent / "shared" / "eval" / "dev"


def article() -> str:
    """A real article of about 1,000 words (the longest in the eval set, else the example)."""
    texts = [p.read_text(encoding="utf-8") for p in EVAL.glob("*.txt")] if EVAL.is_dir() else []
    texts = texts or [(HERE.parent / "examples" / "baghouz.txt").read_text(encoding="utf-8")]
    return max(texts, key=lambda t: len(t.split()))


def main(n: int) -> None:
    text = article()
    # Identical reply JSON for every side: the extractive brief in the wire schema (evidence by
    # sentence number), as the request asks for it.
    reply = json.dumps(wire_form(extract(text), text), separators=(",", ":"))
    messages = list(build_messages(load_prompts(), text))
    schema = {"type": "json_schema",
              "json_schema": {"name": "brief", "strict": False, "schema": wire_schema()}}
    body = {"model": "m", "messages": messages, "max_tokens": 2048, "temperature": 0,
            "response_format": schema}
    with FakeOpenAIServer(responder=lambda _i, _body: Reply.text(reply)) as server, \
            openai.OpenAI(base_url=server.url, api_key="x", max_retries=0) as raw_sync, \
            Summarizer(engine="openai", base_url=server.url, model="m", cache=False) as ours:
        loop = asyncio.new_event_loop()
        raw_async = openai.AsyncOpenAI(base_url=server.url, api_key="x", max_retries=0)

        def raw_async_call() -> None:
            async def call() -> None:
                response = await raw_async.chat.completions.create(**body)  # type: ignore[call-overload]
                json.loads(response.choices[0].message.content or "")
            loop.run_until_complete(call())

        def our_async_call() -> None:
            loop.run_until_complete(ours.asummarize(text))

        def raw_sync_call() -> None:
            response = raw_sync.chat.completions.create(**body)  # type: ignore[call-overload]
            json.loads(response.choices[0].message.content or "")

        def our_sync_call() -> None:
            ours.summarize(text)

        calls = [raw_async_call, our_async_call, raw_sync_call, our_sync_call]
        for _ in range(20):  # warm up connections, imports and caches on every side
            for call in calls:
                call()
        times: dict[object, list[float]] = {call: [] for call in calls}
        for i in range(n):  # interleaved, in a rotating order, so noise hits every side alike
            for call in calls[i % 4:] + calls[:i % 4]:
                started = time.perf_counter()
                call()
                times[call].append(time.perf_counter() - started)
        loop.run_until_complete(ours.aclose())
        loop.run_until_complete(raw_async.close())
        loop.close()
    ms = {call: statistics.median(t) * 1000 for call, t in times.items()}
    async_ratio = ms[our_async_call] / ms[raw_async_call]
    sync_ratio = ms[our_sync_call] / ms[raw_sync_call]
    print(f"article: {len(text.split())} words; reply: {len(reply)} bytes; median of {n}")
    print(f"async: raw SDK {ms[raw_async_call]:.2f} ms, asummarize() {ms[our_async_call]:.2f} ms")
    print(f"sync:  raw SDK {ms[raw_sync_call]:.2f} ms, summarize()  {ms[our_sync_call]:.2f} ms")
    print(f"overhead: async ratio {async_ratio:.2f}, sync ratio {sync_ratio:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)

"""What summarizer adds to a request: the raw openai SDK vs summarizer with validation and
grounding, the same requests against one FakeOpenAIServer on loopback with no added latency.

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
from summarizer._prompts import load_prompts, model_schema
from summarizer.testing import FakeOpenAIServer, Reply

HERE = Path(__file__).resolve().parent
EVAL = HERE.parent.parent / "shared" / "eval" / "dev"


def article() -> str:
    """A real article of about 1,000 words (the longest in the eval set, else the example)."""
    texts = [p.read_text(encoding="utf-8") for p in EVAL.glob("*.txt")] if EVAL.is_dir() else []
    texts = texts or [(HERE.parent / "examples" / "baghouz.txt").read_text(encoding="utf-8")]
    return max(texts, key=lambda t: len(t.split()))


async def main(n: int) -> None:
    text = article()
    reply = extract(text).model_dump_json()  # identical reply JSON for both sides
    messages = list(build_messages(load_prompts(), text))
    schema = {"type": "json_schema",
              "json_schema": {"name": "brief", "strict": True, "schema": model_schema()}}
    with FakeOpenAIServer(responder=lambda i, body: Reply.text(reply)) as server:
        raw = openai.AsyncOpenAI(base_url=server.url, api_key="x", max_retries=0)
        ours = Summarizer(engine="openai", base_url=server.url, model="m", cache=False)

        async def raw_call() -> None:
            response = await raw.chat.completions.create(
                model="m", messages=messages, max_tokens=2048, temperature=0,
                response_format=schema,  # type: ignore[arg-type]
            )
            json.loads(response.choices[0].message.content or "")

        async def our_call() -> None:
            await ours.asummarize(text)

        for _ in range(20):  # warm up connections, imports and caches on both sides
            await raw_call()
            await our_call()
        a: list[float] = []
        b: list[float] = []
        for i in range(n):  # interleaved, alternating who goes first, so noise hits both alike
            order = (raw_call, our_call) if i % 2 == 0 else (our_call, raw_call)
            for call in order:
                started = time.perf_counter()
                await call()
                (a if call is raw_call else b).append(time.perf_counter() - started)
        await raw.close()
        await ours.aclose()
    ma, mb = statistics.median(a) * 1000, statistics.median(b) * 1000
    print(f"article: {len(text.split())} words; reply: {len(reply)} bytes")
    print(f"overhead: ratio {mb / ma:.2f} (raw SDK {ma:.2f} ms, summarizer {mb:.2f} ms, "
          f"median of {n})")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300))

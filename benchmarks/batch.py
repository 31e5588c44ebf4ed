"""Batch throughput against a fake endpoint with fixed latency: achieved vs ideal.

Ideal is ``N * latency / concurrency``: what perfect overlap of the waits would take. The run
goes through the real Summarizer and openai SDK over HTTP to FakeOpenAIServer on loopback. The
server runs in its own process, as a real endpoint would: in this one its 32 threads would fight
the client for the GIL. Engine start-up (imports, the client's TLS context) is outside the timing.

    .venv/bin/python benchmarks/batch.py [--articles 256] [--latency 0.2] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from summarizer import Settings, Summarizer, asummarize_many
from summarizer._engines._factory import create_engine
from summarizer._wire import numbered
from summarizer.testing import FakeOpenAIServer, Reply, default_content

ROOT = Path(__file__).resolve().parents[1]


def articles(count: int) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """Distinct articles (a real one plus a numbered line), and each base article's brief."""
    bases = [(ROOT / "examples" / "baghouz.txt").read_text(encoding="utf-8")]
    bases += [p.read_text(encoding="utf-8")
              for p in sorted((ROOT.parent / "shared" / "eval" / "dev").glob("*.txt"))]
    briefs = {}
    for base in bases:  # keyed by the start of the article as the request numbers it
        view = numbered(base)
        body = {"messages": [{"role": "user", "content": f"<<<ARTICLE\n{view}\nARTICLE>>>"}]}
        briefs[view[:200]] = default_content(body)
    out = [(f"a{i:04d}", f"{bases[i % len(bases)]}\n\nDispatch {i}.\n") for i in range(count)]
    random.Random(0).shuffle(out)
    return out, briefs


def serve(conn: Connection, latency: float) -> None:
    """The fake endpoint, in a child process: send its URL, serve until told, send the count."""
    _, briefs = articles(0)

    # Replies are precomputed: the default reply runs the extractive engine on every request,
    # which would measure the fake rather than the batch.
    def responder(_index: int, body: dict[str, Any]) -> Reply:
        article = body["messages"][1]["content"].split("<<<ARTICLE\n", 1)[1]
        return Reply.text(briefs[article[:200]])

    with FakeOpenAIServer(latency=latency, responder=responder) as server:
        conn.send(server.url)
        conn.recv()
        conn.send(len(server.requests))


async def run(items: list[tuple[str, str]], url: str, concurrency: int) -> tuple[float, int]:
    settings = Settings(engine="openai", base_url=url, model="fake-model", cache=False)
    # Start-up cost, not throughput; made as a batch makes its engine (summarizer._batch).
    engine = create_engine(settings, "openai", transport="aiohttp")
    # The SDK imports its request and response types on the first call (~0.3 s): start-up too,
    # so one brief (one more request to the server) runs before the clock starts.
    await Summarizer(settings, chat_model=engine).asummarize(items[0][1])
    started = time.perf_counter()
    ok = 0
    async for item in asummarize_many(items, concurrency=concurrency, settings=settings,
                                      chat_model=engine):
        ok += item.ok
    seconds = time.perf_counter() - started
    await engine.aclose()  # an engine given to a batch is the caller's to close
    return seconds, ok


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the ratio of ideal to achieved time on the last line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=256)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args(argv)
    items, _ = articles(args.articles)
    ours, theirs = multiprocessing.Pipe()
    child = multiprocessing.get_context("spawn").Process(target=serve, args=(theirs, args.latency),
                                                         daemon=True)
    child.start()
    try:
        url = ours.recv()
        seconds, ok = asyncio.run(run(items, url, args.concurrency))
        ours.send("stop")
        requests = ours.recv()
    finally:
        child.join(timeout=5)
        if child.is_alive():
            child.kill()
    ideal = args.articles * args.latency / args.concurrency
    print(f"{ok}/{args.articles} briefs, {requests} requests (one of them the warm-up)")
    print(f"batch: {ideal / seconds:.2f} of ideal ({args.articles} articles, "
          f"{args.latency * 1000:.0f} ms latency, concurrency {args.concurrency}: "
          f"{seconds:.2f} s vs ideal {ideal:.2f} s)")
    return 0 if ok == args.articles and requests == args.articles + 1 else 1


if __name__ == "__main__":
    sys.exit(main())

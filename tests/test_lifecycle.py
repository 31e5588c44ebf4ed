"""A Summarizer closes what it opened: ``with`` and ``async with`` leave no socket, thread or
loaded model behind, and leave alone what the caller gave it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from summarizer import Summarizer
from summarizer.testing import FakeChatModel, FakeOpenAIServer, Reply

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = (ROOT / "examples" / "baghouz.txt").read_text(encoding="utf-8")


def sockets() -> int:
    """Sockets this process holds open."""
    fds = Path("/proc/self/fd")
    count = 0
    for fd in fds.iterdir():
        with contextlib.suppress(OSError):  # closed while listed
            count += os.readlink(fd).startswith("socket:")
    return count


def settled(measure: Callable[[], int], want: int, seconds: float = 5.0) -> int:
    """The measure once it reaches want, or its last value (a server thread may take a moment
    to see a connection close)."""
    deadline = time.monotonic() + seconds
    value = measure()
    while value > want and time.monotonic() < deadline:
        time.sleep(0.02)
        value = measure()
    return value


pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")


def test_with_closes_the_connections_and_the_loop() -> None:
    with FakeOpenAIServer() as server:
        threads, before = threading.active_count(), sockets()
        with Summarizer(engine="openai", base_url=server.url, model="m", cache=False) as s:
            s.summarize(ARTICLE)
            s.summarize(ARTICLE)
            assert sockets() > before  # a kept-alive connection, while in use
        assert settled(sockets, before) <= before  # (another test's may close meanwhile)
        assert settled(threading.active_count, threads) <= threads


def test_sync_calls_from_inside_a_loop_close_their_thread_too() -> None:
    with FakeOpenAIServer() as server:
        threads, before = threading.active_count(), sockets()

        async def inside() -> None:  # a blocking call inside a running loop: a loop thread
            with Summarizer(engine="openai", base_url=server.url, model="m", cache=False) as s:
                s.summarize(ARTICLE)
                # By name: the count alone moves as other tests' server threads end.
                assert any(t.name == "summarizer" for t in threading.enumerate())  # LoopThread's

        asyncio.run(inside())
        assert settled(sockets, before) <= before  # (another test's may close meanwhile)
        assert settled(threading.active_count, threads) <= threads


def test_async_with_closes_the_connections() -> None:
    with FakeOpenAIServer() as server:
        threads, before = threading.active_count(), sockets()

        async def run() -> None:
            async with Summarizer(engine="openai", base_url=server.url, model="m",
                                  cache=False) as s:
                await s.asummarize(ARTICLE)

        asyncio.run(run())
        assert settled(sockets, before) <= before  # (another test's may close meanwhile)
        assert settled(threading.active_count, threads) <= threads


def test_what_the_caller_gave_stays_open() -> None:
    fake = FakeChatModel()
    with Summarizer(chat_model=fake, cache=False) as s:
        s.summarize(ARTICLE)
    assert not fake.closed and len(fake.requests) == 1
    with Summarizer(chat_model=fake, cache=False) as s:  # still usable by the caller, and by another
        s.summarize(ARTICLE)
    assert len(fake.requests) == 2


@pytest.mark.skipif(bool(os.environ.get("SUMMARIZER_SKIP_LOCAL")), reason="local model skipped")
def test_with_frees_a_local_model_no_one_else_uses() -> None:
    pytest.importorskip("llama_cpp")
    from summarizer._engines._local import LocalEngine

    before = dict(LocalEngine._users)  # other tests' users of the shared model, if any
    with Summarizer(engine="local") as first:
        engine = first.engine()
        key = engine._key
        assert key is not None
        with Summarizer(engine="local") as second:
            assert second.engine() is engine  # one model per file in the process
            assert LocalEngine._users[key] == before.get(key, 0) + 2
        assert LocalEngine._users[key] == before.get(key, 0) + 1  # the first still uses it
    assert LocalEngine._users.get(key, 0) == before.get(key, 0)
    if not before.get(key):  # nobody else: the model is freed
        assert key not in LocalEngine._shared


def test_blocking_calls_from_several_threads_share_an_engine_of_one_slot() -> None:
    class OneAtATime(FakeChatModel):
        max_concurrency = 1  # as the local engine: the Summarizer holds briefs to one a loop

    fake = OneAtATime(*[Reply(latency=0.3)] * 6)
    with Summarizer(chat_model=fake, cache=False) as s:
        for _ in range(2):  # a second round on the loops the first one left
            with ThreadPoolExecutor(3) as pool:
                results = list(pool.map(s.summarize, [ARTICLE] * 3, timeout=30))
            assert all(not r.fell_back for r in results)
    assert len(fake.requests) == 6


def test_close_after_blocking_calls_from_several_threads_closes_every_loops_connections() -> None:
    with FakeOpenAIServer() as server:
        server.script(*[Reply(latency=0.3)] * 3)  # three at once: two loops get clients
        threads, before = threading.active_count(), sockets()
        s = Summarizer(engine="openai", base_url=server.url, model="m", cache=False)
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(s.summarize, [ARTICLE] * 3, timeout=30))
        s.close()
        assert settled(sockets, before) <= before
        assert settled(threading.active_count, threads) <= threads

"""Many articles at once: bounded concurrency, one shared client, results as each completes.

One Summarizer (one client, one connection pool) serves the whole batch. Nothing here prints:
progress goes to a callback, results to the caller or to :class:`JsonlOutput`. The inputs
(:mod:`._inputs`), the rate limit (:mod:`._ratelimit`) and the output file (:mod:`._jsonl`) live
beside this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Callable,
    Iterable,
    Iterator,
)
from dataclasses import dataclass, field, replace
from typing import Any

from ._engines import ChatModel, ChatReply, ChatRequest
from ._engines._base import Forwarding
from ._engines._factory import create_engine
from ._errors import BriefValidationError, EngineError, SummarizerError, TransportError
from ._inputs import BatchInput
from ._jsonl import JsonlOutput
from ._loop import LoopThread
from ._pipeline import Summarizer
from ._ratelimit import RateLimiter
from ._result import AttemptReason, Result, Usage
from ._settings import Settings

# --- progress -----------------------------------------------------------------------------------


@dataclass
class Progress:
    """Counts so far; the callback receives the live object, read it during the call."""

    total: int | None = None
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    cached: int = 0
    retries: int = 0
    usage: Usage = field(default_factory=Usage)
    started: float = field(default_factory=time.monotonic)
    model: str | None = None

    @property
    def finished(self) -> int:
        """Articles briefed or failed in this run."""
        return self.ok + self.failed

    @property
    def elapsed(self) -> float:
        """Seconds since the run started."""
        return time.monotonic() - self.started

    @property
    def eta(self) -> float | None:
        """Seconds left at the pace so far, when it can be told."""
        if self.total is None or not self.finished:
            return None
        left = self.total - self.skipped - self.finished
        return max(0.0, left * self.elapsed / self.finished)


ProgressCallback = Callable[[Progress], None]


class _Metered(Forwarding):
    """The engine behind the batch's rate limit, counting tokens and faults as they happen."""

    def __init__(self, inner: ChatModel, limiter: RateLimiter, progress: Progress,
                 notify: Callable[[], None]) -> None:
        super().__init__(inner)
        self._limiter = limiter
        self._progress = progress
        self._notify = notify

    async def complete(self, request: ChatRequest) -> ChatReply:
        """One request, admitted by the rate limit."""
        estimate = self._limiter.estimate(request)
        await self._limiter.acquire(estimate)
        try:
            reply = await self.inner.complete(request)
        except TransportError:
            self._progress.retries += 1
            self._notify()
            raise
        self._limiter.settle(estimate, reply.usage.total_tokens)
        self._progress.usage = self._progress.usage + reply.usage
        return reply


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchItem:
    """One article's outcome: a result or a typed error. Unpacks as ``(id, result_or_error)``."""

    id: str
    source: str
    result: Result | None = None
    error: SummarizerError | None = None
    engine: str | None = None
    model: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether a brief was made."""
        return self.result is not None

    @property
    def outcome(self) -> Result | SummarizerError:
        """The result, or the error."""
        if self.result is not None:
            return self.result
        assert self.error is not None
        return self.error

    def __iter__(self) -> Iterator[Any]:
        return iter((self.id, self.outcome))

    def to_record(self) -> dict[str, Any]:
        """The output line: ``{id, source, ok, brief | error, meta}``."""
        record: dict[str, Any] = {"id": self.id, "source": self.source, "ok": self.ok}
        if self.result is not None:
            record["brief"] = self.result.brief.model_dump(mode="json")
            record["meta"] = self.result.meta.model_dump(mode="json")
            return record
        error = self.error
        assert error is not None
        record["error"] = {"type": type(error).__name__, "message": str(error)}
        meta: dict[str, Any] = {"engine": self.engine, "model": self.model,
                                "latency_s": round(self.seconds, 4)}
        if isinstance(error, BriefValidationError | EngineError) and error.usage is not None:
            meta["attempts"] = error.attempts
            meta["usage"] = error.usage.model_dump(mode="json")
            if error.attempt_log:
                meta["attempt_log"] = [a.model_dump(mode="json") for a in error.attempt_log]
        record["meta"] = meta
        return record


Item = str | tuple[str, str] | BatchInput


def _as_input(index: int, item: Item) -> BatchInput:
    if isinstance(item, BatchInput):
        return item
    if isinstance(item, str):
        return BatchInput(id=str(index), source=f"item {index}", text=item)
    if isinstance(item, tuple) and len(item) == 2:
        return BatchInput(id=str(item[0]), source=f"item {index}", text=item[1])
    raise TypeError(f"items must be str, (id, text) or BatchInput, not {type(item).__name__}")


async def _aiter(items: Iterable[Item] | AsyncIterable[Item]) -> AsyncIterator[BatchInput]:
    index = 0
    if isinstance(items, AsyncIterable):
        async for item in items:
            yield _as_input(index, item)
            index += 1
    else:
        for item in items:
            yield _as_input(index, item)
            index += 1


def _engine(settings: Settings, chat_model: ChatModel | None) -> ChatModel:
    """The engine given, else one the batch owns on one loop and closes (so the faster
    transport is safe here)."""
    return chat_model or create_engine(settings, settings.resolve_engine()[0],
                                       transport="aiohttp")


async def _one(summarizer: Summarizer, item: BatchInput) -> BatchItem:
    started = time.monotonic()
    engine = summarizer.engine()
    try:
        # Files and HTML are read off the loop; a text given in memory needs no thread.
        article = item.load() if item.text is not None else await asyncio.to_thread(item.load)
        text, title, published = article.text, article.title, article.published
        result = await summarizer.asummarize(text)
    except SummarizerError as exc:
        return BatchItem(item.id, item.source, error=exc, engine=engine.engine,
                         model=engine.model_name, seconds=time.monotonic() - started)
    if title or published:
        result.meta.title, result.meta.published = title, published
    return BatchItem(item.id, item.source, result=result, engine=engine.engine,
                     model=engine.model_name, seconds=time.monotonic() - started)


#: What the workers hand the stream: an article's outcome, a bug to raise, or None as one ends.
Outcomes = asyncio.Queue[BatchItem | BaseException | None]


async def _work(summarizer: Summarizer, source: AsyncIterator[BatchInput], pulling: asyncio.Lock,
                results: Outcomes) -> None:
    """One slot of the batch: brief articles from ``source`` until it ends, then put ``None``."""
    # A worker starts its next article in the same step that finished the last one, so a slot
    # is refilled at once rather than after every other ready reply has been handled.
    try:
        while True:
            async with pulling:
                try:
                    item = await source.__anext__()
                except StopAsyncIteration:
                    return
            results.put_nowait(await _one(summarizer, item))
    except asyncio.CancelledError:
        raise
    except BaseException as exc:  # a bug, not an article's failure: end the batch with it
        results.put_nowait(exc)
    finally:
        results.put_nowait(None)


def _tally(progress: Progress, done: BatchItem) -> None:
    """Count one finished article."""
    if done.result is None:
        progress.failed += 1
        return
    progress.ok += 1
    progress.cached += done.result.meta.cached
    progress.retries += sum(a.reason in (AttemptReason.reask, AttemptReason.longer)
                            for a in done.result.meta.attempt_log)


async def _stream(items: Iterable[Item] | AsyncIterable[Item], progress: Progress, *,
                  concurrency: int, limiter: RateLimiter | None, on_progress: ProgressCallback | None,
                  settings: Settings, chat_model: ChatModel | None
                  ) -> AsyncGenerator[BatchItem, None]:
    if concurrency < 1:
        raise ValueError("concurrency must be >= 1")

    def notify() -> None:
        if on_progress is not None:
            on_progress(progress)

    model = _engine(settings, chat_model)
    progress.model = model.model_name
    summarizer = Summarizer(settings, chat_model=_Metered(model, limiter or RateLimiter(),
                                                          progress, notify))
    source = _aiter(items)
    pulling = asyncio.Lock()  # an async generator must not be advanced by two workers at once
    results: Outcomes = asyncio.Queue()
    workers = [asyncio.create_task(_work(summarizer, source, pulling, results))
               for _ in range(concurrency)]
    running = len(workers)
    try:
        notify()
        while running:
            done = await results.get()
            if done is None:
                running -= 1
                continue
            if isinstance(done, BaseException):
                raise done
            _tally(progress, done)
            notify()
            yield done
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        await summarizer.aclose()
        if chat_model is None:  # the batch's own engine; one given is the caller's
            await model.aclose()


async def asummarize_many(
    items: Iterable[Item] | AsyncIterable[Item], *, concurrency: int = 8, rpm: float | None = None,
    tpm: float | None = None, limiter: RateLimiter | None = None,
    on_progress: ProgressCallback | None = None, settings: Settings | None = None,
    chat_model: ChatModel | None = None, **options: Any,
) -> AsyncGenerator[BatchItem, None]:
    """Brief many articles (strings or ``(id, text)`` pairs) with one shared client, yielding a
    :class:`BatchItem` per article as each completes; options are :class:`Settings` fields."""
    total = len(items) if hasattr(items, "__len__") else None  # type: ignore[arg-type]
    progress = Progress(total=total)
    # Settings given are used as given; else the keyword values, then the environment.
    chosen = replace(settings, **options) if settings is not None else Settings.from_env(**options)
    stream = _stream(items, progress, concurrency=concurrency,
                     limiter=limiter or RateLimiter(rpm, tpm), on_progress=on_progress,
                     settings=chosen, chat_model=chat_model)
    async with contextlib.aclosing(stream):
        async for item in stream:
            yield item


def summarize_many(items: Iterable[Item], *, concurrency: int = 8, **options: Any) -> Iterator[BatchItem]:
    """Blocking :func:`asummarize_many`: yields each :class:`BatchItem` as it completes; safe to
    call from inside a running event loop (the batch runs on a private one)."""
    runner = LoopThread("summarizer-batch")
    agen = asummarize_many(items, concurrency=concurrency, **options)

    async def step() -> BatchItem:
        return await agen.__anext__()

    try:
        while True:
            try:
                item = runner.run(step())
            except StopAsyncIteration:
                return
            yield item
    finally:
        try:
            runner.run(agen.aclose())  # cancels what is still in flight
        finally:
            runner.stop()




async def run_batch(inputs: Iterable[BatchInput], output: JsonlOutput, *, concurrency: int = 8,
                    limiter: RateLimiter | None = None, on_progress: ProgressCallback | None = None,
                    settings: Settings | None = None, chat_model: ChatModel | None = None,
                    on_item: Callable[[BatchItem], None] | None = None) -> Progress:
    """Brief every input not already briefed in ``output`` (opened), writing a line as each ends
    (and telling ``on_item`` of it)."""
    todo, skipped = [], 0
    for item in inputs:
        if item.id in output.done:
            skipped += 1
        else:
            todo.append(item)
    progress = Progress(total=len(todo) + skipped, skipped=skipped)
    stream = _stream(todo, progress, concurrency=concurrency, limiter=limiter,
                     on_progress=on_progress, settings=settings or Settings.from_env(), chat_model=chat_model)
    async with contextlib.aclosing(stream):
        async for done in stream:
            # In a thread: fsync takes milliseconds, which the other requests should not wait on.
            await asyncio.to_thread(output.write, done.to_record())
            if on_item is not None:
                on_item(done)
    return progress

"""Many articles at once: bounded concurrency, a client-side rate limit, and a resumable JSONL file.

One Summarizer (one client, one connection pool) serves the whole batch. Nothing here prints:
progress goes to a callback, results to the caller or to :class:`JsonlOutput`.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import json
import os
import time
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
)
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath
from typing import IO, Any, TypeVar

from ._engines import ChatModel, ChatReply, ChatRequest
from ._engines._base import Forwarding
from ._engines._factory import create_engine
from ._errors import BriefValidationError, EngineError, InputError, SummarizerError, TransportError
from ._loop import LoopThread
from ._pipeline import Summarizer
from ._result import AttemptReason, Result, Usage
from ._settings import Settings
from ._sources import MAX_BYTES, Article, decode, prepare, read_article

T = TypeVar("T")

ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm")
HTML_SUFFIXES = (".html", ".htm")
#: Tokens a brief's reply and the fixed prompt add to an article's own, for the tpm estimate.
TOKEN_OVERHEAD = 600
#: USD per million (prompt, completion) tokens; dated snapshots match by prefix. Prices change:
#: pass price_in/price_out to override.
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


# --- inputs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchInput:
    """One article to brief: exactly one of text, html or path, or an error found while listing."""

    id: str
    source: str
    text: str | None = None
    html: str | None = None
    path: Path | None = None
    error: SummarizerError | None = None

    def load(self) -> Article:
        """The article text, with the title and date when it came from HTML."""
        if self.error is not None:
            raise self.error
        if self.text is not None:
            return Article(self.text)
        if self.html is not None:
            return prepare(self.html, html=True)
        assert self.path is not None
        return read_article(self.path, html=self.path.suffix.lower() in HTML_SUFFIXES)

    def _same(self, other: BatchInput) -> bool:
        return (self.source, self.text, self.html, self.path) == (
            other.source, other.text, other.html, other.path)


def _norm(path: str) -> str:
    return PurePath(os.path.normpath(path)).as_posix()


def _walk(folder: Path) -> Iterator[Path]:
    """Article files below a folder, sorted, skipping hidden files and folders."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and name.lower().endswith(ARTICLE_SUFFIXES):
                yield Path(root) / name


def _expand(arg: str) -> Iterator[BatchInput]:
    path = Path(arg)
    if path.is_dir():
        found = False
        for file in _walk(path):
            found = True
            # Relative to the folder given, so the id is the same whatever the working directory.
            yield BatchInput(id=file.relative_to(path).as_posix(), source=str(file), path=file)
        if not found:
            yield BatchInput(id=_norm(arg), source=arg, error=InputError(
                f"{arg} holds no {', '.join(ARTICLE_SUFFIXES)} files"))
    elif path.is_file() and path.suffix.lower() == ".jsonl":
        yield from _records(path, arg)
    elif path.exists():
        yield BatchInput(id=_norm(arg), source=arg, path=path)
    elif any(c in arg for c in "*?["):
        matches = sorted(glob.glob(arg, recursive=True))
        if not matches:
            yield BatchInput(id=arg, source=arg, error=InputError(f"no file matches {arg}"))
        for match in matches:
            if Path(match).is_dir():
                for file in _walk(Path(match)):
                    yield BatchInput(id=_norm(str(file)), source=str(file), path=file)
            else:
                yield BatchInput(id=_norm(match), source=match, path=Path(match))
    else:
        yield BatchInput(id=_norm(arg), source=arg, error=InputError(f"no such file or folder: {arg}"))


def _records(path: Path, name: str) -> Iterator[BatchInput]:
    """Records of a JSONL file; relative paths in it are relative to the file's folder."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield BatchInput(id=_norm(name), source=name,
                         error=InputError(f"cannot read {name}: {exc.strerror or exc}"))
        return
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        where = f"{name}:{number}"
        try:
            record = json.loads(decode(raw, name=f"line {number} of {name}", max_bytes=MAX_BYTES))
        except json.JSONDecodeError as exc:
            yield BatchInput(id=where, source=where,
                             error=InputError(f"line {number} of {name} is not JSON: {exc.msg}"))
            continue
        except InputError as exc:
            yield BatchInput(id=where, source=where, error=exc)
            continue
        if not isinstance(record, dict):
            yield BatchInput(id=where, source=where,
                             error=InputError(f"line {number} of {name} is not a JSON object"))
            continue
        given = [k for k in ("text", "html", "path") if record.get(k) is not None]
        rid = record.get("id")
        ident = str(rid) if isinstance(rid, (str, int)) and str(rid) else None
        if len(given) != 1 or not isinstance(record[given[0]], str):
            yield BatchInput(id=ident or where, source=where, error=InputError(
                f"line {number} of {name} needs exactly one of text, html or path, as a string"))
            continue
        kind, value = given[0], record[given[0]]
        if kind == "path":
            file = path.parent / value
            yield BatchInput(id=ident or _norm(value), source=str(file), path=file)
        else:
            yield BatchInput(id=ident or where, source=where, **{kind: value})


def collect_inputs(args: Iterable[str], *, stdin: IO[str] | None = None) -> list[BatchInput]:
    """Files, folders (recursive), globs, JSONL record files and ``-`` (paths on ``stdin``) as
    inputs with stable ids: a record's id, else the path relative to the folder given, else the
    path as given. The same input twice counts once; two inputs sharing an id is an InputError."""
    chosen: dict[str, BatchInput] = {}
    for arg in args:
        names: Iterable[str] = [arg]
        if arg == "-":
            if stdin is None:
                raise InputError("'-' given but there is no standard input to read paths from")
            names = [line.rstrip("\r\n") for line in stdin if line.strip()]
        for name in names:
            for item in _expand(name):
                seen = chosen.get(item.id)
                if seen is None:
                    chosen[item.id] = item
                elif not seen._same(item):
                    raise InputError(f"two inputs have the id {item.id!r} ({seen.source} and "
                                     f"{item.source}); give them distinct ids or run them apart")
    return list(chosen.values())


# --- rate limit ---------------------------------------------------------------------------------


class _Bucket:
    """A token bucket refilled at ``per_minute / 60`` a second. Bursts are capped at ten seconds'
    worth because providers may enforce a per-minute limit over shorter windows."""

    def __init__(self, per_minute: float, clock: Callable[[], float]) -> None:
        if per_minute <= 0:
            raise ValueError("a rate limit must be > 0")
        self.rate = per_minute / 60
        self.capacity = max(1.0, per_minute / 6)
        self.level = self.capacity
        self._clock = clock
        self._stamp = clock()

    def refill(self) -> None:
        now = self._clock()
        self.level = min(self.capacity, self.level + (now - self._stamp) * self.rate)
        self._stamp = now

    def wait_for(self, amount: float) -> float:
        """Seconds until ``amount`` may be taken; an amount over capacity waits for a full bucket."""
        self.refill()
        need = min(amount, self.capacity)
        # The tolerance ends the wait when float rounding leaves the level a hair short.
        return 0.0 if self.level >= need - 1e-6 else (need - self.level) / self.rate


class RateLimiter:
    """Requests and tokens per minute, shared by every request of a batch (retries included).

    Tokens are taken by estimate before a request and corrected by its real usage afterwards."""

    def __init__(self, rpm: float | None = None, tpm: float | None = None, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.requests = _Bucket(rpm, clock) if rpm else None
        self.tokens = _Bucket(tpm, clock) if tpm else None
        self._sleep = sleep
        self._lock: asyncio.Lock | None = None
        self.waited = 0.0

    @staticmethod
    def estimate(request: ChatRequest) -> int:
        """Tokens a request will likely cost: about four characters a token, plus the reply."""
        chars = sum(len(m.get("content") or "") for m in request.messages)
        return chars // 4 + TOKEN_OVERHEAD

    async def acquire(self, tokens: int) -> None:
        """Wait until one request of about ``tokens`` tokens fits both limits, then take it."""
        if self.requests is None and self.tokens is None:
            return
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:  # first come, first served: a big request is not starved
            while True:
                delay = max(self.requests.wait_for(1) if self.requests else 0.0,
                            self.tokens.wait_for(tokens) if self.tokens else 0.0)
                if delay <= 0:
                    break
                self.waited += delay
                await self._sleep(delay)
            if self.requests:
                self.requests.level -= 1
            if self.tokens:
                self.tokens.level -= tokens  # may go below zero: later requests pay the debt

    def settle(self, estimated: int, actual: int) -> None:
        """Correct a request's estimate by what it really cost."""
        if self.tokens is not None:
            self.tokens.refill()
            self.tokens.level = min(self.tokens.capacity, self.tokens.level + estimated - actual)


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
    results: asyncio.Queue[BatchItem | BaseException | None] = asyncio.Queue()

    async def worker() -> None:
        # A worker starts its next article in the same step that finished the last one, so a
        # slot is refilled at once rather than after every other ready reply has been handled.
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

    workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
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
            if done.result is not None:
                progress.ok += 1
                progress.cached += done.result.meta.cached
                progress.retries += sum(a.reason in (AttemptReason.reask, AttemptReason.longer)
                                        for a in done.result.meta.attempt_log)
            else:
                progress.failed += 1
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
    chosen = replace(settings or Settings(), **options)
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


# --- output file --------------------------------------------------------------------------------


class JsonlOutput:
    """The batch's append-only JSONL output. On open, a trailing half line (a killed run) is cut
    off and the ids already briefed are read; nothing else is ever rewritten. Every line is
    flushed and fsync'd as it is written; the last line per id wins for readers."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *, stream: IO[bytes] | None = None
                 ) -> None:
        if (path is None) == (stream is None):
            raise ValueError("give a path or a stream")
        self.path = Path(path) if path is not None else None
        self._stream = stream
        self._fd: int | None = None
        self.done: set[str] = set()
        self.cut = 0  # bytes of a half line removed on open
        self.written = 0

    @property
    def name(self) -> str:
        """The file's name, for messages."""
        return str(self.path) if self.path is not None else "standard output"

    def open(self) -> JsonlOutput:
        """Lock, repair and read the file; OSError when it cannot be used."""
        if self.path is None:
            return self
        if os.path.exists(self.path) and not os.path.isfile(self.path):
            # A device never ends (/dev/zero) or cannot be read back (/dev/full): resuming needs
            # the briefs already written.
            raise OSError(f"{self.path} is not a regular file; the batch's output must be one, "
                          "to be resumed (write to standard output with '--out -')")
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            _lock(fd, self.path)
            data = _read_all(fd)
            end = data.rfind(b"\n") + 1
            if end < len(data):
                os.ftruncate(fd, end)
                self.cut = len(data) - end
            self.done = _done_ids(data[:end], self.path)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def write(self, record: dict[str, Any]) -> None:
        """Append one record as one line, and make it durable before returning."""
        text = json.dumps(record, ensure_ascii=False)
        # U+2028/9 are line breaks to str.splitlines(); escaped, any reader sees one line.
        line = (text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n").encode()
        if self._stream is not None:
            self._stream.write(line)
            self._stream.flush()
        else:
            assert self._fd is not None, "open() first"
            view = memoryview(line)
            while view:
                view = view[os.write(self._fd, view):]
            os.fsync(self._fd)
        self.written += 1
        if record.get("ok"):
            self.done.add(str(record["id"]))

    def close(self) -> None:
        """Release the file and its lock."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> JsonlOutput:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()


def _lock(fd: int, path: Path) -> None:
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, as before
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise OSError(f"another batch is writing to {path}; wait for it or choose another --out"
                      ) from None


def _read_all(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _done_ids(data: bytes, path: Path) -> set[str]:
    """Ids with an ``ok: true`` line; refuses a file that is not a batch output at all."""
    done: set[str] = set()
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError:
            record = None
        if not isinstance(record, dict) or "id" not in record:
            if number == 1:  # appending briefs to someone's article would spoil it
                raise OSError(f"{path} exists and is not a batch output (JSONL of briefs); "
                              "choose another --out")
            continue
        if record.get("ok") is True:
            done.add(str(record["id"]))
    return done


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
                     on_progress=on_progress, settings=settings or Settings(), chat_model=chat_model)
    async with contextlib.aclosing(stream):
        async for done in stream:
            # In a thread: fsync takes milliseconds, which the other requests should not wait on.
            await asyncio.to_thread(output.write, done.to_record())
            if on_item is not None:
                on_item(done)
    return progress

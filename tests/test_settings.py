"""Settings: one source of truth for defaults, and the one place the environment is read."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from summarizer import ConfigurationError, Settings
from summarizer._settings import ENVIRONMENT
from summarizer.cli import cli

VALUES = {"engine": "openai", "model": "m", "base_url": "http://127.0.0.1:1/v1", "api_key": "k",
          "model_path": "/models/x.gguf", "prompts": "/prompts", "cache_dir": "/cache",
          "response_format": "text"}


def test_from_env_reads_each_variable_and_given_values_win() -> None:
    env = {ENVIRONMENT[name]: value for name, value in VALUES.items()}
    settings = Settings.from_env(env)
    assert {name: getattr(settings, name) for name in VALUES} == VALUES
    given = Settings.from_env(env, model="other", engine=None)  # None: not given
    assert given.model == "other" and given.engine == "openai"


def test_settings_made_directly_read_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in VALUES.items():
        monkeypatch.setenv(ENVIRONMENT[name], value)
    plain = Settings()
    assert all(getattr(plain, name) in (None, "auto") for name in VALUES)
    assert Settings.from_env().model == "m"  # the process environment by default


def test_a_bad_engine_from_the_environment_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="unknown engine 'gpu'"):
        Settings.from_env({"SUMMARIZER_ENGINE": "gpu"})


def test_the_cli_shows_the_librarys_defaults() -> None:
    shown = CliRunner().invoke(cli, ["brief", "--help"], terminal_width=200).output
    defaults = Settings()
    for option, value in (("--timeout", defaults.timeout), ("--reasks", defaults.reasks),
                          ("--max-tokens", defaults.max_tokens),
                          ("--retries", defaults.transport_retries)):
        line = next(line for line in shown.splitlines() if line.strip().startswith(option))
        assert f"[default: {value}]" in line or f"[default: {value};" in line, line
    assert "[env: OPENAI_BASE_URL]" in shown and "[env: SUMMARIZER_MODEL]" in shown


def test_the_cli_takes_an_option_not_given_from_the_environment(
        monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("SUMMARIZER_ENGINE", "nonsense")
    result = CliRunner().invoke(cli, ["brief", "-"], input="Five people were killed.")
    assert result.exit_code == 1 and "unknown engine 'nonsense'" in result.output
    given = CliRunner().invoke(cli, ["brief", "--engine", "extractive", "-"],
                               input="Five people were killed in Gao on Monday, police said.")
    assert given.exit_code == 0, given.output


def test_a_batch_without_settings_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from summarizer import summarize_many
    from summarizer.testing import FakeOpenAIServer

    with FakeOpenAIServer() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("SUMMARIZER_MODEL", "m")
        [item] = list(summarize_many([("a", "Five people were killed in Gao on Monday.")]))
    assert item.ok and item.result.meta.engine == "openai" and len(server.requests) == 1

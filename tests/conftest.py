"""Shared fixtures: the Baghouz article, an isolated environment, and a fake OpenAI server."""

from __future__ import annotations

import json
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from summarizer.testing import FakeOpenAIServer

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
ENV_VARS = (
    "OPENAI_API_KEY", "OPENAI_BASE_URL", "SUMMARIZER_MODEL", "SUMMARIZER_LOCAL_MODEL",
    "SUMMARIZER_PROMPTS", "SUMMARIZER_ENGINE", "SUMMARIZER_SERVE_TOKEN",
    "SUMMARIZER_RESPONSE_FORMAT",
)


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's keys, endpoints or cache."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "cache"))
    # Settings made directly (not from the environment) use the platform's cache folder.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.fixture(scope="session")
def baghouz() -> str:
    """The seed article."""
    return (ROOT / "examples" / "baghouz.txt").read_text(encoding="utf-8")


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    """A fake OpenAI-compatible server on loopback, stopped after the test."""
    with FakeOpenAIServer() as fake:
        yield fake


def free_port() -> int:
    """A port nothing listens on now, for a server a test starts in a subprocess."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SleepRecorder:
    """Stands in for asyncio.sleep so back-off is asserted, not waited for."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    """Records the pipeline's back-off waits."""
    return SleepRecorder()


def interruptible() -> None:
    """A subprocess's ``preexec_fn``: SIGINT as a terminal's Ctrl-C delivers it. Where the tests
    run with it ignored (a background job of a non-interactive shell), a child inherits that,
    and Python then leaves it ignored: a test of Ctrl-C would test nothing."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def archive(tmp_path: Path, count: int) -> Path:
    """A batch's input as an archive often comes: JSONL records ``story-000``... with a text."""
    path = tmp_path / "archive.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for i in range(count):
            f.write(json.dumps({"id": f"story-{i:03d}", "text":
                                f"Gunmen killed {i + 3} villagers near Dori on Monday, police "
                                "said. Another 30 were wounded."}) + "\n")
    return path

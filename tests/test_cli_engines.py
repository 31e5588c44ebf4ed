"""The LLM engines from the command line, as a user runs them: the fake server started with
``python -m summarizer.testing``, and the local engine offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from .conftest import ROOT, free_port

BAGHOUZ = str(ROOT / "examples" / "baghouz.txt")


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}


def test_brief_against_a_running_fake_server(tmp_path: object) -> None:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "summarizer.testing", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=clean_env())
    try:
        assert "fake OpenAI server on" in (server.stdout.readline() if server.stdout else "")
        env = {**clean_env(), "SUMMARIZER_CACHE_DIR": str(tmp_path)}
        proc = subprocess.run(
            [sys.executable, "-m", "summarizer", "brief", BAGHOUZ, "--base-url",
             f"http://127.0.0.1:{port}/v1", "--model", "m", "--format", "json"],
            capture_output=True, text=True, env=env, timeout=60, check=False)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["meta"]["engine"] == "openai" and result["meta"]["model"] == "m"
    assert any(n["value"] == 1500 for n in result["brief"]["numbers"])


@pytest.mark.skipif(os.environ.get("SUMMARIZER_SKIP_LOCAL") == "1",
                    reason="SUMMARIZER_SKIP_LOCAL=1")
def test_local_engine_prints_a_result_offline(tmp_path: object) -> None:
    env = {**clean_env(), "SUMMARIZER_CACHE_DIR": str(tmp_path)}
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "summarizer", "brief", BAGHOUZ, "--engine", "local",
         "--reasks", "0", "--format", "json", "-v"],
        capture_output=True, text=True, env=env, timeout=240, check=False)
    assert "Traceback" not in proc.stderr
    if proc.returncode == 0:  # a grounded brief, whatever the 135M model managed
        result = json.loads(proc.stdout)
        assert result["meta"]["engine"] == "local"
        assert result["meta"]["model"] == "SmolLM2-135M-Instruct.Q4_1.gguf"
        assert result["brief"]["situation"]
    else:  # or one honest line: the model's output was cut twice
        assert proc.returncode == 1 and proc.stderr.splitlines()[-1].startswith("Error: ")
    assert "engine: local" in proc.stderr
    assert time.monotonic() - started < 240

"""``python -m summarizer.testing`` as a user runs it: clear one-line errors, never a traceback."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.request

import pytest

from .conftest import ROOT

PROG = "python -m summarizer.testing"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    # A timeout, because a server that wrongly accepts its arguments serves forever.
    return subprocess.run([sys.executable, "-m", "summarizer.testing", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=20)


def test_a_busy_port_is_a_one_line_error_with_exit_1() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = run("--port", str(port))
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"{PROG}: error: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]


@pytest.mark.parametrize(("args", "error"), [
    (["--port", "70000"], "argument --port: 70000 is not a port number (0-65535; 0 picks a free one)"),
    (["--port", "-1"], "argument --port: -1 is not a port number (0-65535; 0 picks a free one)"),
    (["--port", "http"], "argument --port: 'http' is not a port number"),
    (["--port", "0", "--latency", "-1"], "argument --latency: -1 is not a number of seconds (0 or more)"),
    (["--port", "0", "--latency", "nan"], "argument --latency: nan is not a number of seconds (0 or more)"),
])
def test_a_bad_argument_is_a_usage_error_with_exit_2(args: list[str], error: str) -> None:
    proc = run(*args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    # argparse's convention: the usage, then the error on one line.
    assert proc.stderr.startswith(f"usage: {PROG}")
    assert proc.stderr.splitlines()[-1] == f"{PROG}: error: {error}"


def test_port_0_serves_on_a_free_port() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "summarizer.testing", "--port", "0"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("fake OpenAI server on http://127.0.0.1:")
        url = line.split()[4]
        assert not url.endswith(":0/v1")
        with urllib.request.urlopen(f"{url}/models", timeout=10) as reply:
            assert json.load(reply)["data"][0]["id"] == "fake-model"
    finally:
        proc.terminate()
        proc.communicate(timeout=10)

"""Bad input through the real command (a subprocess): a clear one-line error or a correct brief,
never a traceback, exit codes as documented (0 ok, 1 failure, 2 usage)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT


def summarizer(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    return subprocess.run([sys.executable, "-m", "summarizer", *args], input=stdin,
                          capture_output=True, env=env, timeout=60, check=False,
                          **({} if stdin is not None else {"stdin": subprocess.DEVNULL}),
                          text=stdin is None)


def one_line_error(proc: subprocess.CompletedProcess, fragment: str) -> None:
    err = proc.stderr if isinstance(proc.stderr, str) else proc.stderr.decode()
    assert proc.returncode == 1, err
    assert "Traceback" not in err
    assert err.startswith("Error: ") and err.count("\n") == 1, err
    assert fragment in err


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("inputs")
    made = {
        "empty": b"",
        "blank": b"  \n\n\t  \n",
        "binary": bytes(range(256)) * 4,
        "latin1": "Le pr\u00e9sident a d\u00e9clar\u00e9 que 12 soldats sont morts.".encode("latin-1"),
        "huge": b"Soldiers advanced on the town. " * 350_000,  # about 10 MB
    }
    out = {}
    for name, data in made.items():
        path = d / f"{name}.txt"
        path.write_bytes(data)
        out[name] = path
    out["dir"] = d
    out["missing"] = d / "not-there.txt"
    return out


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("empty", "is empty"),
        ("blank", "has only white space"),
        ("binary", "looks binary"),
        ("latin1", "is not UTF-8"),
        ("huge", "over 5 MiB are refused"),
        ("dir", "is a folder"),
        ("missing", "no such file"),
    ],
)
def test_bad_file(files: dict[str, Path], name: str, fragment: str) -> None:
    one_line_error(summarizer("brief", str(files[name])), fragment)


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("Troops advanced on Monday.")
    path.chmod(0)
    try:
        if not os.access(path, os.R_OK):
            one_line_error(summarizer("brief", str(path)), "permission denied")
        else:  # root reads any file; /proc/self/mem exists but fails on read (EIO)
            one_line_error(summarizer("brief", "/proc/self/mem"), "cannot read /proc/self/mem")
    finally:
        path.chmod(0o644)


def test_bad_stdin_binary() -> None:
    proc = summarizer("brief", "-", stdin=b"\x00\x01binary")
    one_line_error(proc, "standard input looks binary")


def test_non_english_article_gets_a_brief() -> None:
    text = ("Des combats ont \u00e9clat\u00e9 lundi \u00e0 Goma. Au moins 12 civils ont \u00e9t\u00e9 "
            "tu\u00e9s, selon l'arm\u00e9e congolaise.\n\nLes rebelles du M23 ont pris deux "
            "villages, a d\u00e9clar\u00e9 un porte-parole.")
    proc = summarizer("brief", "-", "--format", "json", stdin=text.encode())
    assert proc.returncode == 0, proc.stderr
    assert b'"situation"' in proc.stdout and b"Traceback" not in proc.stderr


def test_usage_error_exits_2() -> None:
    proc = summarizer("brief", "--engine", "nonsense", str(ROOT / "examples" / "baghouz.txt"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_good_file_exits_0() -> None:
    proc = summarizer("brief", str(ROOT / "examples" / "baghouz.txt"), "--format", "text")
    assert proc.returncode == 0 and proc.stdout.startswith("SITUATION") and proc.stderr == ""


def test_html_file_gets_a_brief_of_its_article(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Clashes in Goma</title></head><body><nav>Home | World | Sport</nav>"
        "<article><h1>Clashes in Goma</h1><p>At least 12 civilians were killed in Goma on "
        "Monday when rebels attacked the town, the Congolese army said.</p><p>About 3,000 "
        "residents fled to nearby camps, according to the United Nations.</p></article>"
        "<footer>Cookie Preferences</footer></body></html>", encoding="utf-8")
    proc = summarizer("brief", str(page), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    values = {n["value"] for n in data["brief"]["numbers"]}
    assert {12, 3000} <= values
    assert data["meta"]["title"] == "Clashes in Goma"
    assert "Cookie" not in proc.stdout

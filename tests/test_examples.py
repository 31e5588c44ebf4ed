"""The examples run as a user would run them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

HINT = "Send me the text of a news article about a conflict, and I will brief it."
HINT_WITH_FILES = ("Send me the text of a news article about a conflict (or a saved page), "
                   "and I will brief it.")
# 37 words: just over the chat bot's 30-word floor for an article.
SHORT_ARTICLE = ("Troops killed 12 rebels in Goma on Monday, the army said. Fighting went on near the "
                 "airport for several hours, and residents said hundreds of families had fled toward "
                 "the lake before the shelling stopped at nightfall.")
# What must never reach a chat user: an article-like file outside the folder the operator shares.
SECRET = ("Internal memo. Staff killed 40 requests in Paris on Friday, the SECRETMARKER team said. "
          "The outage lasted three hours and residents of the building were asked to leave the "
          "offices before the alarms stopped in the evening.")


def chat(messages: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the chat bot on messages; no endpoint or local model, so the extractive engine."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OPENAI_", "SUMMARIZER_")) or k == "SUMMARIZER_CACHE_DIR"}
    return subprocess.run([sys.executable, "examples/chat_bot.py", *args],
                          input="\n---\n".join(messages) + "\n", cwd=ROOT, capture_output=True,
                          text=True, env=env, timeout=60)


def replies(proc: subprocess.CompletedProcess[str]) -> list[str]:
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return proc.stdout.split("\n---\n")[:-1]


def test_chat_bot_replies_with_markdown_a_hint_or_an_apology(baghouz: str) -> None:
    nul_article = SHORT_ARTICLE + "\x00"
    got = replies(chat([baghouz, SHORT_ARTICLE, "hi", "Where is Goma and who holds it today?",
                        nul_article]))
    assert got[0].startswith("## Situation") and "1,500" in got[0]
    assert got[1].startswith("## Situation") and "12" in got[1] and "Goma" in got[1]
    assert got[2:4] == [HINT, HINT]
    assert got[4].startswith("Sorry, I could not brief that:") and "\n" not in got[4]
    assert len(got) == 5


def test_chat_bot_treats_a_path_as_text_without_allow_files() -> None:
    names = ["pyproject.toml", "examples/baghouz.txt", str(ROOT / "examples" / "baghouz.txt")]
    got = replies(chat(names))
    assert got == [HINT] * 3


def test_chat_bot_reads_files_only_inside_the_allowed_folder(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    (shared / "sub").mkdir(parents=True)
    (shared / "sub" / "goma.txt").write_text(SHORT_ARTICLE, encoding="utf-8")
    (shared / "hi.md").write_text("hi", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    (shared / "link.txt").symlink_to(secret)
    (shared / "outside").symlink_to(tmp_path)
    (shared / "loop.txt").symlink_to(shared / "loop.txt")
    got = replies(chat(["sub/goma.txt", "hi.md", "../secret.txt", str(secret), "link.txt",
                        "outside/secret.txt", "sub/../../secret.txt", "missing.html",
                        str(ROOT / "pyproject.toml"), "loop.txt", "nul\x00.txt"],
                       "--text", "--allow-files", str(shared)))
    assert got[0].startswith("SITUATION") and "Goma" in got[0]
    assert got[1] == HINT_WITH_FILES
    for name, reply in zip(["../secret.txt", str(secret), "link.txt", "outside/secret.txt",
                            "sub/../../secret.txt"], got[2:7], strict=True):
        assert reply == f"Sorry, I could not brief that: {name} is not in the shared folder"
    assert got[7] == "Sorry, I could not brief that: no such file: missing.html"
    assert got[8] == HINT_WITH_FILES  # not an article's name: just (short) text
    assert got[9:] == ["Sorry, I could not brief that: that is not a file name I can read"] * 2
    assert "SECRETMARKER" not in "".join(got)


def test_chat_bot_refuses_an_allow_files_that_is_not_a_folder(tmp_path: Path) -> None:
    proc = chat(["hi"], "--allow-files", str(tmp_path / "nowhere"))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.splitlines()[-1].endswith(f"--allow-files: {tmp_path / 'nowhere'} is not a folder")

"""The examples run as a user would run them."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import ROOT


def test_chat_bot_replies_with_markdown_or_an_apology() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    messages = ("examples/baghouz.txt\n---\nTroops killed 12 rebels in Goma on Monday.\n---\n"
                "\x00\n---\nno/such/page.html\n")
    proc = subprocess.run([sys.executable, "examples/chat_bot.py"], input=messages, cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=60, check=True)
    replies = proc.stdout.split("\n---\n")
    assert replies[0].startswith("## Situation") and "1,500" in replies[0]
    assert "12" in replies[1] and "Goma" in replies[1]
    assert replies[2].startswith("Sorry, I could not brief that:")
    assert replies[3].startswith("Sorry, I could not brief that: no such file")
    assert proc.stderr == ""

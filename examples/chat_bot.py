"""A small chat-bot handler: paste an article (or the path of a saved HTML page), get a brief.

No chat network is needed: messages come from stdin, separated by a line with only ``---``;
each reply goes to stdout. Plug ``handle`` into your chat library's message callback.

    python examples/chat_bot.py < examples/baghouz.txt
    printf 'page.html\n---\nSome article text...\n' | python examples/chat_bot.py --text
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from summarizer import Summarizer, SummarizerError, read_article


def _looks_like_a_path(text: str) -> bool:
    return Path(text).suffix.lower() in {".txt", ".md", ".html", ".htm"} or Path(text).is_file()


async def handle(summarizer: Summarizer, message: str, *, markdown: bool = True) -> str:
    """Reply to one chat message: the brief, or a one-line apology."""
    text = message.strip()
    try:
        if "\n" not in text and _looks_like_a_path(text):
            text = read_article(text).text  # a saved page or text file named in the chat
        result = await summarizer.asummarize(text)
    except SummarizerError as exc:
        return f"Sorry, I could not brief that: {exc}"
    return result.to_markdown() if markdown else result.to_text()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", action="store_true", help="plain text replies, not Markdown")
    args = parser.parse_args()
    summarizer = Summarizer()  # engine "auto": an endpoint or local model if configured
    messages = [m for m in sys.stdin.read().split("\n---\n") if m.strip()]
    try:
        for message in messages:
            print(await handle(summarizer, message, markdown=not args.text))
            print("---")
    finally:
        await summarizer.aclose()


if __name__ == "__main__":
    asyncio.run(main())

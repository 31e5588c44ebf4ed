"""A small chat-bot handler: paste an article, get a brief.

No chat network is needed: messages come from stdin, separated by a line with only ``---``;
each reply goes to stdout. Plug ``handle`` into your chat library's message callback.

A message is text. A message too short to be an article (fewer than 30 words, or no sentence)
gets a one-line hint, not a brief. Files are read only if the operator passes
``--allow-files DIR``: then a one-line message naming a saved page or article (.txt, .md, .html,
.htm) is read from inside DIR, and a name that leads outside it (``..``, an absolute path, a
symlink) is refused.

    python examples/chat_bot.py < examples/baghouz.txt
    printf 'baghouz.txt\n---\nhi\n' | python examples/chat_bot.py --allow-files examples --text
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from pathlib import Path

from summarizer import InputError, Summarizer, SummarizerError, read_article

# A one-paragraph news item (who, what, where, when, says who) takes about 30 words; below that a
# message is a greeting or a question, and a "brief" of it would only echo it back.
MIN_WORDS = 30
ARTICLE_SUFFIXES = {".txt", ".md", ".html", ".htm"}
HINT = "Send me the text of a news article about a conflict, and I will brief it."
HINT_WITH_FILES = ("Send me the text of a news article about a conflict (or a saved page), "
                   "and I will brief it.")


def is_article(text: str) -> bool:
    """Long enough, and with at least one sentence, to be worth a brief."""
    return len(text.split()) >= MIN_WORDS and re.search(r"\w[.!?]", text) is not None


def read_shared_file(name: str, folder: Path) -> str:
    """The text of a saved page or article named ``name`` inside ``folder``, and nowhere else."""
    folder = folder.resolve()
    try:
        # resolve() follows every symlink and "..", so the check sees where the name really leads.
        path = (folder / name).resolve()
        outside = not path.is_relative_to(folder)
        missing = outside or not path.is_file()  # no probing outside: that would leak what exists
    except (OSError, ValueError, RuntimeError):  # a NUL byte, a name too long, a symlink loop
        raise InputError("that is not a file name I can read") from None
    if outside:
        raise InputError(f"{name} is not in the shared folder")
    if missing:
        raise InputError(f"no such file: {name}")  # the name as sent: the folder's path stays private
    return read_article(path).text


async def handle(summarizer: Summarizer, message: str, *, markdown: bool = True,
                 files: Path | None = None) -> str:
    """Reply to one chat message: the brief, a one-line hint, or a one-line apology.

    ``files`` is the one folder the operator lets chat users read from; ``None`` reads nothing.
    """
    text = message.strip()
    try:
        if files is not None and "\n" not in text and Path(text).suffix.lower() in ARTICLE_SUFFIXES:
            text = read_shared_file(text, files)
        if not is_article(text):
            return HINT if files is None else HINT_WITH_FILES
        result = await summarizer.asummarize(text)
    except SummarizerError as exc:
        return f"Sorry, I could not brief that: {exc}"
    return result.to_markdown() if markdown else result.to_text()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", action="store_true", help="plain text replies, not Markdown")
    parser.add_argument("--allow-files", type=Path, metavar="DIR",
                        help="let messages name saved pages or articles in DIR (and only there)")
    args = parser.parse_args()
    if args.allow_files is not None and not args.allow_files.is_dir():
        parser.error(f"--allow-files: {args.allow_files} is not a folder")
    summarizer = Summarizer()  # engine "auto": an endpoint or local model if configured
    messages = [m for m in sys.stdin.read().split("\n---\n") if m.strip()]
    try:
        for message in messages:
            print(await handle(summarizer, message, markdown=not args.text, files=args.allow_files))
            print("---")
    finally:
        await summarizer.aclose()


if __name__ == "__main__":
    asyncio.run(main())

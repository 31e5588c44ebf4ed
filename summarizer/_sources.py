"""Reading articles from files and streams, with a clear error for each kind of bad input."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ._errors import InputError

MAX_BYTES = 5 * 1024 * 1024  # a news article is a few kB; more is a mistake, not an article


def decode(data: bytes, *, name: str = "input", max_bytes: int = MAX_BYTES) -> str:
    """Bytes to article text, refusing what is not text."""
    if len(data) > max_bytes:
        raise InputError(
            f"{name} is {len(data) / 1e6:.1f} MB; articles over {max_bytes / 1e6:.0f} MB are refused"
        )
    if not data:
        raise InputError(f"{name} is empty")
    if b"\x00" in data[:8192]:
        raise InputError(f"{name} looks binary, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} is not UTF-8 text (bad byte at offset {exc.start}); convert it with iconv"
        ) from None
    if not text.strip():
        raise InputError(f"{name} has only white space")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_path(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> str:
    """Read an article file."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"no such file: {p}")
    if p.is_dir():
        raise InputError(f"{p} is a folder; give a file (or use 'summarizer batch' for folders)")
    try:
        if p.stat().st_size > max_bytes:
            raise InputError(f"{p} is {p.stat().st_size / 1e6:.1f} MB; articles over "
                             f"{max_bytes / 1e6:.0f} MB are refused")
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except PermissionError:
        raise InputError(f"cannot read {p}: permission denied") from None
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc.strerror or exc}") from None
    return decode(data, name=str(p), max_bytes=max_bytes)


def read_stream(stream: BinaryIO, *, name: str = "standard input",
                max_bytes: int = MAX_BYTES) -> str:
    """Read an article from a binary stream such as stdin."""
    return decode(stream.read(max_bytes + 1), name=name, max_bytes=max_bytes)


@dataclass(frozen=True)
class Article:
    """An article's text as read, with the title and date of a saved page when known."""

    text: str
    title: str | None = None
    published: str | None = None


def prepare(text: str, *, html: bool | None = None, name: str = "") -> Article:
    """Text as given, or a saved HTML page reduced to its article (by flag, name or content)."""
    from ._html import extract_html, looks_like_html

    if html or (html is None and (name.lower().endswith((".html", ".htm"))
                                  or looks_like_html(text))):
        page = extract_html(text)
        return Article(page.text, page.title, page.date)
    return Article(text)


def read_article(path: str | os.PathLike[str], *, html: bool | None = None) -> Article:
    """Read an article file (text, or a saved HTML page), with a clear error for bad input."""
    return prepare(read_path(path), html=html, name=str(path))

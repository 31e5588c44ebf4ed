"""Reading articles from files and streams, with a clear error for each kind of bad input."""

from __future__ import annotations

import codecs
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ._errors import InputError

MAX_BYTES = 5 * 1024 * 1024  # a news article is a few kB; more is a mistake, not an article
# A byte-order mark says which Unicode encoding a file is in (UTF-32 before UTF-16: its mark
# begins with UTF-16's).
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def size_text(size: int) -> str:
    """A size as people read it: "5 MiB", "812 KiB", "120 bytes"."""
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f}".rstrip("0").rstrip(".") + f" {unit}"
    return f"{size} bytes"


def decode(data: bytes, *, name: str = "input", max_bytes: int = MAX_BYTES) -> str:
    """Bytes to article text, refusing what is not text."""
    if len(data) > max_bytes:
        raise InputError(f"{name} is over {size_text(max_bytes)}; longer articles are refused")
    if not data:
        raise InputError(f"{name} is empty")
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), "utf-8-sig")
    if encoding == "utf-8-sig" and b"\x00" in data[:8192]:
        raise InputError(f"{name} looks binary, not text")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} is not {'UTF-8' if encoding == 'utf-8-sig' else encoding.upper()} text "
            f"(bad byte at offset {exc.start}); convert it with iconv"
        ) from None
    if not text.strip():
        raise InputError(f"{name} has only white space")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_path(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> str:
    """Read an article file: a regular file (a FIFO or a device could block or never end;
    pipe those to standard input instead)."""
    p = Path(path)
    check_regular(p)
    try:
        if p.stat().st_size > max_bytes:
            raise InputError(f"{p} is {size_text(p.stat().st_size)}; articles over "
                             f"{size_text(max_bytes)} are refused")
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except PermissionError:
        raise InputError(f"cannot read {p}: permission denied") from None
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc.strerror or exc}") from None
    return decode(data, name=str(p), max_bytes=max_bytes)


def check_regular(p: Path) -> None:
    """InputError unless p is a regular file (or a link to one), saying what it is instead."""
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        if os.path.lexists(p):
            raise InputError(f"{p} is a broken symbolic link") from None
        raise InputError(f"no such file: {p}") from None
    except RuntimeError:  # a loop of symbolic links, on Pythons that raise it so
        raise InputError(f"{p} is a loop of symbolic links") from None
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            raise InputError(f"{p} is a loop of symbolic links") from None
        raise InputError(f"cannot read {p}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise InputError(f"{p} is a folder; give a file (or use 'summarizer batch' for folders)")
    if not stat.S_ISREG(mode):
        kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device"
                if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket"
                if stat.S_ISSOCK(mode) else "not a regular file")
        raise InputError(f"{p} is {kind}, not a file; pipe it to standard input ('-') instead")


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

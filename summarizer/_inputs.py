"""A batch's inputs: files, folders, globs, JSONL records and ``-``, each with a stable id."""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import IO

from ._errors import InputError, SummarizerError
from ._sources import MAX_BYTES, Article, decode, prepare, read_article

ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm")
HTML_SUFFIXES = (".html", ".htm")


@dataclass(frozen=True)
class BatchInput:
    """One article to brief: exactly one of text, html or path, or an error found while listing."""

    id: str
    source: str
    text: str | None = None
    html: str | None = None
    path: Path | None = None
    error: SummarizerError | None = None

    def load(self) -> Article:
        """The article text, with the title and date when it came from HTML."""
        if self.error is not None:
            raise self.error
        if self.text is not None:
            return Article(self.text)
        if self.html is not None:
            return prepare(self.html, html=True)
        assert self.path is not None
        return read_article(self.path, html=self.path.suffix.lower() in HTML_SUFFIXES)

    def _same(self, other: BatchInput) -> bool:
        return (self.source, self.text, self.html, self.path) == (
            other.source, other.text, other.html, other.path)


def _norm(path: str) -> str:
    return PurePath(os.path.normpath(path)).as_posix()


def _walk(folder: Path) -> Iterator[Path]:
    """Article files below a folder, sorted, skipping hidden files and folders."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and name.lower().endswith(ARTICLE_SUFFIXES):
                yield Path(root) / name


def _expand(arg: str) -> Iterator[BatchInput]:
    path = Path(arg)
    if path.is_dir():
        found = False
        for file in _walk(path):
            found = True
            # Relative to the folder given, so the id is the same whatever the working directory.
            yield BatchInput(id=file.relative_to(path).as_posix(), source=str(file), path=file)
        if not found:
            yield BatchInput(id=_norm(arg), source=arg, error=InputError(
                f"{arg} holds no {', '.join(ARTICLE_SUFFIXES)} files"))
    elif path.is_file() and path.suffix.lower() == ".jsonl":
        yield from _records(path, arg)
    elif path.exists():
        yield BatchInput(id=_norm(arg), source=arg, path=path)
    elif any(c in arg for c in "*?["):
        matches = sorted(glob.glob(arg, recursive=True))
        if not matches:
            yield BatchInput(id=arg, source=arg, error=InputError(f"no file matches {arg}"))
        for match in matches:
            if Path(match).is_dir():
                for file in _walk(Path(match)):
                    yield BatchInput(id=_norm(str(file)), source=str(file), path=file)
            else:
                yield BatchInput(id=_norm(match), source=match, path=Path(match))
    else:
        yield BatchInput(id=_norm(arg), source=arg, error=InputError(f"no such file or folder: {arg}"))


def _records(path: Path, name: str) -> Iterator[BatchInput]:
    """Records of a JSONL file; relative paths in it are relative to the file's folder."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield BatchInput(id=_norm(name), source=name,
                         error=InputError(f"cannot read {name}: {exc.strerror or exc}"))
        return
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        where = f"{name}:{number}"
        try:
            record = json.loads(decode(raw, name=f"line {number} of {name}", max_bytes=MAX_BYTES))
        except json.JSONDecodeError as exc:
            yield BatchInput(id=where, source=where,
                             error=InputError(f"line {number} of {name} is not JSON: {exc.msg}"))
            continue
        except InputError as exc:
            yield BatchInput(id=where, source=where, error=exc)
            continue
        if not isinstance(record, dict):
            yield BatchInput(id=where, source=where,
                             error=InputError(f"line {number} of {name} is not a JSON object"))
            continue
        given = [k for k in ("text", "html", "path") if record.get(k) is not None]
        rid = record.get("id")
        ident = str(rid) if isinstance(rid, (str, int)) and str(rid) else None
        if len(given) != 1 or not isinstance(record[given[0]], str):
            yield BatchInput(id=ident or where, source=where, error=InputError(
                f"line {number} of {name} needs exactly one of text, html or path, as a string"))
            continue
        kind, value = given[0], record[given[0]]
        if kind == "path":
            file = path.parent / value
            yield BatchInput(id=ident or _norm(value), source=str(file), path=file)
        else:
            yield BatchInput(id=ident or where, source=where, **{kind: value})


def collect_inputs(args: Iterable[str], *, stdin: IO[str] | None = None) -> list[BatchInput]:
    """Files, folders (recursive), globs, JSONL record files and ``-`` (paths on ``stdin``) as
    inputs with stable ids: a record's id, else the path relative to the folder given, else the
    path as given. The same input twice counts once; two inputs sharing an id is an InputError."""
    chosen: dict[str, BatchInput] = {}
    for arg in args:
        names: Iterable[str] = [arg]
        if arg == "-":
            if stdin is None:
                raise InputError("'-' given but there is no standard input to read paths from")
            names = [line.rstrip("\r\n") for line in stdin if line.strip()]
        for name in names:
            for item in _expand(name):
                seen = chosen.get(item.id)
                if seen is None:
                    chosen[item.id] = item
                elif not seen._same(item):
                    raise InputError(f"two inputs have the id {item.id!r} ({seen.source} and "
                                     f"{item.source}); give them distinct ids or run them apart")
    return list(chosen.values())

"""The batch's output: an append-only, locked, resumable JSONL file (or a stream)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Any


class JsonlOutput:
    """The batch's append-only JSONL output. On open, a trailing half line (a killed run) is cut
    off and the ids already briefed are read; nothing else is ever rewritten. Every line is
    flushed and fsync'd as it is written; the last line per id wins for readers."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *, stream: IO[bytes] | None = None
                 ) -> None:
        if (path is None) == (stream is None):
            raise ValueError("give a path or a stream")
        self.path = Path(path) if path is not None else None
        self._stream = stream
        self._fd: int | None = None
        self.done: set[str] = set()
        self.cut = 0  # bytes of a half line removed on open
        self.written = 0

    @property
    def name(self) -> str:
        """The file's name, for messages."""
        return str(self.path) if self.path is not None else "standard output"

    def open(self) -> JsonlOutput:
        """Lock, repair and read the file; OSError when it cannot be used."""
        if self.path is None:
            return self
        if os.path.exists(self.path) and not os.path.isfile(self.path):
            # A device never ends (/dev/zero) or cannot be read back (/dev/full): resuming needs
            # the briefs already written.
            raise OSError(f"{self.path} is not a regular file; the batch's output must be one, "
                          "to be resumed (write to standard output with '--out -')")
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            _lock(fd, self.path)
            data = _read_all(fd)
            end = data.rfind(b"\n") + 1
            if end < len(data):
                os.ftruncate(fd, end)
                self.cut = len(data) - end
            self.done = _done_ids(data[:end], self.path)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def write(self, record: dict[str, Any]) -> None:
        """Append one record as one line, and make it durable before returning."""
        text = json.dumps(record, ensure_ascii=False)
        # U+2028/9 are line breaks to str.splitlines(); escaped, any reader sees one line.
        line = (text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n").encode()
        if self._stream is not None:
            self._stream.write(line)
            self._stream.flush()
        else:
            assert self._fd is not None, "open() first"
            view = memoryview(line)
            while view:
                view = view[os.write(self._fd, view):]
            os.fsync(self._fd)
        self.written += 1
        if record.get("ok"):
            self.done.add(str(record["id"]))

    def close(self) -> None:
        """Release the file and its lock."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> JsonlOutput:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()


def _lock(fd: int, path: Path) -> None:
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, as before
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise OSError(f"another batch is writing to {path}; wait for it or choose another --out"
                      ) from None


def _read_all(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _done_ids(data: bytes, path: Path) -> set[str]:
    """Ids with an ``ok: true`` line; refuses a file that is not a batch output at all."""
    done: set[str] = set()
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError:
            record = None
        if not isinstance(record, dict) or "id" not in record:
            if number == 1:  # appending briefs to someone's article would spoil it
                raise OSError(f"{path} exists and is not a batch output (JSONL of briefs); "
                              "choose another --out")
            continue
        if record.get("ok") is True:
            done.add(str(record["id"]))
    return done

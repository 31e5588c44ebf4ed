"""A persistent cache of results, so identical requests are not paid for twice (SQLite).

The cache is an optimisation, so it never fails a brief: a damaged file is set aside and a new
one made, and a cache that cannot be used at all (its folder is a file, no permission) is skipped
after one warning through the ``summarizer`` logger.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ._errors import ConfigurationError
from ._result import Result, Usage

T = TypeVar("T")
log = logging.getLogger("summarizer")


def default_dir() -> Path:
    """The platform's user cache folder (Settings.cache_dir, or $SUMMARIZER_CACHE_DIR through
    Settings.from_env, chooses another)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("summarizer"))


def cache_key(article: str, *, context: str) -> str:
    """A digest of the article and of everything else that shapes its result (``context``:
    engine, model, endpoint, prompt templates, schema, policy, budgets)."""
    from . import __version__  # a new release may check more: results are not carried over

    return hashlib.sha256("\x1f".join([__version__, context, article]).encode("utf-8")).hexdigest()


class Cache:
    """Results by key in one SQLite file; safe across threads and processes. get() and put()
    never raise: a fault of the cache is logged once and the cache skipped from then on."""

    def __init__(self, folder: str | Path | None = None) -> None:
        self.folder = Path(folder) if folder else default_dir()
        self.path = self.folder / "results.sqlite3"
        self.moved_aside: Path | None = None  # where the last damaged file went
        self._local = threading.local()
        self._lock = threading.Lock()
        self._off: str | None = None  # why the cache is skipped, once it is

    # --- public ---------------------------------------------------------------------------

    def get(self, key: str) -> Result | None:
        """The cached result, marked as cached and as having spent nothing, or None."""
        started = time.perf_counter()
        row = self._quietly(lambda db: db.execute(
            "SELECT result FROM results WHERE key = ?", (key,)).fetchone(), None)
        if row is None:
            return None
        try:
            result = Result.model_validate_json(row[0])
        except ValueError:  # written in a shape this version no longer reads: ask the model again
            return None
        # This call made no request: the original attempts and tokens, reported again, would be
        # counted twice by whoever adds them up (a batch's records, an eval, a bill).
        result.meta = result.meta.model_copy(update={
            "cached": True, "attempts": 0, "attempt_log": [], "usage": Usage(),
            "latency_s": round(time.perf_counter() - started, 4)})
        return result

    def put(self, key: str, result: Result) -> None:
        """Store a result."""
        row = (key, result.model_dump_json(), time.time())

        def write(db: sqlite3.Connection) -> None:
            with db:
                db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?)", row)

        self._quietly(write, None)

    def clear(self) -> int:
        """Remove every entry; return how many there were. A damaged file is set aside instead
        (see ``moved_aside``); ConfigurationError when the cache cannot be opened at all."""

        def empty(db: sqlite3.Connection) -> int:
            with db:
                count = int(db.execute("SELECT COUNT(*) FROM results").fetchone()[0])
                db.execute("DELETE FROM results")
            db.execute("VACUUM")
            return count

        self.moved_aside = None
        if not os.path.exists(self.path):
            return 0
        try:  # the caller is told through moved_aside, so the set-aside is not logged as well
            return self._use(empty, tell=False)
        except (sqlite3.Error, OSError) as exc:
            raise ConfigurationError(
                f"cannot clear the result cache at {self.path}: {self._why(exc)}") from exc

    def info(self) -> dict[str, object]:
        """Where the cache is, how many entries and bytes it holds, and what is wrong with it
        (``problem``, else None). Changes nothing, not even a damaged file."""
        entries, problem, damaged = 0, self._misplaced(), os.path.isdir(self.path)
        if problem is None and os.path.exists(self.path):
            try:
                entries = int(self._db().execute("SELECT COUNT(*) FROM results").fetchone()[0])
            except (sqlite3.Error, OSError) as exc:
                problem = self._why(exc)
                damaged = isinstance(exc, sqlite3.Error) and self._damaged(exc)
        if problem is not None:
            problem = (f"damaged ({problem}); it is set aside and rebuilt on next use" if damaged
                       else f"cannot be used ({problem}); briefs go on without it")
        size = 0
        for path in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
            with contextlib.suppress(OSError):  # absent, unreadable, or gone since: not counted
                size += path.stat().st_size if path.is_file() else 0
        return {"path": str(self.path), "entries": entries, "bytes": size, "problem": problem}

    # --- connections ----------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, "
                           "result TEXT NOT NULL, created REAL NOT NULL)")
            except BaseException:
                db.close()
                raise
            self._local.db = db
        return db

    def _drop(self) -> None:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        self._local.db = None
        if db is not None:
            db.close()

    def _use(self, op: Callable[[sqlite3.Connection], T], *, tell: bool = True) -> T:
        """Run ``op`` on this thread's connection; if the file is damaged, set it aside and run
        ``op`` once more on a new one. Other faults are raised."""
        try:
            return op(self._db())
        except sqlite3.Error as exc:
            if not self._damaged(exc):
                raise
        # Judged again on a fresh connection: another process may have replaced the file already,
        # and setting aside its new one would throw away good results.
        self._drop()
        try:
            return op(self._db())
        except sqlite3.Error as exc:
            if not self._damaged(exc):
                raise
            self._set_aside(exc, tell=tell)
        return op(self._db())

    def _quietly(self, op: Callable[[sqlite3.Connection], T], default: T) -> T:
        """``op`` through :meth:`_use`, or ``default`` once the cache has failed (warned once)."""
        if self._off is not None:
            return default
        try:
            return self._use(op)
        except (sqlite3.Error, OSError) as exc:
            with self._lock:
                first = self._off is None
                self._off = self._why(exc)
            if first:
                log.warning("cannot use the result cache at %s (%s); briefs go on without it",
                            self.path, self._off)
            return default

    # --- damage ---------------------------------------------------------------------------

    def _damaged(self, exc: sqlite3.Error) -> bool:
        # Python raises SQLite's 'malformed' and 'not a database' as the bare DatabaseError;
        # the faults of a sound file (locked, read-only, disk full, cannot open) as subclasses.
        return type(exc) is sqlite3.DatabaseError or (
            isinstance(exc, sqlite3.OperationalError) and os.path.isdir(self.path))

    def _set_aside(self, exc: sqlite3.Error, *, tell: bool) -> None:
        """Move the damaged file and its journal out of the way, for a new one to be made."""
        why = self._why(exc)  # before the move: a folder in the file's place is told as such
        with self._lock:
            self._drop()
            stamp = time.strftime("%Y%m%d-%H%M%S")
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
            n = 1
            while aside.exists():  # damaged twice in a second: keep both
                aside, n = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}"), n + 1
            try:
                os.replace(self.path, aside)
            except FileNotFoundError:  # another process set it aside first
                return
            for side in ("-wal", "-shm"):  # its journal: the latest pages may be there, not in it
                with contextlib.suppress(FileNotFoundError):
                    os.replace(f"{self.path}{side}", f"{aside}{side}")
            self.moved_aside = aside
        if tell:
            log.warning("the result cache %s was damaged (%s); moved it to %s and started a new one",
                        self.path, why, aside.name)

    def _misplaced(self) -> str | None:
        # os.path rather than Path: a folder that cannot even be looked into is no error here
        if os.path.exists(self.folder) and not os.path.isdir(self.folder):
            return f"{self.folder} is not a folder"
        if os.path.isdir(self.path):
            return f"{self.path} is a folder, not a database"
        return None

    def _why(self, exc: BaseException) -> str:
        plain = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return self._misplaced() or plain

"""A persistent cache of results, so identical requests are not paid for twice (SQLite)."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
from pathlib import Path

from ._result import Result

ENV_VAR = "SUMMARIZER_CACHE_DIR"


def default_dir() -> Path:
    """$SUMMARIZER_CACHE_DIR, else the platform's user cache folder."""
    chosen = os.environ.get(ENV_VAR)
    if chosen:
        return Path(chosen).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("summarizer"))


def cache_key(article: str, *, context: str) -> str:
    """A digest of the article and of everything else that shapes its result (``context``:
    engine, model, endpoint, prompt templates, schema, policy, budgets)."""
    from . import __version__  # a new release may check more: results are not carried over

    return hashlib.sha256("\x1f".join([__version__, context, article]).encode("utf-8")).hexdigest()


class Cache:
    """Results by key in one SQLite file; safe across threads and processes."""

    def __init__(self, folder: str | Path | None = None) -> None:
        self.folder = Path(folder) if folder else default_dir()
        self.path = self.folder / "results.sqlite3"
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, "
                       "result TEXT NOT NULL, created REAL NOT NULL)")
            self._local.db = db
        return db

    def get(self, key: str) -> Result | None:
        """The cached result, marked as cached, or None."""
        row = self._db().execute("SELECT result FROM results WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        result = Result.model_validate_json(row[0])
        result.meta.cached = True
        return result

    def put(self, key: str, result: Result) -> None:
        """Store a result."""
        db = self._db()
        with db:
            db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?)",
                       (key, result.model_dump_json(), time.time()))

    def clear(self) -> int:
        """Remove every entry; return how many there were."""
        if not self.path.exists():
            return 0
        db = self._db()
        with db:
            count = int(db.execute("SELECT COUNT(*) FROM results").fetchone()[0])
            db.execute("DELETE FROM results")
        db.execute("VACUUM")
        return count

    def info(self) -> dict[str, object]:
        """Where the cache is, how many entries and bytes it holds."""
        entries = 0
        if self.path.exists():
            entries = int(self._db().execute("SELECT COUNT(*) FROM results").fetchone()[0])
        size = sum(p.stat().st_size for p in self.folder.glob("results.sqlite3*")) if (
            self.folder.exists()) else 0
        return {"path": str(self.path), "entries": entries, "bytes": size}

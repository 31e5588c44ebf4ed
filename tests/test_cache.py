"""The result cache: damage is set aside and rebuilt, an unusable cache is skipped with one
warning, and a cached result reports nothing spent. Real SQLite files in a temp folder."""

from __future__ import annotations

import gc
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from summarizer import Summarizer
from summarizer._batch import Progress, summarize_many
from summarizer._cache import Cache
from summarizer._extractive import extract
from summarizer._result import Attempt, AttemptReason, Meta, Result, Usage
from summarizer.cli import cli
from summarizer.testing import FakeChatModel, FakeOpenAIServer

from .conftest import ROOT

ARTICLE = (ROOT / "examples" / "baghouz.txt").read_text(encoding="utf-8")
SPENT = Usage(prompt_tokens=900, completion_tokens=300)


def result() -> Result:
    """A result as the pipeline makes it: one re-ask, and the tokens of both calls."""
    return Result(brief=extract(ARTICLE), meta=Meta(
        engine="openai", model="m", schema_version="1", attempts=2, usage=SPENT, latency_s=3.5,
        attempt_log=[Attempt(reason=AttemptReason.initial, outcome="ok",
                             usage=Usage(prompt_tokens=400)),
                     Attempt(reason=AttemptReason.reask, outcome="ok",
                             usage=Usage(prompt_tokens=500, completion_tokens=300))]))


def healthy(folder: Path, entries: int = 3) -> Path:
    """A cache file with some entries, closed."""
    cache = Cache(folder)
    for n in range(entries):
        cache.put(f"key-{n}", result())
    path = cache.path
    del cache
    gc.collect()  # a sqlite3 connection sits in a reference cycle: collected, it folds its journal in
    return path


def garbage(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.sqlite3").write_bytes(bytes(range(256)) * 32)


def cut_header(folder: Path) -> None:
    path = healthy(folder)
    path.write_bytes(path.read_bytes()[:50])


def scrambled_header(folder: Path) -> None:
    path = healthy(folder)
    data = bytearray(path.read_bytes())
    data[16:100] = b"\xff" * 84
    path.write_bytes(bytes(data))


def scrambled_pages(folder: Path) -> None:
    path = healthy(folder)
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xa5" * (len(data) - 4096)
    path.write_bytes(bytes(data))


def folder_in_its_place(folder: Path) -> None:
    (folder / "results.sqlite3").mkdir(parents=True)


def file_for_a_folder(folder: Path) -> None:
    folder.write_text("not a folder")


DAMAGE: dict[str, Callable[[Path], None]] = {
    "garbage": garbage, "cut header": cut_header, "scrambled header": scrambled_header,
    "scrambled pages": scrambled_pages, "folder": folder_in_its_place,
}


def aside(folder: Path) -> list[Path]:
    """The damaged files set aside, without the journal files that went with them."""
    return sorted(p for p in folder.glob("results.sqlite3.corrupt-*")
                  if not p.name.endswith(("-wal", "-shm")))


def cache_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "summarizer" and r.levelno == logging.WARNING]


# --- a damaged file is set aside and rebuilt ---------------------------------------------------


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_damaged_cache_is_set_aside_and_rebuilt(tmp_path: Path, damage: Callable[[Path], None],
                                                caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "cache"
    damage(folder)
    cache = Cache(folder)
    assert cache.get("key-0") is None
    [moved] = aside(folder)
    assert cache.moved_aside == moved
    [warning] = cache_warnings(caplog)
    assert "damaged" in warning and moved.name in warning

    cache.put("key-0", result())
    again = Cache(folder).get("key-0")  # a new connection reads what was written
    assert again is not None and again.brief == result().brief
    assert aside(folder) == [moved] and len(cache_warnings(caplog)) == 1


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_write_to_a_damaged_cache_goes_to_a_new_one(tmp_path: Path,
                                                      damage: Callable[[Path], None]) -> None:
    folder = tmp_path / "cache"
    damage(folder)
    Cache(folder).put("fresh", result())
    assert len(aside(folder)) == 1
    assert Cache(folder).get("fresh") is not None


def test_a_cache_open_elsewhere_keeps_working_when_the_file_is_set_aside(tmp_path: Path
                                                                         ) -> None:
    elsewhere = Cache(tmp_path)
    elsewhere.put("before", result())  # its connection stays open, on the file and its journal
    checkpoint = sqlite3.connect(elsewhere.path)
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint.close()
    elsewhere.path.write_bytes(bytes(range(256)) * 32)
    here = Cache(tmp_path)
    assert here.get("before") is None and here.moved_aside is not None
    here.put("here", result())
    elsewhere.put("elsewhere", result())  # finds the damage too, and moves to the new file
    for _ in range(2):
        elsewhere.put("again", result())
        here.put("again", result())
    fresh = Cache(tmp_path)
    assert all(fresh.get(key) is not None for key in ("here", "elsewhere", "again"))
    assert aside(tmp_path) == [here.moved_aside]
    assert Path(f"{here.moved_aside}-wal").exists()  # the journal went with its file


def test_other_threads_move_to_the_new_file_too(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    with ThreadPoolExecutor(max_workers=1) as worker:  # one thread, keeping its connection
        worker.submit(cache.put, "first", result()).result()
        checkpoint = sqlite3.connect(cache.path)
        checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        checkpoint.close()
        cache.path.write_bytes(bytes(range(256)) * 32)
        assert cache.get("first") is None and cache.moved_aside is not None
        worker.submit(cache.put, "second", result()).result()
    assert Cache(tmp_path).get("second") is not None


def test_set_aside_names_do_not_collide(tmp_path: Path) -> None:
    path = tmp_path / "results.sqlite3"
    for _ in range(3):
        for side in ("", "-wal", "-shm"):  # the new file of the last round, still open here
            Path(f"{path}{side}").unlink(missing_ok=True)
        path.write_bytes(b"not a database at all" * 10)
        assert Cache(tmp_path).get("key") is None
    assert len(aside(tmp_path)) == 3


# --- a cache that cannot be used is skipped, with one warning -----------------------------------


def test_cache_folder_that_is_a_file_is_skipped_with_one_warning(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "cache"
    file_for_a_folder(folder)
    cache = Cache(folder)
    for _ in range(3):
        cache.put("key", result())
        assert cache.get("key") is None
    [warning] = cache_warnings(caplog)
    assert str(folder) in warning and "not a folder" in warning
    assert folder.read_text() == "not a folder"  # someone else's file: left alone


def test_cache_under_a_file_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    cache = Cache(tmp_path / "file" / "cache")
    cache.put("key", result())
    assert cache.get("key") is None


def test_read_only_cache_is_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = healthy(tmp_path)
    path.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        if _writable(path):
            pytest.skip("permissions are not enforced for this user (root)")
        cache = Cache(tmp_path)
        cache.put("new", result())
        cache.put("newer", result())
        assert cache.get("new") is None
        assert len(cache_warnings(caplog)) == 1 and not aside(tmp_path)
    finally:
        tmp_path.chmod(0o755)
        path.chmod(0o644)


def _writable(path: Path) -> bool:
    try:
        with path.open("ab"):
            return True
    except PermissionError:
        return False


# --- rows written by another schema --------------------------------------------------------------


def test_row_that_no_longer_validates_is_a_miss(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put("key", result())
    db = sqlite3.connect(cache.path)
    with db:
        db.execute("UPDATE results SET result = ?", ('{"brief": {"summary": "older"}}',))
        db.execute("INSERT INTO results VALUES ('junk', 'not json', 0)")
    db.close()
    assert cache.get("key") is None and cache.get("junk") is None
    cache.put("key", result())  # and the next result replaces it
    assert cache.get("key") is not None


# --- a cached result spent nothing -------------------------------------------------------------


def test_cached_result_reports_nothing_spent(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put("key", result())
    hit = cache.get("key")
    assert hit is not None and hit.meta.cached
    assert hit.meta.usage == Usage() and hit.meta.attempts == 0 and hit.meta.attempt_log == []
    assert hit.meta.latency_s < 3.5
    assert hit.brief == result().brief and hit.meta.model == "m"


def test_second_brief_from_the_cache_spends_no_tokens(baghouz: str, tmp_path: Path) -> None:
    fake = FakeChatModel(cacheable=True)

    def make() -> Summarizer:
        return Summarizer(chat_model=fake, cache_dir=tmp_path)

    with make() as summarizer:
        first = summarizer.summarize(baghouz)
    with make() as summarizer:
        second = summarizer.summarize(baghouz)
    assert len(fake.requests) == 1 and second.meta.cached and not first.meta.cached
    assert first.meta.usage.total_tokens > 0 and second.meta.usage.total_tokens == 0


def test_cached_batch_records_spend_nothing_and_count_no_retries(baghouz: str,
                                                                 tmp_path: Path) -> None:
    articles = [("a", baghouz), ("b", baghouz.replace("Baghouz", "Hajin"))]
    progress: list[Progress] = []
    fake = FakeChatModel("not a brief", cacheable=True)  # the first article needs a re-ask
    options: dict[str, Any] = {"chat_model": fake, "cache_dir": tmp_path, "concurrency": 1}
    first = list(summarize_many(articles, **options))
    assert sum(len(i.result.meta.attempt_log) for i in first if i.result) == 3

    second = list(summarize_many(articles, on_progress=progress.append, **options))
    assert len(fake.requests) == 3
    assert all(i.result and i.result.meta.cached for i in second)
    assert all(i.to_record()["meta"]["usage"] == {"prompt_tokens": 0, "completion_tokens": 0}
               for i in second)
    assert progress[-1].retries == 0 and progress[-1].usage == Usage()


# --- briefs go on whatever state the cache is in -----------------------------------------------


@pytest.mark.parametrize("damage", [*DAMAGE.values(), file_for_a_folder],
                         ids=[*DAMAGE.keys(), "folder is a file"])
def test_briefs_go_on_with_a_broken_cache(baghouz: str, tmp_path: Path,
                                          damage: Callable[[Path], None]) -> None:
    folder = tmp_path / "cache"
    damage(folder)
    fake = FakeChatModel(cacheable=True)
    with Summarizer(chat_model=fake, cache_dir=folder) as summarizer:
        assert summarizer.summarize(baghouz).brief.situation
        assert summarizer.summarize(baghouz).brief.situation
    cached = folder.is_dir()  # rebuilt where it could be, skipped where it could not
    assert len(fake.requests) == (1 if cached else 2)


# --- clear and info ----------------------------------------------------------------------------


def test_clear_counts_and_empties_a_healthy_cache(tmp_path: Path) -> None:
    healthy(tmp_path, entries=3)
    cache = Cache(tmp_path)
    assert cache.clear() == 3 and cache.moved_aside is None
    assert cache.info()["entries"] == 0 and Cache(tmp_path).clear() == 0


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_clear_sets_a_damaged_cache_aside_and_leaves_a_working_one(
        tmp_path: Path, damage: Callable[[Path], None], caplog: pytest.LogCaptureFixture) -> None:
    damage(tmp_path)
    cache = Cache(tmp_path)
    assert cache.clear() == 0
    assert cache.moved_aside is not None and aside(tmp_path) == [cache.moved_aside]
    assert cache_warnings(caplog) == []  # the caller is told by moved_aside: no second voice
    cache.put("key", result())
    assert Cache(tmp_path).get("key") is not None


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_info_describes_damage_and_changes_nothing(tmp_path: Path,
                                                   damage: Callable[[Path], None]) -> None:
    damage(tmp_path)
    facts = Cache(tmp_path).info()
    assert facts["entries"] == 0 and "damaged" in str(facts["problem"])
    assert aside(tmp_path) == [] and (tmp_path / "results.sqlite3").exists()


def test_info_leaves_out_set_aside_files(tmp_path: Path) -> None:
    garbage(tmp_path / "cache")
    Cache(tmp_path / "cache").get("key")
    facts = Cache(tmp_path / "cache").info()
    assert facts["problem"] is None and facts["entries"] == 0
    live = [tmp_path / "cache" / f"results.sqlite3{side}" for side in ("", "-wal", "-shm")]
    assert facts["bytes"] == sum(p.stat().st_size for p in live if p.exists())


def test_info_of_a_folder_that_is_a_file(tmp_path: Path) -> None:
    file_for_a_folder(tmp_path / "cache")
    facts = Cache(tmp_path / "cache").info()
    assert facts["entries"] == 0 and facts["bytes"] == 0 and "not a folder" in str(facts["problem"])


# --- the commands ------------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    outcome = CliRunner().invoke(cli, list(args))
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)
    return outcome.exit_code, outcome.stdout, outcome.stderr


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_cache_clear_command_on_a_damaged_cache(tmp_path: Path,
                                                damage: Callable[[Path], None]) -> None:
    damage(tmp_path / "cache")  # the folder SUMMARIZER_CACHE_DIR points at (conftest)
    code, out, err = run("cache", "clear")
    assert code == 0 and err == ""
    [line] = out.splitlines()
    [moved] = aside(tmp_path / "cache")
    assert "damaged" in line and moved.name in line
    again = run("cache", "clear")[1]
    assert again == f"removed 0 cached results from {tmp_path / 'cache' / 'results.sqlite3'}\n"


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_cache_info_command_on_a_damaged_cache(tmp_path: Path,
                                               damage: Callable[[Path], None]) -> None:
    damage(tmp_path / "cache")
    code, out, err = run("cache", "info")
    assert code == 0 and err == "" and "Traceback" not in out
    assert "entries: 0" in out
    [problem] = [line for line in out.splitlines() if line.startswith("problem: ")]
    assert "damaged" in problem


def test_cache_commands_when_the_folder_is_a_file(tmp_path: Path) -> None:
    file_for_a_folder(tmp_path / "cache")
    code, out, _ = run("cache", "info")
    assert code == 0 and "problem: " in out and "not a folder" in out
    code, out, _ = run("cache", "clear")
    assert code == 0 and out.startswith("removed 0 cached results") and len(out.splitlines()) == 1
    assert (tmp_path / "cache").read_text() == "not a folder"


def test_cache_info_command_on_a_healthy_cache(tmp_path: Path) -> None:
    healthy(tmp_path / "cache", entries=2)
    code, out, _ = run("cache", "info")
    assert code == 0 and "entries: 2" in out and "problem" not in out


@pytest.mark.parametrize("damage", [*DAMAGE.values(), file_for_a_folder],
                         ids=[*DAMAGE.keys(), "folder is a file"])
def test_brief_command_with_a_broken_cache(server: FakeOpenAIServer, tmp_path: Path,
                                           damage: Callable[[Path], None],
                                           caplog: pytest.LogCaptureFixture) -> None:
    damage(tmp_path / "cache")
    code, out, _ = run("brief", str(ROOT / "examples" / "baghouz.txt"), "--engine", "openai",
                       "--base-url", server.url, "--model", "m")
    assert code == 0 and out.startswith("## Situation")
    [warning] = cache_warnings(caplog)
    assert "damaged" in warning or "not a folder" in warning

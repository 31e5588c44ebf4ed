"""``summarizer batch --batch-api``: the provider's Batch API, polled with a progress bar."""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

import click

from .._batch_api import BatchRun, BatchStatus, Submitted, run_batch_api, state_path, statuses
from .._errors import SummarizerError
from .._inputs import BatchInput
from .._jsonl import JsonlOutput
from .._settings import Settings
from ._batch import _clock, _tell, summary_line
from ._main import _one_line

# What to do about a batch that ended without finishing, said after what it did finish.
_NEXT = {
    "failed": "the provider refused it (summarizer batch ... --batch-api --status says more)",
    "expired": "it ran past the provider's 24 h window",
    "cancelled": "it was cancelled",
}


class BatchFeed:
    """A progress bar on standard error while batches run: requests done, status, time."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None
        self.words = ""
        self.started = time.monotonic()

    def __call__(self, batches: list[BatchStatus]) -> None:
        if not self.enabled or not batches:
            return
        total = sum(b.total for b in batches)
        done = sum(b.completed + b.failed for b in batches)
        self.words = (f"{'/'.join(sorted({b.status for b in batches}))}  "
                      f"{_clock(time.monotonic() - self.started)}")
        if self.bar is None:
            self.bar = click.progressbar(length=max(total, 1), label="batch", file=sys.stderr,
                                         show_pos=True, show_percent=False, show_eta=False,
                                         item_show_func=lambda _: self.words, width=24)
            self.bar.__enter__()
        if done > self.bar.pos:
            self.bar.update(done - self.bar.pos)
        else:
            self.bar.render_progress()

    def __enter__(self) -> BatchFeed:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


def batch_api_command(items: list[BatchInput], out: str, settings: Settings, *,
                      status_only: bool, interval: float, quiet: bool, concurrency: int,
                      prices: tuple[float | None, float | None]) -> None:
    """Run (or, with ``status_only``, report) the Batch API batches of one output file."""
    if out == "-":
        raise click.UsageError("--batch-api needs --out FILE: its batches are recorded beside "
                               "it, so that a rerun resumes them")
    if settings.resolve_engine()[0] != "openai":
        raise click.UsageError("--batch-api needs the openai engine: give --base-url or set "
                               "OPENAI_API_KEY")
    try:
        submitted = Submitted(state_path(out))
    except SummarizerError as exc:
        raise click.ClickException(_one_line(str(exc))) from None
    if status_only:
        _report(settings, submitted, out)
        return
    output = JsonlOutput(out)
    try:
        output.open()
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {_one_line(exc.strerror or str(exc))}"
                                   ) from None
    try:
        with BatchFeed(enabled=not quiet and sys.stderr.isatty()) as feed:
            run = asyncio.run(run_batch_api(items, output, submitted, settings=settings,
                                            interval=interval, on_status=feed, on_item=_tell,
                                            concurrency=concurrency))
    except KeyboardInterrupt:
        going = ", ".join(b["id"] for b in submitted.batches if b["id"])
        click.echo(f"summarizer: interrupted ({output.written} written to {out})"
                   + (f"; {going} goes on at the provider" if going else "")
                   + "; run the same command again to resume", err=True)
        sys.exit(130)
    except SummarizerError as exc:
        raise click.ClickException(f"{_one_line(str(exc))} ({output.written} written to {out}); "
                                   "run the same command again to resume") from None
    except OSError as exc:  # the output or the record of batches cannot be written
        raise click.ClickException(f"cannot write {exc.filename or out}: "
                                   f"{_one_line(exc.strerror or str(exc))}") from None
    finally:
        output.close()
    _close(run, quiet, prices)


def _close(run: BatchRun, quiet: bool, prices: tuple[float | None, float | None]) -> None:
    progress = run.progress
    if progress.failed or run.unfinished or not quiet:
        click.echo(summary_line(progress, *prices), err=True)
    for status, left in run.unfinished:
        click.echo(f"summarizer: batch {status.id} {status.status}: {_NEXT[status.status]}; "
                   f"{left} of its articles were not briefed: rerun the same command to submit "
                   "them again, or run it without --batch-api to brief them live", err=True)
    if progress.failed:
        click.echo(f"summarizer: rerun the same command to retry the {progress.failed} failed",
                   err=True)
    if progress.failed or run.unfinished:
        sys.exit(1)


def _report(settings: Settings, submitted: Submitted, out: str) -> None:
    if not submitted.batches:
        click.echo(f"no batch is recorded for {out}")
        return
    try:
        found = asyncio.run(statuses(settings, submitted))
    except SummarizerError as exc:
        raise click.ClickException(_one_line(str(exc))) from None
    for b in found:
        click.echo(f"{b.id}: {b.status}, {b.completed} of {b.total} done, {b.failed} failed")

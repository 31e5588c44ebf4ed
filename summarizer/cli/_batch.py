"""``summarizer batch`` and ``summarizer cache``: many articles to a resumable JSONL file."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from typing import Any

import click

from .._batch import BatchItem, Progress, run_batch
from .._cache import Cache
from .._errors import ConfigurationError
from .._inputs import BatchInput, collect_inputs
from .._jsonl import JsonlOutput
from .._ratelimit import RateLimiter
from .._result import Usage
from .._settings import Settings
from .._shard import Shard
from ._main import _one_line, cli, engine_options, log, log_attempts, settings_from

_REDRAW = 0.1  # seconds between progress redraws: enough to look live, cheap on a slow terminal


class ProgressFeed:
    """click's progress bar on standard error, fed by the batch's progress callback and redrawn
    at most every _REDRAW seconds; hidden when not enabled (``--quiet``, or not a terminal)."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self.progress: Progress | None = None
        self._last = 0.0
        # Our own ETA rather than click's: skipped articles take no time and must not count.
        self.bar = click.progressbar(length=total, label="briefing", file=sys.stderr,
                                     hidden=not enabled, show_pos=True, show_percent=False,
                                     show_eta=False, item_show_func=self._info, width=24)

    def __call__(self, progress: Progress) -> None:
        self.progress = progress
        count = progress.finished + progress.skipped
        now = time.monotonic()
        if now - self._last < _REDRAW and count < (progress.total or 0):
            return
        self._last = now
        if count > self.bar.pos:
            self.bar.update(count - self.bar.pos)
        else:  # only retries or tokens moved
            self.bar.render_progress()

    def _info(self, _: int | None) -> str | None:
        return progress_info(self.progress) if self.progress is not None else None

    def __enter__(self) -> ProgressFeed:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.bar.__exit__(*exc)  # a last newline, so what follows starts on a line of its own


def progress_info(p: Progress) -> str:
    """What follows the bar: ``ok 118  failed 2  retries 14  12.3k tokens  ETA 0:07``."""
    eta = p.eta
    skipped = f"  skipped {p.skipped}" if p.skipped else ""
    line = (f"ok {p.ok}  failed {p.failed}{skipped}  retries {p.retries}  "
            f"{_tokens(p.usage.total_tokens)} tokens")
    if p.finished + p.skipped == p.total:  # nothing left to wait for
        return line
    return f"{line}  ETA {_clock(eta) if eta is not None else '-:--'}"


def _tokens(n: int) -> str:
    return f"{n / 1e6:.1f}M" if n >= 1e6 else f"{n / 1e3:.1f}k" if n >= 1e4 else str(n)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def cost(usage: Usage, model: str | None, price_in: float | None, price_out: float | None
         ) -> str | None:
    """``$0.0123`` for the tokens spent, when prices are given or the model is known."""
    known = None
    if model:  # the price table sits with the openai engine, whose module loads the SDK (~0.5 s)
        from .._engines._openai import price_of

        known = price_of(model)
    if price_in is None and price_out is None and known is None:
        return None
    pin = price_in if price_in is not None else (known[0] if known else 0.0)
    pout = price_out if price_out is not None else (known[1] if known else 0.0)
    return f"${(usage.prompt_tokens * pin + usage.completion_tokens * pout) / 1e6:.4f}"


def summary_line(p: Progress, price_in: float | None = None, price_out: float | None = None) -> str:
    """The closing counts: ok, failed, skipped, tokens, seconds, and cost when it can be told."""
    line = (f"summarizer: {p.ok} ok, {p.failed} failed, {p.skipped} skipped, "
            f"{p.usage.total_tokens:,} tokens, {p.elapsed:.1f} s")
    if p.cached:
        line += f" ({p.cached} from the cache)"
    price = cost(p.usage, p.model, price_in, price_out)
    return line + (f", about {price}" if price else "")


def _tell(item: BatchItem) -> None:
    """One article's end, and each of its requests (--verbose)."""
    if log.isEnabledFor(logging.INFO):
        error = item.error
        log.info("%s: %s", item.id, "ok" if item.ok else f"failed: {type(error).__name__}: "
                 f"{_one_line(str(error))}")
        attempts = (item.result.meta.attempt_log if item.result is not None
                    else getattr(error, "attempt_log", None) or [])
        log_attempts(attempts, prefix=f"{item.id}: ")


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-o", "--out", default="-", show_default=True,
              help="JSONL file to append briefs to; rerunning skips ids already briefed. "
                   "'-' is standard output (no resume).")
@click.option("--concurrency", type=click.IntRange(1, 512), default=8, show_default=True,
              help="Articles in flight at once (a local model still runs one at a time).")
@click.option("--rpm", type=click.FloatRange(min=0, min_open=True),
              help="Client-side limit of requests per minute (off by default).")
@click.option("--tpm", type=click.FloatRange(min=0, min_open=True),
              help="Client-side limit of tokens per minute, by estimate (off by default).")
@click.option("--price-in", type=click.FloatRange(min=0), help="USD per million prompt tokens.")
@click.option("--price-out", type=click.FloatRange(min=0),
              help="USD per million completion tokens.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar, and no summary when all is ok.")
@click.option("--batch-api", is_flag=True,
              help="Send the articles through the provider's Batch API (about half the price, "
                   "its own rate limits, up to 24 h): submitted once, polled, every reply checked "
                   "as a live one and re-asked live if it fails. Needs --out; rerun to resume.")
@click.option("--status", "status_only", is_flag=True,
              help="With --batch-api: say where the batches of --out stand, and stop.")
@click.option("--poll-interval", type=click.FloatRange(min=0.01), default=30.0,
              show_default=True, help="Seconds between looks at a running batch.")
@click.option("--shard", metavar="K/N|auto",
              help="Brief only this copy's slice of the inputs (by article id): K of N, or auto "
                   "from a Slurm, AWS Batch or Kubernetes array job's variables. The output goes "
                   "to OUT named with .K-of-N (briefs.2-of-4.jsonl).")
@engine_options
def batch(inputs: tuple[str, ...], out: str, concurrency: int, rpm: float | None,
          tpm: float | None, price_in: float | None, price_out: float | None,
          quiet: bool, shard: str | None, batch_api: bool, status_only: bool,
          poll_interval: float, **opts: Any) -> None:
    """Brief every article in INPUT... (files, folders, globs, JSONL records, or '-' for paths
    on standard input), one JSON line per article: {id, source, ok, brief|error, meta}.

    Exit code 0 if every article was briefed, 1 if any failed (rerun the same command to retry
    them), 130 if interrupted.
    """
    settings = settings_from(opts)  # --no-cache among them
    engine, reason = settings.resolve_engine()
    log.info("engine: %s (%s)", engine, reason)
    stdin = sys.stdin if "-" in inputs else None
    items: list[BatchInput] = collect_inputs(inputs, stdin=stdin)
    if shard is not None:
        items, out = _sliced(shard, items, out)
    if batch_api or status_only:
        from ._batch_api import batch_api_command  # the SDK's batch types load only when used

        batch_api_command(items, out, settings, status_only=status_only, interval=poll_interval,
                          quiet=quiet, concurrency=concurrency, prices=(price_in, price_out))
        return
    output = JsonlOutput(stream=sys.stdout.buffer) if out == "-" else JsonlOutput(out)
    try:
        output.open()
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {_one_line(exc.strerror or str(exc))}"
                                   ) from None
    if output.cut:
        log.info("cut a half-written last line (%d bytes) from %s", output.cut, out)
    try:
        # On Ctrl-C asyncio.run cancels the batch (in-flight requests end, the line being
        # written is finished) before KeyboardInterrupt reaches us.
        with ProgressFeed(len(items), enabled=not quiet and sys.stderr.isatty()) as feed:
            progress = asyncio.run(run_batch(items, output, concurrency=concurrency,
                                             limiter=RateLimiter(rpm, tpm), on_progress=feed,
                                             settings=settings, on_item=_tell))
    except KeyboardInterrupt:
        where = f" ({output.written} written to {out})" if out != "-" else ""
        hint = "; run the same command again to resume" if out != "-" else ""
        click.echo(f"summarizer: interrupted{where}{hint}", err=True)
        sys.exit(130)
    except OSError as exc:  # the output file went away or the disk filled up
        raise click.ClickException(f"cannot write {out}: {_one_line(exc.strerror or str(exc))}"
                                   ) from None
    finally:
        output.close()
    if progress.failed or not quiet:
        click.echo(summary_line(progress, price_in, price_out), err=True)
    if progress.failed:
        click.echo(f"summarizer: rerun the same command to retry the {progress.failed} failed"
                   if out != "-" else "summarizer: some articles failed", err=True)
        sys.exit(1)


def _sliced(given: str, items: list[BatchInput], out: str) -> tuple[list[BatchInput], str]:
    """This copy's slice of the inputs, and its output file."""
    try:
        shard = Shard.parse(given, os.environ)
    except ConfigurationError as exc:
        raise click.UsageError(str(exc)) from None
    mine = shard.select(items)
    log.info("shard %d/%d: %d of %d articles, to %s", shard.index + 1, shard.count, len(mine),
             len(items), shard.output(out))
    return mine, shard.output(out)


@cli.group()
def cache() -> None:
    """Inspect or empty the result cache ($SUMMARIZER_CACHE_DIR, else the user cache folder)."""


@cache.command()
def info() -> None:
    """Where the cache is, and how many results and bytes it holds."""
    facts = Cache(Settings.from_env().cache_dir).info()
    click.echo(f"path: {facts['path']}\nentries: {facts['entries']}\nbytes: {facts['bytes']}")
    if facts["problem"]:
        click.echo(f"problem: {facts['problem']}")


@cache.command()
def clear() -> None:
    """Remove every cached result; a damaged cache is set aside, and a new one started."""
    store = Cache(Settings.from_env().cache_dir)
    removed = store.clear()  # a cache that cannot be opened: ConfigurationError, "Error: ..."
    if store.moved_aside is not None:
        click.echo(f"the cache {store.path} was damaged: moved it to {store.moved_aside.name} "
                   "(delete it if not needed) and started a new one")
        return
    click.echo(f"removed {removed} cached result{'s' if removed != 1 else ''} from {store.path}")

"""The command line: ``summarizer brief``, ``schema`` and ``eval``. The only module using click."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .. import __version__
from .._brief import Brief
from .._errors import BriefValidationError, EngineError, SummarizerError
from .._eval import evaluate, failed, report
from .._pipeline import Summarizer
from .._result import Attempt, Result
from .._settings import DEFAULT_MODEL, ENGINES, ENVIRONMENT, RESPONSE_FORMATS, Settings
from .._sources import prepare, read_path, read_stream

log = logging.getLogger("summarizer")


DEFAULTS = Settings()  # the library's defaults are the CLI's: one source of truth


def _env(field: str) -> str:
    return f" [env: {ENVIRONMENT[field]}]"


def engine_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command that makes briefs shares. An option not given is taken from
    its environment variable by Settings.from_env, else it is the library's default."""
    options = [
        click.option("--engine", type=click.Choice(ENGINES),
                     help="auto: an endpoint or key if configured, else a local model if set, "
                          f"else extractive [default: {DEFAULTS.engine}]" + _env("engine")),
        click.option("--model", help="Model name for the endpoint "
                                     f"[default: {DEFAULT_MODEL} at OpenAI]" + _env("model")),
        click.option("--base-url", help="OpenAI-compatible endpoint, e.g. "
                                        "http://127.0.0.1:8080/v1." + _env("base_url")),
        click.option("--timeout", type=float, default=DEFAULTS.timeout, show_default=True,
                     help="Seconds per model request, start to finish."),
        click.option("--response-format", type=click.Choice(["auto", *RESPONSE_FORMATS]),
                     help="How the openai engine asks for JSON; auto starts with json_schema "
                          f"and follows what the server rejects [default: "
                          f"{DEFAULTS.response_format}]" + _env("response_format")),
        click.option("--model-path", type=click.Path(),
                     help="GGUF file for --engine local (default: the bundled SmolLM2-135M)."
                          + _env("model_path")),
        click.option("--prompts", type=click.Path(),
                     help="Folder of prompt templates to use instead of the packaged ones."
                          + _env("prompts")),
        click.option("--reasks", type=click.IntRange(0, 10), default=DEFAULTS.reasks,
                     show_default=True, help="Re-asks after an invalid or ungrounded reply."),
        click.option("--retries", type=click.IntRange(0, 20), default=DEFAULTS.transport_retries,
                     show_default=True,
                     help="Transport retries (429, 5xx, timeouts, connection errors) per request."),
        click.option("--max-tokens", type=click.IntRange(64), default=DEFAULTS.max_tokens,
                     show_default=True, help="Output budget per request."),
        click.option("--context-tokens", type=click.IntRange(512), default=None,
                     help="The model's context window; longer articles are briefed in parts "
                          "[default: known per model, else 8192; local: the model's n_ctx]."),
        click.option("--strict/--lenient", default=DEFAULTS.strict, show_default=True,
                     help="strict: any unverifiable item is an error; lenient: drop it, warn."),
        click.option("--cache/--no-cache", default=DEFAULTS.cache, show_default=True,
                     help="Reuse the results of identical requests (LLM engines)."),
        click.option("-v", "--verbose", is_flag=True, help="Say what happens on stderr."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def settings_from(opts: dict[str, Any]) -> Settings:
    """Settings from the options given, the environment for those not given."""
    if opts.pop("verbose", False):
        _verbose()
    return Settings.from_env(
        engine=opts["engine"], model=opts["model"], base_url=opts["base_url"],
        timeout=opts["timeout"], model_path=opts["model_path"], prompts=opts["prompts"],
        reasks=opts["reasks"], max_tokens=opts["max_tokens"], strict=opts["strict"],
        context_tokens=opts["context_tokens"], cache=opts["cache"],
        transport_retries=opts["retries"], response_format=opts["response_format"],
    )


class _StderrHandler(logging.Handler):
    """Log lines to whatever stderr click writes to (CliRunner's too)."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"summarizer: {record.getMessage()}", err=True)


def _warnings() -> None:
    """The library's warnings (a damaged cache set aside, say) reach stderr as 'summarizer: ...'
    even without --verbose."""
    log.propagate = False
    log.setLevel(logging.WARNING)  # each command starts quiet; --verbose raises it to INFO
    if not any(isinstance(h, _StderrHandler) for h in log.handlers):
        log.addHandler(_StderrHandler())


def _verbose() -> None:
    _warnings()
    log.setLevel(logging.INFO)


def make_summarizer(settings: Settings) -> Summarizer:
    summarizer = Summarizer(settings)
    log.info("engine: %s; chosen because %s", summarizer.engine().describe(),
             summarizer.engine_reason)
    return summarizer


class _Group(click.Group):
    """Turns the library's errors into click's one-line ``Error: ...`` with exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SummarizerError as exc:
            raise click.ClickException(_one_line(str(exc))) from None
        except KeyboardInterrupt:
            raise click.Abort() from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="summarizer")
def cli() -> None:
    """Turn news articles about armed conflict into validated, source-grounded briefs."""
    _warnings()


@cli.command()
@click.argument("source", default="-", metavar="[FILE|-]")
@click.option("--format", "fmt", type=click.Choice(["markdown", "text", "json"]),
              default="markdown", show_default=True, help="json is {brief, meta}.")
@click.option("--html/--text", "html", default=None,
              help="Treat the input as a saved HTML page (default: by extension or content).")
@engine_options
def brief(source: str, fmt: str, html: bool | None, **opts: Any) -> None:
    """Brief one article from FILE, or from standard input."""
    settings = settings_from(opts)
    raw = read_stream(sys.stdin.buffer) if source == "-" else read_path(source)
    article = prepare(raw, html=html, name=source)
    text, title, published = article.text, article.title, article.published
    if title or text != raw:
        log.info("HTML page reduced to its article: %d characters, title %r", len(text), title)
    summarizer = make_summarizer(settings)
    if summarizer.engine().slow and log.getEffectiveLevel() > logging.INFO:
        # Minutes on a CPU, a brief or more with re-asks: a silent terminal looks hung.
        click.echo("summarizer: briefing with the local model; this can take a few minutes on a "
                   "CPU (-v shows each attempt)", err=True)
    try:
        result = summarizer.summarize(text)
    except (EngineError, BriefValidationError) as exc:  # a failed brief's attempts, too
        log_attempts(exc.attempt_log or [])
        raise
    finally:
        summarizer.close()
    if title or published:
        result.meta.title, result.meta.published = title, published
    if result.meta.cached:
        log.info("answered from the cache (%s); --no-cache to ask again", summarizer.cache().path)
    log_attempts(result.meta.attempt_log)
    for warning in result.meta.warnings:
        log.info("warning: %s", warning.message)
    click.echo(render(result, fmt), nl=False)


def log_attempts(attempts: list[Attempt], prefix: str = "") -> None:
    """Each request of a brief, why it was made and how it ended (--verbose)."""
    for attempt in attempts:
        log.info("%sattempt: %s -> %s (%d tokens, %.2f s)", prefix, attempt.reason.value,
                 attempt.outcome, attempt.usage.total_tokens, attempt.seconds)


def render(result: Result, fmt: str) -> str:
    """A result in the chosen output format."""
    if fmt == "json":
        return result.model_dump_json(indent=2) + "\n"
    if fmt == "text":
        return result.to_text()
    return result.to_markdown()


@cli.command()
def schema() -> None:
    """Print the brief's JSON schema."""
    click.echo(json.dumps(Brief.model_json_schema(), indent=2))


@cli.command(name="eval")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text",
              show_default=True)
@click.option("--details", is_flag=True, help="List missed and extra figures and actors.")
@engine_options
def eval_(folder: Path, fmt: str, details: bool, **opts: Any) -> None:
    """Score briefs of every X.txt with an X.gold.json beside it, below FOLDER."""
    settings = settings_from(opts)
    summarizer = make_summarizer(settings)
    try:
        scores = evaluate(folder, summarizer.summarize)
    finally:
        summarizer.close()
    if not scores:
        raise click.ClickException(f"no X.txt with an X.gold.json beside it below {folder}")
    click.echo(report(scores, fmt, details=details), nl=False)
    if any(failed(s) for s in scores):  # the engine failed on some: say so
        sys.exit(1)


def main() -> None:
    """Entry point: errors are one line on stderr, never a traceback."""
    try:
        cli.main(prog_name="summarizer")
    except Exception as exc:  # noqa: BLE001 - the promise is: no traceback, ever
        if os.environ.get("SUMMARIZER_DEBUG"):
            raise
        click.echo(f"Error: unexpected {type(exc).__name__}: {_one_line(str(exc))} "
                   "(set SUMMARIZER_DEBUG=1 for the traceback)", err=True)
        sys.exit(1)


def _one_line(text: str) -> str:
    return " ".join(text.split())

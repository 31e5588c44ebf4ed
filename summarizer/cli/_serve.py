"""``summarizer serve``: the HTTP service under uvicorn."""

from __future__ import annotations

import ipaddress
import os
from typing import Any

import click

from .._errors import ConfigurationError
from ._main import cli, engine_options, make_summarizer, settings_from

TOKEN_ENV = "SUMMARIZER_SERVE_TOKEN"


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; anything but loopback should have a token set.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--max-concurrency", type=click.IntRange(1), default=8, show_default=True,
              help="Briefs made at once; more requests wait up to 10 s for a slot, then get 503.")
@click.option("--max-body", type=click.IntRange(1), default=2_000_000, show_default=True,
              help="Largest request body in bytes; larger ones get 413.")
@click.option("--shutdown-timeout", type=click.IntRange(0), default=30, show_default=True,
              help="Seconds requests in flight get to finish on SIGTERM or Ctrl-C.")
@engine_options
def serve(host: str, port: int, max_concurrency: int, max_body: int, shutdown_timeout: int,
          **opts: Any) -> None:
    """Serve briefs over HTTP: POST /v1/briefs, docs at /docs.

    With SUMMARIZER_SERVE_TOKEN set, /v1/ routes need 'Authorization: Bearer <token>'.
    """
    from .._serve import INSTALL_HINT, create_app  # without FastAPI: ConfigurationError, the hint

    try:
        import uvicorn
    except ImportError as exc:
        raise ConfigurationError(f"{INSTALL_HINT} ({exc})") from None
    settings = settings_from(opts)
    token = os.environ.get(TOKEN_ENV) or None
    if token is None and not _loopback(host):
        click.echo(f"summarizer: warning: serving on {host} without a token; set {TOKEN_ENV}",
                   err=True)
    app = create_app(make_summarizer(settings), token=token, max_body=max_body,
                     max_concurrency=max_concurrency)
    # uvicorn handles SIGTERM/SIGINT: it stops accepting, lets requests in flight finish for up
    # to the shutdown timeout, then runs the app's lifespan exit, which closes the engine.
    uvicorn.run(app, host=host, port=port, log_level="info",
                timeout_graceful_shutdown=shutdown_timeout, server_header=False)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

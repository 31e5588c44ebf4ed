"""``summarizer serve``: the HTTP service under uvicorn."""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
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
@click.option("--read-timeout", type=click.FloatRange(0, min_open=True), default=15.0,
              show_default=True,
              help="Seconds a client gets to send a request's headers, and again its body; "
                   "a stalled body gets 408.")
@click.option("--shutdown-timeout", type=click.IntRange(0), default=30, show_default=True,
              help="Seconds requests in flight get to finish on SIGTERM or Ctrl-C.")
@engine_options
def serve(host: str, port: int, max_concurrency: int, max_body: int, read_timeout: float,
          shutdown_timeout: int, **opts: Any) -> None:
    """Serve briefs over HTTP: POST /v1/briefs, docs at /docs.

    With SUMMARIZER_SERVE_TOKEN set, /v1/ routes need 'Authorization: Bearer <token>'.
    Without it, a request's Host header must be an IP address, localhost or --host (against
    DNS rebinding).
    """
    from .._http import INSTALL_HINT, http_protocol  # without FastAPI: the hint
    from .._serve import create_app

    try:
        import uvicorn
    except ImportError as exc:
        raise ConfigurationError(f"{INSTALL_HINT} ({exc})") from None
    check_port(host, port)
    settings = settings_from(opts)
    token = os.environ.get(TOKEN_ENV) or None
    if token is None and not _loopback(host):
        click.echo(f"summarizer: warning: serving on {host} without a token; set {TOKEN_ENV}",
                   err=True)
    app = create_app(make_summarizer(settings), token=token, host=host, max_body=max_body,
                     max_concurrency=max_concurrency, read_timeout=read_timeout)
    # uvicorn handles SIGTERM/SIGINT: it stops accepting, lets requests in flight finish for up
    # to the shutdown timeout, then runs the app's lifespan exit, which closes the engine.
    uvicorn.run(app, host=host, port=port, log_level="info", http=http_protocol(read_timeout),
                timeout_graceful_shutdown=shutdown_timeout, server_header=False)


def check_port(host: str, port: int) -> None:
    """Fail in one line if uvicorn could not listen on host:port; it would log and exit with 3.

    The sockets are made as asyncio's ``create_server`` makes uvicorn's, so a port in
    TIME_WAIT passes here as it does there.
    """
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                       flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise click.ClickException(f"cannot listen on {host}: {exc.strerror}") from None
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(address)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    raise click.ClickException(f"port {port} on {host} is in use") from None
                raise click.ClickException(
                    f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

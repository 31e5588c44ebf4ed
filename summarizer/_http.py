"""The service's HTTP layer, below its routes: the error response, the outermost ASGI guard
(the Host check, and the last word on failures), uvicorn's protocol with a header deadline,
and reading a body within a size and a time limit.

Nothing here knows about briefs: :mod:`summarizer._serve` builds the app on top.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging

from ._errors import ConfigurationError

INSTALL_HINT = 'serving needs FastAPI and uvicorn: pip install "summarizer[serve]"'

try:
    from fastapi import Request
    from fastapi.responses import JSONResponse
    from starlette.types import ASGIApp, Message, Receive, Scope, Send
except ImportError as exc:
    raise ConfigurationError(f"{INSTALL_HINT} ({exc})") from None

log = logging.getLogger("summarizer.serve")


class ServiceError(Exception):
    """An error response to send: status, type code and message."""

    def __init__(self, status: int, type_: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.type = type_
        self.message = message
        self.headers = headers


def error_response(status: int, type_: str, message: str,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """The JSON error body every failure is reported with."""
    return JSONResponse({"error": {"type": type_, "message": message}}, status_code=status,
                        headers=headers)


class Guard:
    """The app's outermost layer of its own: the Host check, and the last word on failures.

    An exception that leaves an ASGI app reaches uvicorn, which logs its traceback and answers
    in plain text; so does the cancellation of a request still running past the shutdown
    timeout. Here each becomes the JSON error body and one line in the log.
    """

    def __init__(self, app: ASGIApp, *, names: frozenset[str] | None) -> None:
        self.app = app
        self.names = names  # None: any Host, as a token guards the service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = _host(scope)
        if self.names is not None and host is not None and not _names_us(host, self.names):
            refusal = error_response(421, "unknown_host", f"the Host header names {host!r}, "
                                     "not this server; a server with a token serves any name")
            await refusal(scope, receive, send)
            return
        await self._answer(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app; if it fails before it has started a response, answer for it."""
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        where = f"{scope['method']} {clip(scope['path'])}"
        try:
            await self.app(scope, receive, watched)
            return
        except asyncio.CancelledError:
            # Not re-raised: uvicorn, the only one to cancel a request, would log a traceback
            # and answer with its own plain-text 500. The task ends here either way.
            log.warning("%s cancelled: the server is shutting down", where)
            failure = error_response(503, "shutting_down", "the server is shutting down",
                                     headers={"Retry-After": "1"})
        except Exception as exc:
            log.error("%s failed: %s: %s", where, type(exc).__name__, one_line(exc))
            log.debug("the traceback of that failure", exc_info=exc)
            failure = error_response(500, "internal_error", "internal server error")
        if not started:
            await failure(scope, receive, send)


def _host(scope: Scope) -> str | None:
    """The name in the request's Host header, without its port; None when it has none."""
    for key, value in scope["headers"]:
        if key == b"host":
            host = value.decode("latin-1").strip().lower()
            if host.startswith("["):  # an IPv6 address: [::1]:8000
                return host[1:].partition("]")[0]
            return host.rpartition(":")[0] if ":" in host else host
    return None


def bare_host(host: str) -> str:
    """A host name or address as a Host header names it: lower case, no brackets."""
    return host.strip("[]").lower()


def _names_us(host: str, names: frozenset[str]) -> bool:
    """Whether a Host names this server; an IP address always does, as no page can rebind it."""
    if host in names:
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def one_line(exc: BaseException) -> str:
    """An exception's message for one log line."""
    return clip(str(exc)) or "(no message)"


def clip(text: str) -> str:
    """Text for one log line: a path or a message may hold newlines (%0A in a URL)."""
    return " ".join(text.split())[:300]


def http_protocol(header_timeout: float) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol, with a deadline for a client that owes a request.

    uvicorn has none: a connection that sends nothing, trickles its headers, or drips the rest
    of a body nobody reads after its answer is held forever. Here, once no request of a
    connection is being served, the client has ``header_timeout`` seconds from its next byte
    (from connecting, at first) to finish a request's headers; else the connection is closed.
    """
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeaderDeadline(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if not self._idle():
                self._disarm()
            elif self._deadline is None:
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _idle(self) -> bool:
            """No request of this connection is being served: it is the client's turn."""
            return self.cycle is None or self.cycle.response_complete

        def _arm(self) -> None:
            self._deadline = self.loop.call_later(header_timeout, self._expire)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expire(self) -> None:
            self._deadline = None
            if self._idle() and not self.transport.is_closing():
                log.info("closed a connection that sent no request headers in %g s",
                         header_timeout)
                self.transport.close()

    return HeaderDeadline


def require_json(request: Request) -> None:
    """Refuse, with 415, a body not declared as JSON."""
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media != "application/json":
        raise ServiceError(415, "unsupported_media_type",
                           "send the body as JSON, with 'Content-Type: application/json'")


async def read_body(request: Request, limit: int, timeout: float) -> bytes:
    """The request body, refused with 413 as soon as it is known to exceed ``limit`` bytes, and
    with 408 unless all of it arrives within ``timeout`` seconds."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise ServiceError(400, "bad_request", "Content-Length is not a number")
        if int(declared) > limit:
            raise ServiceError(413, "payload_too_large", _too_large(int(declared), limit))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    body = bytearray()
    more = True
    while more:
        try:
            message = await asyncio.wait_for(request.receive(), deadline - loop.time())
        except asyncio.TimeoutError:
            # Connection: close, as the rest of the body may still come and is no request.
            raise ServiceError(408, "request_timeout",
                               f"the body did not arrive within {timeout:g} s",
                               headers={"Connection": "close"}) from None
        if message["type"] == "http.disconnect":
            # Nobody is left to answer: one line, not the traceback of Starlette's exception.
            log.info("%s: the client went away while sending its body", clip(request.url.path))
            raise ServiceError(400, "client_disconnected", "the client went away")
        body += message.get("body", b"")
        more = message.get("more_body", False)
        if len(body) > limit:  # a chunked body has no Content-Length to trust
            raise ServiceError(413, "payload_too_large", _too_large(len(body), limit, more=True))
    return bytes(body)


def _too_large(size: int, limit: int, *, more: bool = False) -> str:
    return f"the body is {'over ' if more else ''}{size:,} bytes; the limit is {limit:,}"

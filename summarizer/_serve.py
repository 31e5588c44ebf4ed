"""The HTTP service: briefs as JSON over ``POST /v1/briefs``, built on FastAPI.

An optional extra (``pip install "summarizer[serve]"``). One :class:`Summarizer` serves every
request of the process and is closed when the app shuts down. Every error, whatever raised it,
is ``{"error": {"type", "message"}}`` with a fitting status, and never a traceback: not in the
response, and not in the log, which gets one line.

The service is meant to be reachable by a browser on the same machine without harm:

- ``POST /v1/briefs`` takes ``Content-Type: application/json`` only (415 otherwise): a web page
  may send a cross-origin ``text/plain`` POST without a CORS preflight, never a JSON one.
- Without a token, a request must name this server in its Host header (421 otherwise): an IP
  address, ``localhost``, or the ``host`` the server was bound to: a DNS-rebinding page sends
  its own name, and cannot send an address. The port is not checked, as a port mapping
  (``docker -p 8080:8000``) changes it. With a token, the token guards and any Host is served;
  binding beyond loopback without one is allowed (the CLI warns).
- A request's headers (:func:`http_protocol`) and then its body get ``read_timeout`` seconds
  each; a body that stalls gets 408, headers that stall a closed connection.
- Briefs are made off the serving loop, so ``/healthz`` answers while one is computed; a
  request still running when the shutdown timeout ends gets 503.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import logging
import threading
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ._brief import Brief
from ._errors import (
    BriefValidationError,
    ConfigurationError,
    EngineError,
    InputError,
    InternalError,
    RefusalError,
    RequestRejectedError,
    RequestTimeoutError,
    SummarizerError,
    TransportError,
    TruncatedOutputError,
)
from ._pipeline import Summarizer
from ._result import Meta, Result
from ._sources import prepare

INSTALL_HINT = 'serving needs FastAPI and uvicorn: pip install "summarizer[serve]"'

try:
    from fastapi import Depends, FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
    from starlette.exceptions import HTTPException as StarletteHTTPException
    from starlette.types import ASGIApp, Message, Receive, Scope, Send
except ImportError as exc:
    raise ConfigurationError(f"{INSTALL_HINT} ({exc})") from None

log = logging.getLogger("summarizer.serve")
T = TypeVar("T")

DEFAULT_MAX_BODY = 2_000_000
# How long a request waits for a free slot before it is turned away with 503: long enough to
# ride out a burst, short enough that a client's own timeout does not fire first.
DEFAULT_QUEUE_TIMEOUT = 10.0
# How long a client gets to send a request's headers, and again its body: a 2 MB body at
# 1 Mbit/s, while a stalled client holds a connection and a slot no longer than that.
DEFAULT_READ_TIMEOUT = 15.0


# Module level, so FastAPI can resolve the annotation of the dependency that uses it.
Credentials = Annotated[
    HTTPAuthorizationCredentials | None,
    Depends(HTTPBearer(auto_error=False, description="The server's SUMMARIZER_SERVE_TOKEN.")),
]


class BriefRequest(BaseModel):
    """The body of ``POST /v1/briefs``: exactly one of ``text`` or ``html``."""

    # strict: "yes" and 1 are no booleans, and a client that sends them has a bug to hear about.
    model_config = ConfigDict(extra="forbid", strict=True)

    id: str | None = Field(None, max_length=256, description="Echoed back with the result.")
    text: str | None = Field(None, description="The article as plain text.")
    html: str | None = Field(None, description="A saved news page; its article is extracted.")
    strict: bool | None = Field(
        None, description="Any unverifiable item is an error (502) rather than dropped; "
                          "default: the server's setting.")

    @field_validator("id", "text", "html")
    @classmethod
    def _is_text(cls, value: str | None) -> str | None:
        # JSON can escape a lone surrogate ("\ud800"), which is no character: it would fail
        # only later, when the brief or the request to the model is encoded.
        if value is not None:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise ValueError(f"a lone surrogate (U+{ord(value[exc.start]):04X}) at "
                                 f"character {exc.start} is not text") from None
        return value


class BriefResponse(BaseModel):
    """A brief and how it was made, with the request's ``id`` when one was given."""

    id: str | None = None
    brief: Brief
    meta: Meta


class ErrorDetail(BaseModel):
    """What went wrong."""

    type: str = Field(description="A stable code, e.g. 'invalid_json', 'model_timeout'.")
    message: str


class ErrorResponse(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


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


def classify(exc: BaseException) -> ServiceError:
    """The HTTP status and type code for a library error."""
    if isinstance(exc, ServiceError):
        return exc
    if isinstance(exc, InputError):
        return ServiceError(422, "input_error", str(exc))
    if isinstance(exc, RequestTimeoutError):
        return ServiceError(504, "model_timeout", str(exc))
    if isinstance(exc, BriefValidationError):
        return ServiceError(502, "invalid_brief", str(exc))
    if isinstance(exc, EngineError):
        code = {RefusalError: "model_refused", TruncatedOutputError: "model_output_truncated",
                RequestRejectedError: "model_rejected_request",
                TransportError: "model_unavailable"}.get(type(exc), "model_error")
        return ServiceError(502, code, str(exc))
    if isinstance(exc, InternalError):  # a bug: its details are for the log, not the client
        return ServiceError(500, "internal_error", "internal server error")
    if isinstance(exc, ConfigurationError):
        return ServiceError(500, "configuration_error", str(exc))
    if isinstance(exc, SummarizerError):
        return ServiceError(500, "summarizer_error", str(exc))
    return ServiceError(500, "internal_error", "internal server error")


_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": why} for code, why in {
        400: "The body is not JSON, or has neither (or both of) text and html.",
        401: "A token is required and was missing or wrong.",
        408: "The body did not all arrive within the read timeout.",
        413: "The body is larger than the server's limit.",
        415: "The body is not declared as 'Content-Type: application/json'.",
        421: "No token is set and the Host header does not name this server.",
        422: "The body does not match the schema, or the article is empty.",
        502: "The model failed, refused, or gave no valid brief.",
        503: "Every slot stayed busy for the queue timeout, or the server is shutting down.",
        504: "The model endpoint timed out.",
    }.items()
}


def create_app(summarizer: Summarizer, *, token: str | None = None, host: str | None = None,
               max_body: int = DEFAULT_MAX_BODY, max_concurrency: int = 8,
               queue_timeout: float = DEFAULT_QUEUE_TIMEOUT,
               read_timeout: float = DEFAULT_READ_TIMEOUT) -> FastAPI:
    """The service around one shared Summarizer.

    At most ``max_concurrency`` briefs are made at once; a request beyond that waits for a free
    slot for up to ``queue_timeout`` seconds, then gets 503 with ``Retry-After``. With a
    ``token``, every ``/v1/`` route needs ``Authorization: Bearer <token>``; without one, the
    Host header must name this server (an IP address, ``localhost`` or ``host``).
    """
    if max_concurrency < 1 or max_body < 1 or read_timeout <= 0:
        raise ValueError("max_concurrency and max_body must be >= 1, read_timeout > 0")
    from . import __version__

    slots = asyncio.Semaphore(max_concurrency)
    schema = Brief.model_json_schema()
    worker = _Worker()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await worker.close(summarizer)

    app = FastAPI(
        title="summarizer", version=__version__, lifespan=lifespan,
        description="Validated, source-grounded briefs of news about armed conflict.",
    )
    expected = token.encode() if token else None
    names = None if token else frozenset({"localhost", *([_bare(host)] if host else [])})
    app.add_middleware(_Guard, names=names)

    async def authorize(credentials: Credentials) -> None:
        if expected is None:
            return
        given = credentials.credentials.encode() if credentials is not None else b""
        if not hmac.compare_digest(given, expected):
            raise ServiceError(401, "unauthorized",
                               "a valid 'Authorization: Bearer <token>' header is required",
                               headers={"WWW-Authenticate": "Bearer"})

    v1 = [Depends(authorize)]

    @app.get("/healthz", tags=["service"])
    async def healthz() -> dict[str, Any]:
        """Liveness: the engine and the version; needs no token."""
        return {"status": "ok", "engine": summarizer.engine_name,
                "model": summarizer.settings.model, "version": __version__}

    @app.get("/v1/schema", tags=["briefs"], dependencies=v1, responses={401: _ERRORS[401]})
    async def brief_schema() -> dict[str, Any]:
        """The JSON schema of a brief."""
        return schema

    @app.post(
        "/v1/briefs", tags=["briefs"], dependencies=v1, response_model=BriefResponse,
        responses=_ERRORS,
        openapi_extra={"requestBody": {"required": True, "content": {
            "application/json": {"schema": BriefRequest.model_json_schema()}}}},
    )
    async def make_brief(request: Request) -> JSONResponse:
        """Brief one article, given as ``text`` or as a saved page in ``html``."""
        # The body is read by hand, not declared: bad JSON is a 400 rather than FastAPI's 422,
        # and an oversized body is refused before it is all in memory.
        require_json(request)
        body = parse(await read_body(request, max_body, read_timeout))
        try:
            await asyncio.wait_for(slots.acquire(), timeout=queue_timeout)
        except asyncio.TimeoutError:
            raise ServiceError(503, "busy", "the server is busy; retry shortly",
                               headers={"Retry-After": "1"}) from None
        try:
            result = await run(summarizer, body, worker)
        finally:
            slots.release()
        data = result.model_dump(mode="json")
        return JSONResponse({"id": body.id, **data} if body.id is not None else data)

    async def on_service_error(request: Request, exc: Exception) -> JSONResponse:
        err = classify(exc)
        if err.status >= 500 and not isinstance(exc, ServiceError):
            # A 500 is ours to fix; a 502 or 504, the model's.
            log.log(logging.ERROR if err.status == 500 else logging.WARNING, "%s: %s", err.type,
                    _one_line(exc))
        return error_response(err.status, err.type, err.message, err.headers)

    async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return error_response(422, "validation_error", describe(exc.errors()))

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        kind = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, kind, str(exc.detail),
                              dict(exc.headers) if exc.headers else None)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Only for a failure in FastAPI's own layers above _Guard, which handles the rest.
        return error_response(500, "internal_error", "internal server error")

    app.add_exception_handler(ServiceError, on_service_error)
    app.add_exception_handler(SummarizerError, on_service_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
    return app


class _Guard:
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
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        where = f"{scope['method']} {_clip(scope['path'])}"
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
            log.error("%s failed: %s: %s", where, type(exc).__name__, _one_line(exc))
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


def _bare(host: str) -> str:
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


def _one_line(exc: BaseException) -> str:
    return _clip(str(exc)) or "(no message)"


def _clip(text: str) -> str:
    """Text for one log line: a path or a message may hold newlines (%0A in a URL)."""
    return " ".join(text.split())[:300]


class _Worker:
    """An event loop in a thread of its own, where a model's briefs are made.

    Parsing and grounding a reply are CPU-bound and would stall every request on the serving
    loop. Unlike a thread running the blocking ``summarize``, a brief here is cancelled with the
    request that asked for it, so shutdown does not wait on it.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None

    async def run(self, work: Coroutine[Any, Any, T]) -> T:
        """The result of ``work``, run on the worker loop; cancelling the caller cancels it."""
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            threading.Thread(target=_run_forever, args=(self._loop,), name="summarizer-serve",
                             daemon=True).start()
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, self._loop))

    async def close(self, summarizer: Summarizer) -> None:
        """Close the engine where its connections were opened, then end the thread."""
        loop = self._loop
        if loop is None:
            await summarizer.aclose()
            return

        async def finish() -> None:
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)
            await summarizer.aclose()

        try:
            await self.run(finish())
        finally:
            loop.call_soon_threadsafe(loop.stop)
            self._loop = None


def _run_forever(loop: asyncio.AbstractEventLoop) -> None:
    try:
        loop.run_forever()
    finally:
        loop.close()


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
            log.info("%s: the client went away while sending its body", _clip(request.url.path))
            raise ServiceError(400, "client_disconnected", "the client went away")
        body += message.get("body", b"")
        more = message.get("more_body", False)
        if len(body) > limit:  # a chunked body has no Content-Length to trust
            raise ServiceError(413, "payload_too_large", _too_large(len(body), limit, more=True))
    return bytes(body)


def _too_large(size: int, limit: int, *, more: bool = False) -> str:
    return f"the body is {'over ' if more else ''}{size:,} bytes; the limit is {limit:,}"


def parse(raw: bytes) -> BriefRequest:
    """The request body as a BriefRequest, or the matching 400/422."""
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise ServiceError(400, "invalid_json", f"the body is not valid JSON: {exc}") from None
    try:
        body = BriefRequest.model_validate(data)
    except ValidationError as exc:
        raise ServiceError(422, "validation_error", describe(exc.errors())) from None
    if (body.text is None) == (body.html is None):
        raise ServiceError(400, "bad_request", "give exactly one of 'text' or 'html'")
    return body


def describe(errors: Any) -> str:
    """Pydantic's errors in one line: 'text: Input should be a valid string; ...'."""
    parts = []
    for err in list(errors)[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "the body is not valid"


async def run(summarizer: Summarizer, body: BriefRequest, worker: _Worker) -> Result:
    """Make the brief off the serving loop, on the worker loop (an engine's calls are async,
    its parsing and grounding are not; the extractive engine runs in a thread of its own)."""
    page = None
    text = body.text or ""
    if body.html is not None:
        page = await asyncio.to_thread(prepare, body.html, html=True)
        text = page.text
    result = await worker.run(summarizer.asummarize(text, strict=body.strict))
    if page is not None:
        meta = result.meta.model_copy(update={"title": result.meta.title or page.title,
                                              "published": result.meta.published or page.published})
        result = result.model_copy(update={"meta": meta})
    return result

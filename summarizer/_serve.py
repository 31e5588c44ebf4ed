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
- A request's headers (:func:`summarizer._http.http_protocol`) and then its body get
  ``read_timeout`` seconds each; a body that stalls gets 408, headers that stall a closed
  connection.
- Briefs are made off the serving loop, so ``/healthz`` answers while one is computed; a
  request still running when the shutdown timeout ends gets 503.

The HTTP layer below the routes (the guard, the header deadline, reading a body) is
:mod:`summarizer._http`, the loop briefs are made on :mod:`summarizer._worker`; here are the
request and response models, the routes, and the mapping of library errors to statuses
(:func:`classify`, by exception type alone).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated, Any

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
from ._http import (
    INSTALL_HINT,
    Guard,
    ServiceError,
    bare_host,
    error_response,
    log,
    one_line,
    read_body,
    require_json,
)
from ._pipeline import Summarizer
from ._result import Meta, Result
from ._sources import prepare
from ._worker import Worker

try:
    from fastapi import Depends, FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
    from starlette.exceptions import HTTPException as StarletteHTTPException
except ImportError as exc:
    raise ConfigurationError(f"{INSTALL_HINT} ({exc})") from None

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

    worker = Worker()
    app = FastAPI(
        title="summarizer", version=__version__, lifespan=_lifespan(summarizer, worker),
        description="Validated, source-grounded briefs of news about armed conflict.",
    )
    names = None if token else frozenset({"localhost", *([bare_host(host)] if host else [])})
    app.add_middleware(Guard, names=names)
    v1 = [Depends(_authorizer(token))]
    _add_info_routes(app, summarizer, v1, __version__)
    briefs = _Briefs(summarizer, worker, max_body=max_body, read_timeout=read_timeout,
                     slots=asyncio.Semaphore(max_concurrency), queue_timeout=queue_timeout)
    app.post(
        "/v1/briefs", tags=["briefs"], dependencies=v1, response_model=BriefResponse,
        responses=_ERRORS,
        openapi_extra={"requestBody": {"required": True, "content": {
            "application/json": {"schema": BriefRequest.model_json_schema()}}}},
    )(briefs.make_brief)
    _add_error_handlers(app)
    return app


def _lifespan(summarizer: Summarizer,
              worker: Worker) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The app's lifespan: nothing to start; on shutdown, close the engine and the worker."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await worker.close(summarizer)

    return lifespan


def _authorizer(token: str | None) -> Callable[[Credentials], Awaitable[None]]:
    """The dependency of the ``/v1/`` routes: with a token, refuse a request without it (401)."""
    expected = token.encode() if token else None

    async def authorize(credentials: Credentials) -> None:
        if expected is None:
            return
        given = credentials.credentials.encode() if credentials is not None else b""
        if not hmac.compare_digest(given, expected):
            raise ServiceError(401, "unauthorized",
                               "a valid 'Authorization: Bearer <token>' header is required",
                               headers={"WWW-Authenticate": "Bearer"})

    return authorize


def _add_info_routes(app: FastAPI, summarizer: Summarizer, v1: list[Any], version: str) -> None:
    """``/healthz`` and ``/v1/schema``."""
    schema = Brief.model_json_schema()

    @app.get("/healthz", tags=["service"])
    async def healthz() -> dict[str, Any]:
        """Liveness: the engine and the version; needs no token."""
        return {"status": "ok", "engine": summarizer.engine_name,
                "model": summarizer.settings.model, "version": version}

    @app.get("/v1/schema", tags=["briefs"], dependencies=v1, responses={401: _ERRORS[401]})
    async def brief_schema() -> dict[str, Any]:
        """The JSON schema of a brief."""
        return schema


class _Briefs:
    """``POST /v1/briefs``: read the body, wait for a slot, brief off the serving loop."""

    def __init__(self, summarizer: Summarizer, worker: Worker, *, max_body: int,
                 read_timeout: float, slots: asyncio.Semaphore, queue_timeout: float) -> None:
        self.summarizer = summarizer
        self.worker = worker
        self.max_body = max_body
        self.read_timeout = read_timeout
        self.slots = slots
        self.queue_timeout = queue_timeout

    async def make_brief(self, request: Request) -> JSONResponse:
        """Brief one article, given as ``text`` or as a saved page in ``html``."""
        # The body is read by hand, not declared: bad JSON is a 400 rather than FastAPI's 422,
        # and an oversized body is refused before it is all in memory.
        require_json(request)
        body = parse(await read_body(request, self.max_body, self.read_timeout))
        try:
            await asyncio.wait_for(self.slots.acquire(), timeout=self.queue_timeout)
        except asyncio.TimeoutError:
            raise ServiceError(503, "busy", "the server is busy; retry shortly",
                               headers={"Retry-After": "1"}) from None
        try:
            result = await run(self.summarizer, body, self.worker)
        finally:
            self.slots.release()
        data = result.model_dump(mode="json")
        return JSONResponse({"id": body.id, **data} if body.id is not None else data)


def _add_error_handlers(app: FastAPI) -> None:
    """Every error as ``{"error": {"type", "message"}}``."""
    app.add_exception_handler(ServiceError, _on_service_error)
    app.add_exception_handler(SummarizerError, _on_service_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)


async def _on_service_error(_request: Request, exc: Exception) -> JSONResponse:
    err = classify(exc)
    if err.status >= 500 and not isinstance(exc, ServiceError):
        # A 500 is ours to fix; a 502 or 504, the model's.
        log.log(logging.ERROR if err.status == 500 else logging.WARNING, "%s: %s", err.type,
                one_line(exc))
    return error_response(err.status, err.type, err.message, err.headers)


async def _on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(422, "validation_error", describe(exc.errors()))


async def _on_http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    kind = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return error_response(exc.status_code, kind, str(exc.detail),
                          dict(exc.headers) if exc.headers else None)


async def _on_unexpected(_request: Request, _exc: Exception) -> JSONResponse:
    # Only for a failure in FastAPI's own layers above Guard, which handles the rest.
    return error_response(500, "internal_error", "internal server error")


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


async def run(summarizer: Summarizer, body: BriefRequest, worker: Worker) -> Result:
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

"""The HTTP service: briefs as JSON over ``POST /v1/briefs``, built on FastAPI.

An optional extra (``pip install "summarizer[serve]"``). One :class:`Summarizer` serves every
request of the process and is closed when the app shuts down. Every error, whatever raised it,
is ``{"error": {"type", "message"}}`` with a fitting status and never a traceback.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ._brief import Brief
from ._errors import (
    BriefValidationError,
    ConfigurationError,
    EngineError,
    InputError,
    RefusalError,
    RequestRejectedError,
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
except ImportError as exc:
    raise ConfigurationError(f"{INSTALL_HINT} ({exc})") from None

log = logging.getLogger("summarizer.serve")

DEFAULT_MAX_BODY = 2_000_000
# How long a request waits for a free slot before it is turned away with 503: long enough to
# ride out a burst, short enough that a client's own timeout does not fire first.
DEFAULT_QUEUE_TIMEOUT = 10.0


# Module level, so FastAPI can resolve the annotation of the dependency that uses it.
Credentials = Annotated[
    HTTPAuthorizationCredentials | None,
    Depends(HTTPBearer(auto_error=False, description="The server's SUMMARIZER_SERVE_TOKEN.")),
]


class BriefRequest(BaseModel):
    """The body of ``POST /v1/briefs``: exactly one of ``text`` or ``html``."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(None, max_length=256, description="Echoed back with the result.")
    text: str | None = Field(None, description="The article as plain text.")
    html: str | None = Field(None, description="A saved news page; its article is extracted.")
    strict: bool | None = Field(
        None, description="Any unverifiable item is an error (502) rather than dropped; "
                          "default: the server's setting.")


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
    if isinstance(exc, TransportError) and "timed out" in str(exc):
        # The OpenAI engine words every timeout "the model endpoint timed out".
        return ServiceError(504, "model_timeout", str(exc))
    if isinstance(exc, BriefValidationError):
        return ServiceError(502, "invalid_brief", str(exc))
    if isinstance(exc, EngineError):
        code = {RefusalError: "model_refused", TruncatedOutputError: "model_output_truncated",
                RequestRejectedError: "model_rejected_request",
                TransportError: "model_unavailable"}.get(type(exc), "model_error")
        return ServiceError(502, code, str(exc))
    if isinstance(exc, ConfigurationError):
        return ServiceError(500, "configuration_error", str(exc))
    if isinstance(exc, SummarizerError):
        return ServiceError(500, "summarizer_error", str(exc))
    return ServiceError(500, "internal_error", "internal server error")


_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": why} for code, why in {
        400: "The body is not JSON, or has neither (or both of) text and html.",
        401: "A token is required and was missing or wrong.",
        413: "The body is larger than the server's limit.",
        422: "The body does not match the schema, or the article is empty.",
        502: "The model failed, refused, or gave no valid brief.",
        503: "Every slot stayed busy for the queue timeout.",
        504: "The model endpoint timed out.",
    }.items()
}


def create_app(summarizer: Summarizer, *, token: str | None = None,
               max_body: int = DEFAULT_MAX_BODY, max_concurrency: int = 8,
               queue_timeout: float = DEFAULT_QUEUE_TIMEOUT) -> FastAPI:
    """The service around one shared Summarizer.

    At most ``max_concurrency`` briefs are made at once; a request beyond that waits for a free
    slot for up to ``queue_timeout`` seconds, then gets 503 with ``Retry-After``. With a
    ``token``, every ``/v1/`` route needs ``Authorization: Bearer <token>``.
    """
    if max_concurrency < 1 or max_body < 1:
        raise ValueError("max_concurrency and max_body must be >= 1")
    from . import __version__

    slots = asyncio.Semaphore(max_concurrency)
    schema = Brief.model_json_schema()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await summarizer.aclose()

    app = FastAPI(
        title="summarizer", version=__version__, lifespan=lifespan,
        description="Validated, source-grounded briefs of news about armed conflict.",
    )
    expected = token.encode() if token else None

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
        body = parse(await read_body(request, max_body))
        try:
            await asyncio.wait_for(slots.acquire(), timeout=queue_timeout)
        except asyncio.TimeoutError:
            raise ServiceError(503, "busy", "the server is busy; retry shortly",
                               headers={"Retry-After": "1"}) from None
        try:
            result = await run(summarizer, body)
        except (ServiceError, SummarizerError):
            raise
        except Exception:
            log.exception("unexpected error while making a brief")
            raise ServiceError(500, "internal_error", "internal server error") from None
        finally:
            slots.release()
        data = result.model_dump(mode="json")
        return JSONResponse({"id": body.id, **data} if body.id is not None else data)

    async def on_service_error(request: Request, exc: Exception) -> JSONResponse:
        err = classify(exc)
        if err.status >= 500 and not isinstance(exc, ServiceError):
            log.warning("%s: %s", err.type, exc)
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
        return error_response(500, "internal_error", "internal server error")

    app.add_exception_handler(ServiceError, on_service_error)
    app.add_exception_handler(SummarizerError, on_service_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
    return app


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise ServiceError(400, "bad_request", "Content-Length is not a number")
        if int(declared) > limit:
            raise ServiceError(413, "payload_too_large", _too_large(int(declared), limit))
    body = bytearray()
    async for chunk in request.stream():  # a chunked body has no Content-Length to trust
        body += chunk
        if len(body) > limit:
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


async def run(summarizer: Summarizer, body: BriefRequest) -> Result:
    """Make the brief; CPU-bound steps run in a worker thread so the event loop keeps serving."""
    page = None
    text = body.text or ""
    if body.html is not None:
        page = await asyncio.to_thread(prepare, body.html, html=True)
        text = page.text
    if summarizer.engine_name == "extractive":
        result = await asyncio.to_thread(summarizer.summarize, text, strict=body.strict)
    else:
        result = await summarizer.asummarize(text, strict=body.strict)
    if page is not None:
        meta = result.meta.model_copy(update={"title": result.meta.title or page.title,
                                              "published": result.meta.published or page.published})
        result = result.model_copy(update={"meta": meta})
    return result

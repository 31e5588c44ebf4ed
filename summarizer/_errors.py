"""The package's exceptions.

Every error ``summarizer`` raises on purpose derives from :class:`SummarizerError`::

    SummarizerError
    ├── InputError               the article cannot be read (empty, binary, not UTF-8, missing)
    ├── ConfigurationError       bad settings: unknown engine, missing model, bad prompt folder
    ├── EngineError              the model or its transport failed
    │   ├── TransportError       timeouts, connection faults, 429 and 5xx after the retries ran out
    │   │   └── RequestTimeoutError  a request took longer than its limit
    │   ├── RequestRejectedError 400/401/403/404: bad request, bad key, unknown model (never retried)
    │   │   └── ContextOverflowError the request did not fit the model's context window
    │   ├── RefusalError         the model declined; carries its words
    │   └── TruncatedOutputError the output hit the length limit even after one longer retry
    ├── BriefValidationError     no valid, grounded brief after all re-asks (strict policy)
    └── InternalError            anything else that went wrong while briefing (a bug: the
                                 original error is its __cause__)

Programmer mistakes stay ``TypeError`` / ``ValueError``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._grounding import Problem
    from ._result import Attempt, Usage


class SummarizerError(Exception):
    """Base class of every error raised by summarizer."""


class InputError(SummarizerError):
    """The article given cannot be used as input."""


class ConfigurationError(SummarizerError):
    """The configuration (engine, model, prompts, endpoint) is not usable."""


class EngineError(SummarizerError):
    """The model or the transport to it failed. When raised by the pipeline it carries how many
    requests the brief made and the tokens they cost (paid for, even though no brief came)."""

    attempts: int | None = None
    usage: Usage | None = None
    attempt_log: list[Attempt] | None = None  # each request, why it was made, how it ended


class TransportError(EngineError):
    """A transient fault (429, 5xx, timeout, connection); raised once the retries ran out."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RequestTimeoutError(TransportError):
    """A request took longer than its limit (connect, a read, or the whole answer)."""


class RequestRejectedError(EngineError):
    """The endpoint rejected the request for good (bad request, key or model)."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class ContextOverflowError(RequestRejectedError):
    """The prompt and the output asked for did not fit the model's context window;
    ``context_tokens`` is the window the server named, when it named one."""

    def __init__(self, message: str, *, context_tokens: int | None = None) -> None:
        super().__init__(message, status_code=400)
        self.context_tokens = context_tokens


class RefusalError(EngineError):
    """The model refused to write the brief."""

    def __init__(self, message: str, *, refusal: str) -> None:
        super().__init__(message)
        self.refusal = refusal


class TruncatedOutputError(EngineError):
    """The model's output was cut at the length limit, even after a retry with more room."""


class BriefValidationError(SummarizerError):
    """No valid, grounded brief after every re-ask; carries what happened."""

    def __init__(
        self,
        message: str,
        *,
        attempts: int,
        last_output: str,
        problems: list[Problem],
        usage: Usage,
    ) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.last_output = last_output
        self.problems = problems
        self.usage = usage
        self.attempt_log: list[Attempt] | None = None  # each request, why made, how it ended


class InternalError(SummarizerError):
    """An unexpected fault while briefing: a bug in summarizer or a library under it. The
    original error is the ``__cause__``; in a batch it fails that article, not the batch."""

"""summarizer: validated, source-grounded briefs of news about armed conflict.

    from summarizer import summarize
    result = summarize(article_text)            # extractive engine unless a model is configured
    print(result.brief.to_markdown())
"""

from ._batch import BatchItem, Progress, asummarize_many, summarize_many
from ._brief import Actor, ActorKind, Brief, Figure, NumberCategory, Outlook, Qualifier, Signal
from ._engines import ChatModel, ChatReply, ChatRequest
from ._errors import (
    BriefValidationError,
    ConfigurationError,
    ContextOverflowError,
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
from ._grounding import Grounding, Problem, ground
from ._inputs import BatchInput
from ._pipeline import Summarizer, asummarize, summarize
from ._ratelimit import RateLimiter
from ._result import (
    Attempt,
    AttemptReason,
    BriefWarning,
    Meta,
    Result,
    Span,
    Usage,
    WarningCode,
)
from ._settings import Settings
from ._sources import Article, read_article

__version__ = "0.1.0"

__all__ = [
    "Actor",
    "ActorKind",
    "Article",
    "Attempt",
    "AttemptReason",
    "BatchInput",
    "BatchItem",
    "Brief",
    "BriefValidationError",
    "BriefWarning",
    "ChatModel",
    "ChatReply",
    "ChatRequest",
    "ConfigurationError",
    "ContextOverflowError",
    "EngineError",
    "Figure",
    "Grounding",
    "InputError",
    "InternalError",
    "Meta",
    "NumberCategory",
    "Outlook",
    "Problem",
    "Qualifier",
    "Progress",
    "RateLimiter",
    "RefusalError",
    "RequestRejectedError",
    "RequestTimeoutError",
    "Result",
    "Settings",
    "Signal",
    "Span",
    "Summarizer",
    "SummarizerError",
    "TransportError",
    "TruncatedOutputError",
    "Usage",
    "WarningCode",
    "__version__",
    "asummarize",
    "asummarize_many",
    "ground",
    "read_article",
    "summarize",
    "summarize_many",
]

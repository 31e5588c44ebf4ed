"""What comes back from summarize(): the brief plus what the model did not write."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field

from ._brief import Brief


class Usage(BaseModel):
    """Tokens spent, summed over every attempt."""

    model_config = ConfigDict(extra="forbid")

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


class AttemptReason(str, Enum):
    """Why a request was made."""

    initial = "initial"
    reask = "re-ask"  # the last reply was invalid or ungrounded; its problems were sent back
    retry = "retry"  # the last request failed in transport (its outcome says how)
    longer = "longer output"  # the last reply was cut at the length limit
    batch = "batch"  # the first request, answered through the provider's Batch API


class Attempt(BaseModel):
    """One call to the model and why it was made."""

    model_config = ConfigDict(extra="forbid")

    reason: AttemptReason
    outcome: str = Field(description="'ok', or what went wrong, in words.")
    usage: Usage = Field(default_factory=Usage)
    seconds: float = 0.0
    batch: str | None = Field(default=None,
                              description="The provider's batch that answered it (--batch-api).")


class Span(BaseModel):
    """Where a piece of evidence sits in the article (character offsets, end exclusive)."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="Which field, e.g. 'numbers[2].evidence'.")
    start: int
    end: int


class WarningCode(str, Enum):
    """What a warning on a result reports."""

    dropped = "dropped"  # an item the article does not support was removed
    corrected = "corrected"  # a figure's label was set to what its evidence says
    replaced = "replaced"  # prose with an unfounded figure or name gave way to the article's words
    trimmed = "trimmed"  # repeated items removed, or a list cut to its limit
    parts = "parts"  # the article was briefed in parts and the briefs merged
    fallback = "fallback"  # the model gave no valid brief: this one was extracted instead


class BriefWarning(BaseModel):
    """Something done to a brief after the model wrote it, or instead of it."""

    model_config = ConfigDict(extra="forbid")

    code: WarningCode
    message: str = Field(description="What was done, in words, for people.")
    path: str | None = Field(default=None, description="The field concerned, e.g. 'numbers[2]'.")

    def __str__(self) -> str:
        return self.message


class Meta(BaseModel):
    """Facts about how the brief was made."""

    model_config = ConfigDict(extra="forbid")

    engine: str
    model: str | None = None
    prompt_version: str | None = None
    schema_version: str
    attempts: int = 1
    attempt_log: list[Attempt] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    latency_s: float = 0.0
    warnings: list[BriefWarning] = Field(default_factory=list)
    spans: list[Span] = Field(default_factory=list)
    cached: bool = False
    title: str | None = None
    published: str | None = None


class Result(BaseModel):
    """A validated, grounded brief and how it was made."""

    model_config = ConfigDict(extra="forbid")

    brief: Brief
    meta: Meta

    def to_markdown(self) -> str:
        """The brief as Markdown, closing with a note of what was dropped or replaced."""
        note = self._note()
        return self.brief.to_markdown() + (f"\n_{note}_\n" if note else "")

    def to_text(self) -> str:
        """The brief as plain text, closing with the same note."""
        note = self._note()
        return self.brief.to_text() + (f"\n{note}\n" if note else "")

    @property
    def fell_back(self) -> bool:
        """True if the model gave no valid brief and this one was extracted from the article."""
        return any(w.code is WarningCode.fallback for w in self.meta.warnings)

    def _note(self) -> str:
        dropped = sum(1 for w in self.meta.warnings if w.code is WarningCode.dropped)
        corrected = sum(1 for w in self.meta.warnings if w.code is WarningCode.corrected)
        others = [w.message for w in self.meta.warnings
                  if w.code not in (WarningCode.dropped, WarningCode.corrected)]
        parts = [f"{dropped} unverifiable item(s) dropped"] if dropped else []
        if corrected:
            parts.append(f"{corrected} figure label(s) corrected to match their evidence")
        return "; ".join(parts + others) + ("." if parts or others else "")

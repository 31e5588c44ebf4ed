"""What comes back from summarize(): the brief plus what the model did not write."""

from __future__ import annotations

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


class Attempt(BaseModel):
    """One call to the model and why it was made."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(description="'initial', 're-ask', 'retry: <fault>' or 'longer output'.")
    outcome: str = Field(description="'ok', or what went wrong.")
    usage: Usage = Field(default_factory=Usage)
    seconds: float = 0.0


class Span(BaseModel):
    """Where a piece of evidence sits in the article (character offsets, end exclusive)."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="Which field, e.g. 'numbers[2].evidence'.")
    start: int
    end: int


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
    warnings: list[str] = Field(default_factory=list)
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

    def _note(self) -> str:
        dropped = sum(1 for w in self.meta.warnings if w.startswith("dropped "))
        corrected = sum(1 for w in self.meta.warnings if w.startswith("corrected "))
        others = [w for w in self.meta.warnings if not w.startswith(("dropped ", "corrected "))]
        parts = [f"{dropped} unverifiable item(s) dropped"] if dropped else []
        if corrected:
            parts.append(f"{corrected} figure label(s) corrected to match their evidence")
        return "; ".join(parts + others) + ("." if parts or others else "")

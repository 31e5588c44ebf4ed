"""One article, one brief: ask the model, read the reply, check it against the article, re-ask
with the problems, retry transport faults, and settle what is left by the policy.

The one retry layer lives here. Transport retries (429, 5xx, timeouts, connection faults) and
re-asks (the reply was invalid or ungrounded) have separate budgets, and every request's tokens
are in the brief's ledger, successful or not.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type

from ._brief import SCHEMA_VERSION, Brief
from ._engines import ChatModel, ChatReply, ChatRequest
from ._errors import (
    BriefValidationError,
    ContextOverflowError,
    EngineError,
    RefusalError,
    RequestTimeoutError,
    TransportError,
    TruncatedOutputError,
)
from ._extractive import extract
from ._grounding import Grounding, Problem, drop_unverified, ground, trim_with_origin
from ._index import ArticleIndex
from ._parse import build_messages, parse_brief, reask_messages, salvage_brief
from ._prompts import Prompts, compact
from ._result import Attempt, AttemptReason, BriefWarning, Meta, Result, Usage, WarningCode
from ._settings import Settings
from ._text import clip

Policy = Literal["lenient", "strict"]
FALLBACK = "the model gave no valid brief"
MAX_TIMEOUTS = 2  # timed-out requests asked again (with twice the time each)


class Ledger:
    """Every request made for a brief: why, how it ended, what it cost. The one place where
    attempts are counted and usage summed; an error raised carries its ledger's figures."""

    def __init__(self, attempts: list[Attempt] | None = None) -> None:
        self.attempts: list[Attempt] = list(attempts or [])

    @classmethod
    def of(cls, exc: EngineError | BriefValidationError) -> Ledger:
        return cls(exc.attempt_log)

    @classmethod
    def of_results(cls, results: list[Result]) -> Ledger:
        return cls([a for r in results for a in r.meta.attempt_log])

    def __add__(self, other: Ledger) -> Ledger:
        return Ledger(self.attempts + other.attempts)

    @property
    def usage(self) -> Usage:
        return sum((a.usage for a in self.attempts), Usage())

    def record(self, reason: AttemptReason, outcome: str, usage: Usage, seconds: float,
               batch: str | None = None) -> None:
        self.attempts.append(Attempt(reason=reason, outcome=outcome, usage=usage,
                                     seconds=round(seconds, 4), batch=batch))

    def rejected(self, why: str) -> None:
        """The last reply came back but failed validation: say so in its attempt."""
        self.attempts[-1] = self.attempts[-1].model_copy(update={"outcome": why})

    def meta(self) -> dict[str, Any]:
        """These as a result's meta fields."""
        return {"attempts": len(self.attempts), "attempt_log": self.attempts, "usage": self.usage}

    def stamp(self, exc: EngineError | BriefValidationError) -> None:
        """What was paid for stays known on the error raised."""
        exc.attempts, exc.attempt_log, exc.usage = len(self.attempts), self.attempts, self.usage


@dataclass
class Draft:
    """A reply read as a brief: the brief (None if the reply is not one), what is wrong with it,
    and what was trimmed from it."""

    output: str = ""
    brief: Brief | None = None
    problems: list[Problem] = field(default_factory=list)
    report: Grounding = field(default_factory=Grounding)
    trimmed: list[BriefWarning] = field(default_factory=list)
    #: Where each item of the trimmed brief stood in the reply, by list (none if none moved).
    origin: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def checked(cls, output: str, brief: Brief, art: ArticleIndex) -> Draft:
        """A brief trimmed of repeats and checked against its article."""
        brief, trimmed, origin = trim_with_origin(brief)
        report = ground(brief, art)
        return cls(output, brief, report.problems, report, trimmed, origin)

    def for_model(self) -> list[str]:
        """The problems as the re-ask states them: each item where the model's reply has it."""
        said = []
        for p in self.problems:
            where = self.origin.get(p.field, ())
            if p.index is not None and p.index < len(where):
                p = replace(p, index=where[p.index])
            said.append(str(p))
        return said


def read_reply(output: str, art: ArticleIndex) -> Draft:
    """Parse, trim and ground one reply."""
    brief, problems = parse_brief(output, art)
    return Draft(output, None, problems) if brief is None else Draft.checked(output, brief, art)


def settle(draft: Draft, article: str, policy: Policy, failed: str) -> tuple[Brief, list[BriefWarning]]:
    """The one policy step, for every brief: strict raises on any problem left; lenient drops
    or corrects what cannot be verified and falls back to the extractive brief when the model
    gave none. ``failed`` says, for a message, what gave up ("after 3 attempts")."""
    if not draft.problems:
        assert draft.brief is not None
        return draft.brief, draft.trimmed
    first = draft.problems[0]
    if policy == "strict":
        more = f" (+{len(draft.problems) - 1} more)" if len(draft.problems) > 1 else ""
        raise BriefValidationError(f"no valid brief {failed}: {first}{more}", attempts=0,
                                   last_output=draft.output, problems=draft.problems,
                                   usage=Usage())
    if draft.brief is None:  # nothing parseable to drop from: copied from the article, and said
        return extract(article), draft.trimmed + [BriefWarning(
            code=WarningCode.fallback,
            message=f"{FALLBACK} {failed} ({first}); this brief was extracted from the article "
                    "instead")]
    brief, warnings = lenient(draft.brief, article, draft.problems)
    return brief, draft.trimmed + warnings


def lenient(brief: Brief, article: str, problems: list[Problem]) -> tuple[Brief, list[BriefWarning]]:
    """Drop what cannot be verified; prose with an unfounded figure is replaced by the
    article's own lead, so nothing unverified is ever shown."""
    brief, warnings = drop_unverified(brief, problems)
    scalar = {p.field for p in problems if p.index is None}
    if "situation" in scalar or "outlook.summary" in scalar:
        fallback = extract(article)
        update: dict[str, Any] = {}
        if "situation" in scalar:
            update["situation"] = fallback.situation
            warnings.append(BriefWarning(code=WarningCode.replaced, path="situation",
                                         message="replaced situation with the article's lead"))
        if "outlook.summary" in scalar:
            update["outlook"] = brief.outlook.model_copy(
                update={"summary": fallback.outlook.summary})
            warnings.append(BriefWarning(
                code=WarningCode.replaced, path="outlook.summary",
                message="replaced outlook summary with the article's own words"))
        brief = brief.model_copy(update=update)
    return brief, warnings


def shorter_list(max_tokens: int) -> int:
    """Once a reply was cut, lists are held to this many items where the engine's constraint
    can hold them (a grammar): "only the most important actors and figures", as
    prompts/shorter.md asks, as many as the three lists fit in the room at ~100 tokens an item;
    a model looping through one list then ends it rather than running out of tokens."""
    return max(3, max_tokens // 300)


class NoRoom(TruncatedOutputError):
    """The output was cut and the window has no room for more beside the whole article: the
    cue to brief it in parts (each leaves more room), not to give up."""


@dataclass
class Job:
    """What every brief of a Summarizer shares: its settings, prompts and schema."""

    settings: Settings
    prompts: Prompts
    schema: dict[str, Any]
    schema_prompt: str
    _overhead: dict[float, int] = field(default_factory=dict)  # by the model's token scale

    def overhead(self, model: ChatModel) -> int:
        """The prompt without the article, and the schema, in the model's tokens: fixed, so
        counted once (again if the model learns its tokens are larger than estimated)."""
        scale = model.token_scale
        if scale not in self._overhead:
            self._overhead[scale] = sum(model.count_tokens(m["content"])
                                        for m in build_messages(self.prompts, "")) + \
                model.count_tokens(compact(self.schema))
        return self._overhead[scale]


class Briefing:
    """One article's brief from one model: requests, re-asks and retries, within the brief's
    deadline (which counts from ``started``, shared with any other parts of the article)."""

    def __init__(self, job: Job, model: ChatModel, policy: Policy, started: float,
                 context: int | None) -> None:
        self.job, self.model, self.policy = job, model, policy
        self.started, self.context = started, context
        self.ledger = Ledger()

    async def run(self, art: ArticleIndex, max_tokens: int | None = None, *,
                  may_split: bool = False) -> Result:
        """The brief of an article (indexed once for its prompt and every reply's check), or an
        error that carries what its requests cost."""
        article = art.text
        try:
            draft = await self._ask(art, max_tokens or self.job.settings.max_tokens, may_split)
            brief, warnings = settle(draft, article, self.policy,
                                     f"after {len(self.ledger.attempts)} attempts")
        except (EngineError, BriefValidationError) as exc:
            self.ledger.stamp(exc)
            raise
        report = draft.report if brief is draft.brief else ground(brief, art)
        return self._result(brief, warnings, report)

    def _result(self, brief: Brief, warnings: list[BriefWarning], report: Grounding) -> Result:
        model = self.model
        return Result(brief=brief, meta=Meta(
            engine=model.engine, model=model.model_name,
            prompt_version=self.job.prompts.version if model.uses_prompts else None,
            schema_version=SCHEMA_VERSION, **self.ledger.meta(),
            latency_s=round(time.monotonic() - self.started, 4), warnings=warnings,
            spans=report.spans))

    async def _ask(self, art: ArticleIndex, max_tokens: int, may_split: bool) -> Draft:
        """Requests until a reply checks out, or the re-asks, tokens or time run out."""
        article = art.text
        first = build_messages(self.job.prompts, art)
        messages, reason, capped, reasks = first, AttemptReason.initial, False, 0
        while True:
            request = ChatRequest(messages=messages, schema=self.job.schema, max_tokens=max_tokens,
                                  schema_prompt=self.job.schema_prompt, article=article,
                                  max_items=shorter_list(max_tokens) if capped else None)
            reply = await self._call(request, reason)
            if reply.finish_reason == "length":
                longer = self._after_cut(reply, first, max_tokens, capped, may_split)
                if longer is None:
                    return Draft(reply.text, None, [_cut(max_tokens, capped)])
                messages, max_tokens = longer
                reason, capped = AttemptReason.longer, True
                continue
            draft = read_reply(reply.text, art)
            if not draft.problems:
                return draft
            self.ledger.rejected(f"invalid: {len(draft.problems)} problem"
                                 f"{'s' if len(draft.problems) > 1 else ''} "
                                 f"({clip(str(draft.problems[0]), 100)})")
            if self._spent(reasks):
                return self._salvaged(draft, art)
            reasks += 1
            messages = reask_messages(self.job.prompts, first, reply.text, draft.for_model())
            reason = AttemptReason.reask

    def _spent(self, reasks: int) -> bool:
        s = self.job.settings
        return (reasks >= s.reasks
                or s.token_budget is not None and self.ledger.usage.total_tokens >= s.token_budget
                or time.monotonic() - self.started >= s.deadline)

    def _salvaged(self, draft: Draft, art: ArticleIndex) -> Draft:
        """Lenient, with re-asks spent and no brief: the reply without its malformed items, if
        the rest is a brief (then checked against the article like any other)."""
        if draft.brief is not None or self.policy == "strict":
            return draft
        brief, salvaged = salvage_brief(draft.output, art)
        if brief is None:
            return draft
        kept = Draft.checked(draft.output, brief, art)
        kept.trimmed = salvaged + kept.trimmed
        return kept

    def _after_cut(self, reply: ChatReply, first: tuple[dict[str, str], ...], max_tokens: int,
                   capped: bool, may_split: bool) -> tuple[tuple[dict[str, str], ...], int] | None:
        """After output cut at the length limit: the messages and room to ask again with, or
        None (lenient: no brief) when there is no more room; strict raises."""
        used = reply.usage
        if (0 < used.completion_tokens < max_tokens and used.prompt_tokens
                and (not self.context or used.total_tokens < self.context)):
            # Cut short of what was asked: the server's window ends there (llama.cpp's
            # servers shorten the output to fit rather than refuse the request).
            raise ContextOverflowError(
                f"the server cut the output at {used.completion_tokens} of {max_tokens} "
                f"tokens: its context window is {used.total_tokens} tokens",
                context_tokens=used.total_tokens)
        longer = (*first, {"role": "assistant", "content": reply.text},
                  {"role": "user", "content": self.job.prompts.render("shorter")})
        room = self._room(longer, max_tokens * 2)
        if may_split and not capped and room <= max_tokens:
            raise NoRoom(f"the model's output was cut at {max_tokens} tokens")
        if capped or room <= max_tokens:
            if self.policy == "strict":
                raise TruncatedOutputError(
                    f"{_cut(max_tokens, capped).message}; raise --max-tokens or use a model "
                    "with more room")
            return None
        return longer, room

    def _room(self, messages: tuple[dict[str, str], ...], wanted: int) -> int:
        """The output budget that fits the context beside these messages (at most wanted)."""
        if not self.context:
            return wanted
        used = sum(self.model.count_tokens(m["content"]) for m in messages)
        used += self.model.count_tokens(self.job.schema_prompt)  # sent once, request or prompt
        return max(0, min(wanted, self.context - used - 16))

    async def _call(self, request: ChatRequest, reason: AttemptReason) -> ChatReply:
        """One model call with transport retries (tenacity): transient faults only, exponential
        back-off with jitter, Retry-After honoured, bounded by count and by the brief's deadline.
        A timed-out request is asked again with twice the time, at most twice: a server that
        works on one request at a time is still busy with the one abandoned."""
        s = self.job.settings
        limits: list[float] = []
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(TransportError), reraise=True, sleep=s.sleep,
            stop=lambda state: (state.attempt_number > s.transport_retries
                                or len(limits) > MAX_TIMEOUTS or self._late()),
            wait=self._backoff,
        )
        base = request.timeout or self.model.request_deadline
        async for attempt in retrying:
            with attempt:
                sent = replace(request, timeout=base * 2 ** len(limits)) if base else request
                return await self._attempt(sent, reason, limits)
            reason = AttemptReason.retry  # the attempt failed in transport: asked again
        raise AssertionError("unreachable: tenacity re-raises the last error")

    def _late(self) -> bool:
        return time.monotonic() - self.started >= self.job.settings.deadline

    def _backoff(self, state: RetryCallState) -> float:
        s = self.job.settings
        exc = state.outcome.exception() if state.outcome else None
        backoff = min(s.max_backoff, s.backoff * 2 ** (state.attempt_number - 1))
        delay = backoff * (0.5 + random.random() / 2)  # jitter
        if isinstance(exc, TransportError) and exc.retry_after is not None:
            delay = min(max(delay, exc.retry_after), s.max_backoff)
        return max(0.0, min(delay, s.deadline - (time.monotonic() - self.started)))

    async def _attempt(self, request: ChatRequest, reason: AttemptReason,
                       limits: list[float]) -> ChatReply:
        """One request, in the ledger however it ends."""
        started = time.monotonic()
        limit = request.timeout or 0.0
        try:
            limit = self._limit(request)
            reply = await self._complete(request, limit)
        except TransportError as exc:
            self.ledger.record(reason, f"transport error: {exc}", Usage(),
                               time.monotonic() - started)
            if isinstance(exc, RequestTimeoutError):
                limits.append(limit)  # the time it had, for the message
                if len(limits) > MAX_TIMEOUTS:
                    raise RequestTimeoutError(
                        f"the model endpoint did not answer within {_seconds(limits)}; a server "
                        "that answers one request at a time may still be working on the "
                        "abandoned ones: raise --timeout") from None
            raise
        except Exception as exc:
            self.ledger.record(reason, f"error: {type(exc).__name__}", Usage(),
                               time.monotonic() - started)
            raise
        self.ledger.record(AttemptReason.batch if reply.batch else reason,
                           "ok" if reply.finish_reason != "length" else "truncated",
                           reply.usage, time.monotonic() - started, reply.batch)
        if reply.refusal or reply.finish_reason == "content_filter":
            words = reply.refusal or reply.text or "(no reason given)"
            raise RefusalError(f"the model refused: {words.strip()[:300]}", refusal=words)
        return reply

    def _limit(self, request: ChatRequest) -> float:
        """The seconds a request may take, start to finish: its own limit (else the engine's)
        within what is left of the brief's deadline."""
        left = self.job.settings.deadline - (time.monotonic() - self.started)
        if left <= 0:
            raise RequestTimeoutError(f"the brief's deadline of {self.job.settings.deadline:g} s "
                                      "passed before this request")
        return min(request.timeout or self.model.request_deadline or left, left)

    async def _complete(self, request: ChatRequest, limit: float) -> ChatReply:
        """One request, held to its limit."""
        try:
            return await asyncio.wait_for(self.model.complete(replace(request, timeout=limit)),
                                          timeout=max(limit, 0.001))
        except asyncio.TimeoutError:
            raise RequestTimeoutError(f"timed out: the answer took longer than {limit:g} s in "
                                      "all") from None


def _cut(max_tokens: int, twice: bool) -> Problem:
    return Problem("brief", f"the model's output was cut at {max_tokens} tokens"
                   + (" twice" if twice else " and there is no room for more"), "truncated")


def _seconds(limits: list[float]) -> str:
    shown = [f"{t:g}" for t in limits]
    return (", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0]) + " s"

"""The pipeline: prepare the request, call the model, parse, validate, ground, re-ask, retry.

The one retry layer lives here. Transport retries (429, 5xx, timeouts, connection faults) and
re-asks (the reply was invalid or ungrounded) have separate budgets, and every call's tokens are
summed on the result, successful or not.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
import re
import threading
import time
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar

import pydantic
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type

from ._brief import SCHEMA_VERSION, Brief
from ._cache import Cache, cache_key
from ._chunking import merge_briefs, split_article
from ._engines import ChatModel, ChatReply, ChatRequest
from ._errors import (
    BriefValidationError,
    ConfigurationError,
    ContextOverflowError,
    EngineError,
    InputError,
    InternalError,
    RefusalError,
    RequestTimeoutError,
    SummarizerError,
    TransportError,
    TruncatedOutputError,
)
from ._extractive import extract
from ._grounding import Article, Grounding, Problem, drop_unverified, ground, trim
from ._prompts import Prompts, compact, load_prompts, model_schema
from ._result import Attempt, Meta, Result, Usage
from ._settings import Settings
from ._text import clean_input, clip

Policy = Literal["lenient", "strict"]
log = logging.getLogger("summarizer")
FALLBACK = "the model gave no valid brief"
T = TypeVar("T")


MAX_TIMEOUTS = 2  # timed-out requests asked again (with twice the time each)


def _seconds(limits: list[float]) -> str:
    shown = [f"{t:g}" for t in limits]
    return (", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0]) + " s"


def check_article(text: str) -> str:
    """Reject input that is not an article (empty, blank or binary); strip what no reader
    should get back (terminal escapes, control characters, direction overrides)."""
    if not isinstance(text, str):
        raise TypeError(f"article must be str, not {type(text).__name__}")
    if "\x00" in text:
        raise InputError("input looks binary (it contains NUL bytes), not an article")
    text = clean_input(text)
    if not text.strip():
        raise InputError("the article is empty" if not text else "the article is only white space")
    return escape_markers(text)


def escape_markers(text: str) -> str:
    """The article with the prompt's markers broken, so that an article quoting them cannot
    end the article early in the prompt ("ARTICLE>>>" becomes "ARTICLE> >>")."""
    if "<<<ARTICLE" not in text and "ARTICLE>>>" not in text:
        return text
    return text.replace("<<<ARTICLE", "<< <ARTICLE").replace("ARTICLE>>>", "ARTICLE> >>")


def build_messages(prompts: Prompts, article: str) -> tuple[dict[str, str], ...]:
    """The first request: system rules, then the article as delimited data."""
    return (
        {"role": "system", "content": prompts.render("system")},
        {"role": "user", "content": prompts.render("user", article=article)},
    )


def reask_messages(
    prompts: Prompts, first: tuple[dict[str, str], ...], output: str, problems: list[str]
) -> tuple[dict[str, str], ...]:
    """A new message list (the caller's is never touched): the original request, the last
    output and its problems. Earlier failed attempts are not carried, so the context stays bounded."""
    listing = "\n".join(f"- {p}" for p in problems)
    return (
        *first,
        {"role": "assistant", "content": output},
        {"role": "user", "content": prompts.render("reask", problems=listing)},
    )


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL | re.IGNORECASE)


def extract_json(text: str) -> Any:
    """The JSON object in a reply: bare, in a fenced block, or after leading prose."""
    for candidate in _json_candidates(text):
        if not candidate:
            continue
        try:
            return json.loads(candidate)
        except RecursionError:  # nested thousands deep: no brief is
            raise ValueError("the reply is JSON nested too deeply to be a brief") from None
        except json.JSONDecodeError:
            try:  # a valid object followed by trailing prose
                return json.JSONDecoder().raw_decode(candidate)[0]
            except RecursionError:
                raise ValueError("the reply is JSON nested too deeply to be a brief") from None
            except json.JSONDecodeError:
                continue
    raise ValueError("the reply is not a JSON object")


def _json_candidates(text: str) -> Iterator[str]:
    # Made lazily: the usual reply is bare JSON, and the searches are for the rest.
    yield text.strip()
    for m in _FENCE.finditer(text):
        yield m.group(1).strip()
    start = text.find("{")
    if start >= 0:
        yield text[start : text.rfind("}") + 1]


def parse_brief(text: str) -> tuple[Brief | None, list[str]]:
    """Parse and schema-validate a reply; problems are phrased for the model to fix."""
    try:  # the usual reply, a bare valid brief, in one step
        return Brief.model_validate_json(text), []
    except ValueError:  # pydantic's ValidationError included: the steps below say what is wrong
        pass
    try:
        data = extract_json(text)
    except ValueError as exc:
        return None, [f"{exc}: '{text.strip()[:80]}'"]
    try:
        return Brief.model_validate(data), []
    except pydantic.ValidationError as exc:
        problems = []
        for err in exc.errors()[:20]:
            where = ".".join(str(p) for p in err["loc"]) or "brief"
            problems.append(f"{_path(err['loc'])}: {err['msg']}" if where else err["msg"])
        return None, problems


# Lists whose items a lenient brief can do without, and where they sit in the brief.
_LISTS = {("actors",), ("numbers",), ("where",), ("outlook", "signals")}


def salvage_brief(text: str) -> tuple[Brief | None, list[str]]:
    """Lenient, when re-asks are spent: the reply without the list items (a figure, an actor,
    an expectation) that fail the schema, if the rest is a valid brief; and what was dropped.
    One malformed figure (both a value and a range, as models under a grammar often give)
    then costs that figure, not the model's whole brief."""
    try:
        data = extract_json(text)
    except ValueError:
        return None, []
    dropped: list[str] = []
    for _ in range(3):  # an item dropped can only reveal errors in others, rarely
        try:
            return Brief.model_validate(data), dropped
        except pydantic.ValidationError as exc:
            doomed: dict[tuple[str, ...], set[int]] = {}
            for err in exc.errors():
                loc = err["loc"]
                at = next((i for i in range(1, len(loc)) if isinstance(loc[i], int)
                           and tuple(map(str, loc[:i])) in _LISTS), None)
                if at is None:
                    return None, []  # the brief itself is malformed, not just an item
                doomed.setdefault(tuple(map(str, loc[:at])), set()).add(int(loc[at]))
                dropped.append(f"dropped {_path(loc[:at + 1])}: invalid ({err['msg']})")
            for path, indexes in doomed.items():
                holder = data
                for key in path[:-1]:
                    holder = holder[key]
                holder[path[-1]] = [x for i, x in enumerate(holder[path[-1]]) if i not in indexes]
    return None, []


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "brief"


@dataclass
class _Run:
    """Book-keeping for one brief."""

    started: float = field(default_factory=time.monotonic)
    attempts: list[Attempt] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)

    def record(self, reason: str, outcome: str, usage: Usage, seconds: float) -> None:
        self.attempts.append(Attempt(reason=reason, outcome=outcome, usage=usage,
                                     seconds=round(seconds, 4)))
        self.usage = self.usage + usage

    def rejected(self, why: str) -> None:
        """The last reply came back but failed validation: say so in its attempt."""
        self.attempts[-1] = self.attempts[-1].model_copy(update={"outcome": why})


class _NoRoom(TruncatedOutputError):
    """The output was cut and the window has no room for more beside the whole article: the
    cue to brief it in parts (each leaves more room), not to give up."""


# An article shorter than this is not worth cutting into parts for room to write in.
MIN_SPLIT_TOKENS = 400


def shorter_list(max_tokens: int) -> int:
    """Once a reply was cut, lists are held to this many items where the engine's constraint
    can hold them (a grammar): "only the most important actors and figures", as
    prompts/shorter.md asks, as many as the three lists fit in the room at ~100 tokens an item;
    a model looping through one list then ends it rather than running out of tokens."""
    return max(3, max_tokens // 300)


@dataclass
class _Spent:
    """What requests a failed plan or the parts before a failure made, to be counted with
    what comes after."""

    attempts: int = 0
    log: list[Attempt] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)

    @classmethod
    def of(cls, exc: EngineError | BriefValidationError) -> _Spent:
        return cls(exc.attempts or 0, list(exc.attempt_log or []), exc.usage or Usage())

    @classmethod
    def of_results(cls, results: list[Result]) -> _Spent:
        return cls(sum(r.meta.attempts for r in results),
                   [a for r in results for a in r.meta.attempt_log],
                   sum((r.meta.usage for r in results), Usage()))

    def __add__(self, other: _Spent) -> _Spent:
        return _Spent(self.attempts + other.attempts, self.log + other.log,
                      self.usage + other.usage)

    def meta(self) -> dict[str, Any]:
        """These as a result's meta fields."""
        return {"attempts": self.attempts, "attempt_log": self.log, "usage": self.usage}

    def add_to(self, exc: EngineError | BriefValidationError) -> None:
        exc.attempts = self.attempts + (exc.attempts or 0)
        exc.attempt_log = self.log + list(exc.attempt_log or [])
        exc.usage = self.usage + (exc.usage or Usage())


class Summarizer:
    """A configured engine, reusable across many articles (a client per event loop, one model)."""

    def __init__(self, settings: Settings | None = None, *, chat_model: ChatModel | None = None,
                 **overrides: Any) -> None:
        self.settings = replace(settings or Settings(), **overrides)
        self._model = chat_model
        self._prompts: Prompts | None = None
        self._schema = model_schema()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self.engine_name, self.engine_reason = self.settings.resolve_engine(chat_model)
        self._schema_prompt = ""
        if self.engine_name != "extractive":
            self._prompts = load_prompts(self.settings.prompts)
            self._schema_prompt = self._prompts.render("schema", schema=compact(self._schema))
        self._limit: asyncio.Semaphore | None = None
        self._cache: Cache | None = None
        self._overhead: tuple[float, int] | None = None  # (token scale, tokens)

    # --- public ---------------------------------------------------------------------------

    async def asummarize(self, text: str, *, strict: bool | None = None) -> Result:
        """Brief one article."""
        article = check_article(text)
        with _only_our_errors():
            return await self._brief(article, self._policy(strict))

    async def _brief(self, article: str, policy: Policy) -> Result:
        if self.engine_name == "extractive":
            return self._extractive(article, policy)
        model = self.model()
        await model.prepare()  # its context window shapes the plan, so the cache key too
        key = cache_key(article, context=self._cache_context(model, policy)) if (
            self.settings.cache) else None
        if key is not None:
            hit = self.cache().get(key)
            if hit is not None:
                return hit
        result = await self._limited(model, article, policy)
        if key is not None and not any(w.startswith(FALLBACK) for w in result.meta.warnings):
            self.cache().put(key, result)  # a fallback brief is not what was asked for: ask again
        return result

    def _cache_context(self, model: ChatModel, policy: Policy) -> str:
        """Everything besides the article that shapes a result, as one string."""
        assert self._prompts is not None
        s = self.settings
        templates = "\x1e".join(self._prompts.templates[n] for n in sorted(self._prompts.templates))
        return "\x1f".join(str(x) for x in (
            model.engine, model.model, s.base_url if model.engine == "openai" else "",
            hashlib.sha256(templates.encode()).hexdigest(), SCHEMA_VERSION, policy, s.reasks,
            s.max_tokens, s.context_tokens or model.context_tokens))

    def cache(self) -> Cache:
        """The result cache, opened on first use."""
        if self._cache is None:
            self._cache = Cache(self.settings.cache_dir)
        return self._cache

    async def _limited(self, model: ChatModel, article: str, policy: Policy) -> Result:
        if model.max_concurrency:
            if self._limit is None:
                self._limit = asyncio.Semaphore(model.max_concurrency)
            async with self._limit:
                return await self._llm(model, article, policy)
        return await self._llm(model, article, policy)

    def summarize(self, text: str, *, strict: bool | None = None) -> Result:
        """Brief one article, blocking; safe to call from inside a running event loop."""
        if self.engine_name == "extractive":
            article = check_article(text)
            with _only_our_errors():
                return self._extractive(article, self._policy(strict))
        return self._run_sync(self.asummarize(text, strict=strict))

    def _policy(self, strict: bool | None) -> Policy:
        """This call's policy: its own strict flag, else the settings'."""
        return "strict" if (self.settings.strict if strict is None else strict) else "lenient"

    def model(self) -> ChatModel:
        """The engine, created on first use and shared afterwards."""
        if self._model is None:
            self._model = self.settings.make_model(self.engine_name)
        return self._model

    async def aclose(self) -> None:
        """Release the engine's connections."""
        if self._model is not None:
            await self._model.aclose()

    def close(self) -> None:
        """Release the engine and the private event loop."""
        if self._model is not None and self._loop is not None:
            self._run_sync(self.aclose())
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._loop = None

    # --- engines --------------------------------------------------------------------------

    def _extractive(self, article: str, policy: Policy) -> Result:
        started = time.perf_counter()
        brief = extract(article)
        report = ground(brief, article)
        warnings: list[str] = []
        if report.problems and policy == "strict":
            problems = [str(p) for p in report.problems]
            raise BriefValidationError(
                f"the extractive brief failed its own check: {problems[0]}", attempts=1,
                last_output=brief.model_dump_json(), problems=problems, usage=Usage())
        if report.problems:  # the engine only copies; if it ever slips, nothing unverified shows
            brief, warnings = drop_unverified(brief, report.problems)
            report = ground(brief, article)
        seconds = time.perf_counter() - started
        return Result(
            brief=brief,
            meta=Meta(
                engine="extractive", schema_version=SCHEMA_VERSION, attempts=1,
                attempt_log=[Attempt(reason="initial", outcome="ok", seconds=round(seconds, 4))],
                latency_s=round(seconds, 4), warnings=warnings, spans=report.spans,
            ),
        )

    async def _llm(self, model: ChatModel, article: str, policy: Policy) -> Result:
        """Brief an article, in parts if it does not fit the model's context. A server that
        says its context is smaller than assumed is taken at its word, once, and the article
        planned again (in parts, with less output) rather than failed. Parts and plans share
        the brief's deadline, and every request made is in the attempt log."""
        started = time.monotonic()
        try:
            return await self._planned(model, article, policy, started)
        except ContextOverflowError as exc:
            assumed = self._context(model)
            if not exc.context_tokens or (assumed and exc.context_tokens >= assumed):
                raise
            model.context_from_server = exc.context_tokens
            log.info("the endpoint's context window is %d tokens, not %s: briefing again to fit",
                     exc.context_tokens, assumed)
            before = _Spent.of(exc)
        try:
            result = await self._planned(model, article, policy, started)
        except (EngineError, BriefValidationError) as exc:
            before.add_to(exc)
            raise
        paid = before + _Spent.of_results([result])
        return result.model_copy(update={"meta": result.meta.model_copy(update=paid.meta())})

    def _context(self, model: ChatModel) -> int | None:
        """The context window: the server's word, else --context-tokens, else what is known."""
        return model.context_from_server or self.settings.context_tokens or model.context_tokens

    async def _planned(self, model: ChatModel, article: str, policy: Policy,
                       started: float) -> Result:
        assert self._prompts is not None
        context = self._context(model)
        if not context:
            return await self._llm_one(model, article, policy, started)
        if self._overhead is None or self._overhead[0] != model.token_scale:
            # The prompt without the article, and the schema: fixed, once counted.
            self._overhead = (model.token_scale, sum(
                model.count_tokens(m["content"]) for m in build_messages(self._prompts, ""))
                + model.count_tokens(compact(self._schema)))
        overhead = self._overhead[1]
        # Never ask for more output than fits: a small window gets a smaller output budget
        # (down to 256 tokens) before the article is cut into smaller parts.
        max_tokens = min(self.settings.max_tokens, max(256, context - overhead - 512))
        budget = context - max_tokens - overhead
        if budget < 256:
            raise ConfigurationError(
                f"a context of {context} tokens leaves no room for an article after the prompt "
                f"({overhead} tokens) and the output budget ({max_tokens}); "
                "raise --context-tokens or lower --max-tokens"
            )
        tokens = model.count_tokens(article)
        spent = _Spent()
        why = f"the article was longer than the model's context ({context} tokens)"
        if tokens <= budget:
            try:
                return await self._llm_one(model, article, policy, started, max_tokens,
                                           may_split=tokens >= MIN_SPLIT_TOKENS)
            except _NoRoom as exc:  # halves leave the output the room half the article took
                spent, budget = _Spent.of(exc), tokens // 2 + 1
                why = (f"the model's brief did not fit beside the whole article in its context "
                       f"({context} tokens)")
                log.info("%s: briefing it in parts", why)
        parts = split_article(article, budget, model.count_tokens)
        results: list[Result] = []
        for part in parts:
            try:
                results.append(await self._llm_one(model, part, policy, started, max_tokens))
            except (EngineError, BriefValidationError) as exc:  # count the parts already paid
                (spent + _Spent.of_results(results)).add_to(exc)
                raise
        brief = merge_briefs([r.brief for r in results])
        report = ground(brief, article)  # against the whole text, not the parts
        warnings = [f"{why} and was briefed in {len(parts)} parts"]
        if report.problems and policy == "strict":
            problems = [str(p) for p in report.problems]
            raise BriefValidationError(
                f"the merged brief of {len(parts)} parts failed its check: {problems[0]}",
                attempts=sum(r.meta.attempts for r in results), last_output=brief.model_dump_json(),
                problems=problems, usage=sum((r.meta.usage for r in results), Usage()))
        if report.problems:
            brief, dropped = self._lenient(brief, article, report.problems)
            warnings += dropped
            report = ground(brief, article)
        first = results[0].meta
        paid = spent + _Spent.of_results(results)
        return Result(brief=brief, meta=first.model_copy(update={
            **paid.meta(), "latency_s": round(time.monotonic() - started, 4),
            "warnings": warnings + [w for r in results for w in r.meta.warnings],
            "spans": report.spans,
        }))

    async def _llm_one(self, model: ChatModel, article: str, policy: Policy, started: float,
                       max_tokens: int | None = None, *, may_split: bool = False) -> Result:
        run = _Run(started=started)
        try:
            return await self._attempts(model, article, policy, run,
                                        max_tokens or self.settings.max_tokens, may_split)
        except (EngineError, BriefValidationError) as exc:  # what was paid for stays known
            exc.attempts, exc.usage, exc.attempt_log = len(run.attempts), run.usage, run.attempts
            raise

    async def _attempts(self, model: ChatModel, article: str, policy: Policy,
                        run: _Run, max_tokens: int, may_split: bool = False) -> Result:
        s = self.settings
        assert self._prompts is not None
        prompts = self._prompts
        art = Article(article)
        first = build_messages(prompts, article)
        messages = first
        longer_used = False
        reasks = 0
        reason = "initial"
        brief: Brief | None = None
        problems: list[str] = []
        report = Grounding()
        output = ""
        trimmed: list[str] = []
        while True:
            request = ChatRequest(messages=messages, schema=self._schema, max_tokens=max_tokens,
                                  schema_prompt=self._schema_prompt,
                                  max_items=shorter_list(max_tokens) if longer_used else None)
            reply = await self._call(model, request, run, reason)
            output = reply.text
            if reply.refusal or reply.finish_reason == "content_filter":
                words = reply.refusal or reply.text or "(no reason given)"
                raise RefusalError(f"the model refused: {words.strip()[:300]}", refusal=words)
            if reply.finish_reason == "length":
                used = reply.usage
                known = self._context(model)
                if (0 < used.completion_tokens < max_tokens and used.prompt_tokens
                        and (not known or used.total_tokens < known)):
                    # Cut short of what was asked: the server's window ends there (llama.cpp's
                    # servers shorten the output to fit rather than refuse the request).
                    raise ContextOverflowError(
                        f"the server cut the output at {used.completion_tokens} of {max_tokens} "
                        f"tokens: its context window is {used.total_tokens} tokens",
                        context_tokens=used.total_tokens)
                longer = (*first, {"role": "assistant", "content": output},
                          {"role": "user", "content": prompts.render("shorter")})
                room = self._room(model, longer, max_tokens * 2)
                if may_split and not longer_used and room <= max_tokens:
                    raise _NoRoom(f"the model's output was cut at {max_tokens} tokens")
                if longer_used or room <= max_tokens:
                    cut = (f"the model's output was cut at {max_tokens} tokens"
                           + (" twice" if longer_used else " and there is no room for more"))
                    if policy == "strict":
                        raise TruncatedOutputError(
                            f"{cut}; raise --max-tokens or use a model with more room")
                    brief, problems = None, [cut]  # lenient: the extractive brief, with a warning
                    break
                longer_used = True
                max_tokens, messages, reason = room, longer, "longer output"
                continue
            brief, problems = parse_brief(output)
            trimmed = []
            if brief is not None:
                brief, trimmed = trim(brief)
                report = ground(brief, art)
                problems = [str(p) for p in report.problems]
            if not problems:
                break
            run.rejected(f"invalid: {len(problems)} problem{'s' if len(problems) > 1 else ''} "
                         f"({clip(problems[0], 100)})")
            over_budget = s.token_budget is not None and run.usage.total_tokens >= s.token_budget
            out_of_time = time.monotonic() - run.started >= s.deadline
            if reasks >= s.reasks or over_budget or out_of_time:
                if brief is None and policy == "lenient":
                    brief, salvaged = salvage_brief(output)
                    if brief is not None:  # then checked against the article like any other
                        brief, trimmed = trim(brief)
                        report = ground(brief, art)
                        problems = [str(p) for p in report.problems]
                        trimmed = salvaged + trimmed
                break
            reasks += 1
            messages = reask_messages(prompts, first, output, problems)
            reason = "re-ask"

        warnings: list[str] = []
        if problems and policy == "strict":
            raise BriefValidationError(
                f"no valid brief after {len(run.attempts)} attempts: {problems[0]}"
                + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""),
                attempts=len(run.attempts), last_output=output, problems=problems,
                usage=run.usage,
            )
        if problems and brief is None:
            # Lenient, and nothing parseable to drop from: the user still gets a brief, copied
            # from the article, and is told so.
            brief = extract(article)
            warnings = [f"{FALLBACK} after {len(run.attempts)} attempts ({problems[0]}); this "
                        "brief was extracted from the article instead"]
        elif problems and brief is not None:
            brief, warnings = self._lenient(brief, article, report.problems)
            report = ground(brief, art)
        warnings = trimmed + warnings  # repeats dropped and lists cut from the reply used
        assert brief is not None
        return Result(
            brief=brief,
            meta=Meta(
                engine=model.engine, model=model.model, prompt_version=prompts.version,
                schema_version=SCHEMA_VERSION, attempts=len(run.attempts),
                attempt_log=run.attempts, usage=run.usage,
                latency_s=round(time.monotonic() - run.started, 4), warnings=warnings,
                spans=report.spans,
            ),
        )

    def _room(self, model: ChatModel, messages: tuple[dict[str, str], ...], wanted: int) -> int:
        """The output budget that fits the context beside these messages (at most wanted)."""
        context = self._context(model)
        if not context:
            return wanted
        used = sum(model.count_tokens(m["content"]) for m in messages)
        used += model.count_tokens(self._schema_prompt)  # sent once, in a request or a prompt
        return max(0, min(wanted, context - used - 16))

    @staticmethod
    def _lenient(brief: Brief, article: str, problems: list[Problem]) -> tuple[Brief, list[str]]:
        """Drop what cannot be verified; prose with an unfounded figure is replaced by the
        article's own lead, so nothing unverified is ever shown."""
        brief, warnings = drop_unverified(brief, problems)
        scalar = {p.path for p in problems}
        if "situation" in scalar or "outlook.summary" in scalar:
            fallback = extract(article)
            update: dict[str, Any] = {}
            if "situation" in scalar:
                update["situation"] = fallback.situation
                warnings.append("replaced situation with the article's lead")
            if "outlook.summary" in scalar:
                update["outlook"] = brief.outlook.model_copy(
                    update={"summary": fallback.outlook.summary}
                )
                warnings.append("replaced outlook summary with the article's own words")
            brief = brief.model_copy(update=update)
        return brief, warnings

    async def _call(self, model: ChatModel, request: ChatRequest, run: _Run,
                    reason: str) -> ChatReply:
        """One model call with transport retries (tenacity): transient faults only, exponential
        back-off with jitter, Retry-After honoured, bounded by count and by the brief's deadline."""
        s = self.settings
        why = reason
        # A timed-out request is asked again with twice the time, at most twice: a server that
        # works on one request at a time is still busy with the one abandoned, and the same
        # limit would time out behind it again.
        limits: list[float] = []

        def stop(state: RetryCallState) -> bool:
            return (state.attempt_number > s.transport_retries
                    or len(limits) > MAX_TIMEOUTS
                    or time.monotonic() - run.started >= s.deadline)

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            backoff = min(s.max_backoff, s.backoff * 2 ** (state.attempt_number - 1))
            delay = backoff * (0.5 + random.random() / 2)  # jitter
            if isinstance(exc, TransportError) and exc.retry_after is not None:
                delay = min(max(delay, exc.retry_after), s.max_backoff)
            return max(0.0, min(delay, s.deadline - (time.monotonic() - run.started)))

        retrying = AsyncRetrying(
            retry=retry_if_exception_type(TransportError), stop=stop, wait=wait, reraise=True,
            sleep=s.sleep,
        )
        base = request.timeout or model.request_deadline
        async for attempt in retrying:
            with attempt:
                started = time.monotonic()
                sent = replace(request, timeout=base * 2 ** len(limits)) if base else request
                try:
                    reply = await self._complete(model, sent, run)
                except RequestTimeoutError as exc:
                    run.record(why, f"transport error: {exc}", Usage(), time.monotonic() - started)
                    why = f"retry: {exc}"
                    limits.append(sent.timeout or 0)
                    if len(limits) > MAX_TIMEOUTS:
                        raise RequestTimeoutError(
                            f"the model endpoint did not answer within {_seconds(limits)}; a "
                            "server that answers one request at a time may still be working on "
                            "the abandoned ones: raise --timeout") from None
                    raise
                except TransportError as exc:
                    run.record(why, f"transport error: {exc}", Usage(), time.monotonic() - started)
                    why = f"retry: {exc}"
                    raise
                except Exception as exc:
                    run.record(why, f"error: {type(exc).__name__}", Usage(),
                               time.monotonic() - started)
                    raise
                run.record(why, "ok" if reply.finish_reason != "length" else "truncated",
                           reply.usage, time.monotonic() - started)
                return reply
        raise AssertionError("unreachable: tenacity re-raises the last error")

    async def _complete(self, model: ChatModel, request: ChatRequest, run: _Run) -> ChatReply:
        """One request, held to its limit and to what is left of the brief's deadline, start to
        finish."""
        left = self.settings.deadline - (time.monotonic() - run.started)
        if left <= 0:
            raise RequestTimeoutError(f"the brief's deadline of {self.settings.deadline:g} s "
                                      "passed before this request")
        limit = min(request.timeout or model.request_deadline or left, left)
        try:
            return await asyncio.wait_for(model.complete(replace(request, timeout=limit)),
                                          timeout=max(limit, 0.001))
        except asyncio.TimeoutError:
            raise RequestTimeoutError(f"timed out: the answer took longer than {limit:g} s in "
                                      "all") from None

    # --- sync bridge ----------------------------------------------------------------------

    def _run_sync(self, coro: Coroutine[Any, Any, T]) -> T:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="summarizer", daemon=True).start()
                self._loop = loop
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()


@contextmanager
def _only_our_errors() -> Iterator[None]:
    """Let only the package's own errors out: anything else that goes wrong while briefing (a
    bug, or a library's surprise) becomes InternalError, with the original as its cause."""
    try:
        yield
    except SummarizerError:
        raise
    except Exception as exc:  # noqa: BLE001 - the promise is: one error tree
        raise InternalError(f"unexpected {type(exc).__name__} while briefing: "
                            f"{' '.join(str(exc).split())[:300]}") from exc


def summarize(text: str, *, engine: str = "auto", strict: bool = False, **options: Any) -> Result:
    """Brief one article; options are :class:`Settings` fields (model, base_url, ...)."""
    summarizer = Summarizer(Settings(engine=engine, strict=strict, **options))
    try:
        return summarizer.summarize(text)
    finally:
        summarizer.close()


async def asummarize(text: str, *, engine: str = "auto", strict: bool = False,
                     **options: Any) -> Result:
    """Brief one article without blocking the event loop."""
    summarizer = Summarizer(Settings(engine=engine, strict=strict, **options))
    try:
        return await summarizer.asummarize(text)
    finally:
        await summarizer.aclose()



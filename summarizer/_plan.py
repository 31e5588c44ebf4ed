"""Fitting an article to a model's context window: the output budget, and long articles briefed
in parts whose briefs are merged and checked against the whole article."""

from __future__ import annotations

import logging
import time

from ._briefing import Briefing, Draft, Job, Ledger, NoRoom, Policy, settle
from ._chunking import merge_briefs, split_article
from ._engines import ChatModel
from ._errors import BriefValidationError, ConfigurationError, ContextOverflowError, EngineError
from ._grounding import ground
from ._index import ArticleIndex
from ._result import BriefWarning, Result, WarningCode
from ._wire import model_view

log = logging.getLogger("summarizer")

# An article shorter than this is not worth cutting into parts for room to write in.
MIN_SPLIT_TOKENS = 400


def context_of(job: Job, model: ChatModel) -> int | None:
    """The context window: the server's word, else --context-tokens, else what is known."""
    return model.context_from_server or job.settings.context_tokens or model.context_tokens


def _room(job: Job, overhead: int, context: int) -> tuple[int, int]:
    """The output budget and the room left for the article. Never more output than fits: a
    small window gets a smaller output budget (down to 256 tokens) before the article is cut
    into smaller parts."""
    max_tokens = min(job.settings.max_tokens, max(256, context - overhead - 512))
    return max_tokens, context - max_tokens - overhead


def whole_budget(job: Job, model: ChatModel, art: ArticleIndex) -> int | None:
    """The output budget of one request for the whole article, or None where the article
    must be briefed in parts (for a request made ahead of time: the Batch API's)."""
    context = context_of(job, model)
    if not context:
        return job.settings.max_tokens
    max_tokens, budget = _room(job, job.overhead(model), context)
    fits = budget >= 256 and model.count_tokens(model_view(art)) <= budget
    return max_tokens if fits else None


async def brief_fitted(job: Job, model: ChatModel, article: str, policy: Policy) -> Result:
    """Brief an article, in parts if it does not fit the model's context. A server that says
    its context is smaller than assumed is taken at its word, once, and the article planned
    again (in parts, with less output) rather than failed. Parts and plans share the brief's
    deadline, and every request made is in the attempt log."""
    started = time.monotonic()
    try:
        return await _planned(job, model, article, policy, started)
    except ContextOverflowError as exc:
        assumed = context_of(job, model)
        if not exc.context_tokens or (assumed and exc.context_tokens >= assumed):
            raise
        model.context_from_server = exc.context_tokens
        log.info("the endpoint's context window is %d tokens, not %s: briefing again to fit",
                 exc.context_tokens, assumed)
        before = Ledger.of(exc)
    try:
        result = await _planned(job, model, article, policy, started)
    except (EngineError, BriefValidationError) as exc:
        (before + Ledger.of(exc)).stamp(exc)
        raise
    paid = before + Ledger.of_results([result])
    return result.model_copy(update={"meta": result.meta.model_copy(update=paid.meta())})


async def _planned(job: Job, model: ChatModel, article: str, policy: Policy,
                   started: float) -> Result:
    context = context_of(job, model)
    if not context:
        return await Briefing(job, model, policy, started, None).run(ArticleIndex(article))
    overhead = job.overhead(model)
    max_tokens, budget = _room(job, overhead, context)
    if budget < 256:
        raise ConfigurationError(
            f"a context of {context} tokens leaves no room for an article after the prompt "
            f"({overhead} tokens) and the output budget ({max_tokens}); "
            "raise --context-tokens or lower --max-tokens")
    # The article as sent, its sentences numbered; parts are counted without the numbers, in a
    # budget cut by the share they take of the whole.
    art = ArticleIndex(article)
    tokens = model.count_tokens(model_view(art))
    spent = Ledger()
    why = f"the article was longer than the model's context ({context} tokens)"
    if tokens <= budget:
        try:
            return await Briefing(job, model, policy, started, context).run(
                art, max_tokens, may_split=tokens >= MIN_SPLIT_TOKENS)
        except NoRoom as exc:  # halves leave the output the room half the article took
            spent, budget = Ledger.of(exc), tokens // 2 + 1
            why = (f"the model's brief did not fit beside the whole article in its context "
                   f"({context} tokens)")
            log.info("%s: briefing it in parts", why)
    plain = model.count_tokens(article)
    parts = split_article(article, max(1, budget * plain // max(tokens, 1)), model.count_tokens)
    results: list[Result] = []
    for part in parts:
        try:
            results.append(await Briefing(job, model, policy, started, context).run(
                ArticleIndex(part), max_tokens))
        except (EngineError, BriefValidationError) as exc:  # count the parts already paid
            (spent + Ledger.of_results(results) + Ledger.of(exc)).stamp(exc)
            raise
    return _merged(article, results, policy, spent + Ledger.of_results(results), started,
                   f"{why} and was briefed in {len(parts)} parts")


def _merged(article: str, results: list[Result], policy: Policy, paid: Ledger, started: float,
            why: str) -> Result:
    """The parts' briefs as one, checked against the whole text (not the parts) and settled
    by the policy like any brief."""
    merged = merge_briefs([r.brief for r in results])
    report = ground(merged, article)
    draft = Draft(merged.model_dump_json(), merged, report.problems, report)
    try:
        brief, warnings = settle(draft, article, policy,
                                 f"from {len(results)} parts (their merged brief)")
    except BriefValidationError as exc:
        paid.stamp(exc)
        raise
    if brief is not merged:
        report = ground(brief, article)
    return Result(brief=brief, meta=results[0].meta.model_copy(update={
        **paid.meta(), "latency_s": round(time.monotonic() - started, 4),
        "warnings": [BriefWarning(code=WarningCode.parts, message=why), *warnings,
                     *(w for r in results for w in r.meta.warnings)],
        "spans": report.spans,
    }))

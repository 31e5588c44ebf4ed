"""Soak: 500 briefs through FakeOpenAIServer with a mix of every fault. Every article ends as a
valid grounded brief or a typed error; nothing lost, nothing duplicated, requests within budget."""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter

import pytest

from summarizer import Result, Summarizer, SummarizerError, ground
from summarizer.testing import FakeOpenAIServer, Reply, default_content

from .conftest import EVAL, ROOT

N = 500
REASKS = 2
RETRIES = 3


def articles() -> list[str]:
    sources = [(ROOT / "examples" / "baghouz.txt").read_text(encoding="utf-8")]
    if (EVAL / "dev").is_dir():
        sources += [p.read_text(encoding="utf-8") for p in sorted((EVAL / "dev").glob("*.txt"))]
    out = []
    for i in range(N):
        paragraphs = [p for p in sources[i % len(sources)].split("\n\n") if p.strip()]
        # Distinct articles: a numbered lead, and a rotating selection of paragraphs.
        k = max(3, len(paragraphs) - i % 5)
        out.append(f"Report {i}.\n\n" + "\n\n".join(paragraphs[:k]))
    return out


def faulty(index: int, body: dict) -> Reply | None:
    rng = random.Random(index)
    roll = rng.random()
    if roll < 0.60:
        return None  # the default: a good brief
    fault = rng.choice(["429", "500", "hang", "reset", "malformed", "invalid", "ungrounded",
                        "truncated", "refusal"])
    if fault == "429":
        return Reply.rate_limited(retry_after=0)
    if fault == "500":
        return Reply.server_error(rng.choice([500, 502, 503]))
    if fault == "hang":
        return Reply.stall(5)
    if fault == "reset":
        return Reply.connection_reset()
    if fault == "malformed":
        return Reply.malformed_body()
    if fault == "invalid":
        return Reply.text('{"situation": 42, "actors": "nobody"}')
    if fault == "truncated":
        return Reply.truncated()
    if fault == "refusal":
        return Reply.refused("I can't help with that.")
    data = json.loads(default_content(body))
    data["numbers"].append({"value": 123457, "low": None, "high": None, "qualifier": "exact",
                            "counts": "people", "category": "killed", "attributed_to": None,
                            "evidence": data["situation"]})
    return Reply.json(data)


async def run_all(summarizer: Summarizer, texts: list[str]) -> dict[int, list[object]]:
    limit = asyncio.Semaphore(32)
    outcomes: dict[int, list[object]] = {i: [] for i in range(len(texts))}

    async def one(i: int) -> None:
        async with limit:
            try:
                outcomes[i].append(await summarizer.asummarize(texts[i]))
            except SummarizerError as exc:
                outcomes[i].append(exc)

    await asyncio.gather(*(one(i) for i in range(len(texts))))
    await summarizer.aclose()
    return outcomes


@pytest.mark.timeout(120)
@pytest.mark.parametrize("strict", [False, True])
def test_soak(strict: bool) -> None:
    texts = articles()
    assert len(set(texts)) == N
    with FakeOpenAIServer(responder=faulty) as server:
        summarizer = Summarizer(engine="openai", base_url=server.url, model="m", cache=False,
                                timeout=0.3, reasks=REASKS, transport_retries=RETRIES,
                                backoff=0.001, max_backoff=0.01, strict=strict)
        outcomes = asyncio.run(run_all(summarizer, texts))
    kinds: Counter[str] = Counter()
    successes = 0
    for i, got in outcomes.items():
        assert len(got) == 1, f"article {i} ended {len(got)} times"  # nothing lost or doubled
        [outcome] = got
        if isinstance(outcome, Result):
            successes += 1
            report = ground(outcome.brief, texts[i])
            assert report.ok, (i, report.problems)  # no brief with an ungrounded figure
            assert 123457 not in [n.value for n in outcome.brief.numbers]
            kinds["ok"] += 1
        else:
            assert isinstance(outcome, SummarizerError)
            kinds[type(outcome).__name__] += 1
    # Budget: at most 1 + REASKS + 1 (one longer-output retry) calls a brief, each at most
    # 1 + RETRIES requests.
    assert len(server.requests) <= N * (REASKS + 2) * (RETRIES + 1)
    assert len(server.requests) >= N
    assert successes >= N * 0.6
    assert set(kinds) <= {"ok", "RefusalError", "TruncatedOutputError", "TransportError",
                          "RequestTimeoutError",
                          "BriefValidationError"}
    assert kinds["RefusalError"] > 0

"""Throughput of the model-free engine: articles per second of ``extract()`` on one core.

Runs over every eval article (seed and dev), warms up, times several rounds and reports the median,
raw and normalised to 1,000-word articles. The last line is the result.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from summarizer._extractive import extract  # noqa: E402

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
ROUNDS = 9
BUDGET = 15.0  # seconds of CPU time at most


def rate(articles: list[str], budget: float) -> tuple[float, list[float]]:
    """Median articles per second of CPU time over up to ROUNDS rounds."""
    for a in articles:  # warm up: compile regexes, fill caches
        extract(a)
    rates: list[float] = []
    began = time.process_time()
    for _ in range(ROUNDS):
        t0 = time.process_time()
        for a in articles:
            extract(a)
        rates.append(len(articles) / (time.process_time() - t0))
        if time.process_time() - began > budget:
            break
    return statistics.median(rates), rates


def main() -> int:
    articles = [p.read_text(encoding="utf-8") for p in sorted(EVAL.glob("*/*.txt"))]
    if not articles:
        print(f"extractive: no articles under {EVAL}")
        return 1
    mean_words = sum(len(a.split()) for a in articles) / len(articles)
    median, rates = rate(articles, BUDGET)
    print(f"articles: {len(articles)}; rounds: {len(rates)}; "
          f"rates: {', '.join(f'{r:.0f}' for r in rates)}")
    # The articles of about 1,000 words themselves, measured directly as a check on the scaling.
    long = [a for a in articles if 900 <= len(a.split()) <= 1100]
    if long:
        long_rate, _ = rate(long * 5, BUDGET / 3)
        words = sum(len(a.split()) for a in long) / len(long)
        print(f"{len(long)} articles of ~1,000 words (mean {words:.0f}): {long_rate:.0f}/s")
    print(f"extractive: {median:.0f} articles/s on 1 core (mean {mean_words:.0f} words; "
          f"{median * mean_words / 1000:.0f}/s normalised to 1,000 words)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

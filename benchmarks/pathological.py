"""The worst case of pathological input: seconds to brief each text of ``pathological_texts``
(100 KB each) with the extractive engine, through ``summarize()`` (extraction and grounding).

The last line is the result: the slowest case, which should stay under 2 s.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from summarizer import summarize  # noqa: E402
from summarizer.testing import pathological_texts  # noqa: E402

SIZE = 100_000


def main() -> int:
    times = {}
    for name, text in pathological_texts(SIZE).items():
        started = time.process_time()
        summarize(text, engine="extractive")
        times[name] = time.process_time() - started
    slowest = sorted(times, key=times.get, reverse=True)  # type: ignore[arg-type]
    print("slowest five: " + ", ".join(f"{n} {times[n]:.2f} s" for n in slowest[:5]))
    print(f"pathological: worst case {times[slowest[0]]:.2f} s ({slowest[0]}, "
          f"{SIZE // 1000} KB; {len(times)} texts, {sum(times.values()):.1f} s in all)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

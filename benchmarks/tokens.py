"""Tokens a brief costs, before and after evidence by reference, counted with the bundled model's
tokenizer (SmolLM2, through llama.cpp).

- Output: the 13 extractive briefs of ../shared/eval written as a model had to write them before
  (the brief's JSON, every evidence copied) and as the wire schema asks now (evidence as sentence
  numbers, short names, defaults left out).
- Fixed prompt overhead: everything a request carries but the article's own words: the system
  prompt, the user template's markers, the schema, and now the sentence numbers. Before: the
  prompts of version 2026-11-30.1 (``benchmarks/baseline/``) and the brief's full schema.

With ``--local`` it also briefs the seed article with the local engine (SmolLM2-135M, one
request each, no re-ask) in both forms: generated tokens and seconds a brief.

Run: python benchmarks/tokens.py [--local]
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from string import Template
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the checkout's package, installed or not

from summarizer._extractive import extract  # noqa: E402
from summarizer._parse import build_messages  # noqa: E402
from summarizer._prompts import compact, load_prompts, model_schema  # noqa: E402
from summarizer._text import estimate_tokens  # noqa: E402
from summarizer._wire import numbered, wire_form, wire_schema  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
BASELINE = Path(__file__).resolve().parent / "baseline"
SEED = ROOT / "examples" / "baghouz.txt"


def tokenizer() -> tuple[str, Callable[[str], int]]:
    """The bundled model's tokenizer if llama.cpp is installed, else the 4-characters estimate."""
    try:
        import llama_cpp

        from summarizer._engines._local import default_model_path

        model = llama_cpp.Llama(str(default_model_path()), vocab_only=True, verbose=False)
        return "SmolLM2 tokenizer", lambda text: len(model.tokenize(text.encode(), add_bos=False))
    except Exception:  # noqa: BLE001 - fall back, and say so on the output line
        return "estimate (4 chars/token)", estimate_tokens


def before_messages(article: str) -> tuple[dict[str, str], ...]:
    """The first request as version 2026-11-30.1 made it: the article as written."""
    system = (BASELINE / "system.md").read_text(encoding="utf-8")
    user = Template((BASELINE / "user.md").read_text(encoding="utf-8")).substitute(article=article)
    return {"role": "system", "content": system}, {"role": "user", "content": user}


def overheads(count: Callable[[str], int], articles: list[str]) -> tuple[float, float]:
    """Fixed prompt tokens a request, before and after (the numbers' mean over the articles)."""
    was = sum(count(m["content"]) for m in before_messages("")) + count(compact(model_schema()))
    parts = {"system prompt": count(build_messages(load_prompts(), "")[0]["content"]),
             "user template (markers)": count(build_messages(load_prompts(), "")[1]["content"]),
             "wire schema (compact)": count(compact(wire_schema())),
             "sentence numbers (mean)": statistics.mean(
                 count(numbered(a)) - count(a) for a in articles)}
    for part, tokens in parts.items():
        print(f"{part:<26} {tokens:>6.0f} tokens")
    return was, sum(parts.values())


def outputs(count: Callable[[str], int], articles: list[str]) -> tuple[float, float]:
    """Output tokens a brief, before (the brief's JSON) and after (the wire form)."""
    full, wire = [], []
    for text in articles:
        brief = extract(text)
        full.append(count(brief.model_dump_json()))
        wire.append(count(compact(wire_form(brief, text))))
    return statistics.mean(full), statistics.mean(wire)


def local_seed() -> None:
    """The local engine on the seed article, one request in each form."""
    import asyncio

    from summarizer._engines import ChatRequest
    from summarizer._engines._local import LocalEngine

    engine = LocalEngine.shared()
    article = SEED.read_text(encoding="utf-8")
    forms: dict[str, tuple[Any, dict[str, Any]]] = {
        "before": (before_messages(article), model_schema()),
        "after": (build_messages(load_prompts(), article), wire_schema()),
    }
    for name, (messages, schema) in forms.items():
        request = ChatRequest(messages=messages, schema=schema, max_tokens=2048)
        started = time.perf_counter()
        reply = asyncio.run(engine.complete(request))
        seconds = time.perf_counter() - started
        print(f"local seed {name}: {reply.usage.prompt_tokens} prompt tokens, "
              f"{reply.usage.completion_tokens} generated ({reply.finish_reason}), {seconds:.1f} s")


def main() -> None:
    name, count = tokenizer()
    articles = [p.read_text(encoding="utf-8") for p in sorted(EVAL.rglob("*.txt"))] or [
        SEED.read_text(encoding="utf-8")]
    was, now = overheads(count, articles)
    full, wire = outputs(count, articles)
    print(f"article (mean) {statistics.mean(count(a) for a in articles):.0f} tokens; "
          f"{len(articles)} articles; {name}")
    if "--local" in sys.argv[1:]:
        local_seed()
    print(f"output tokens a brief {wire:.0f} (was {full:.0f}, ratio {wire / full:.2f}); "
          f"prompt overhead {now:.0f} tokens (was {was:.0f})")


if __name__ == "__main__":
    main()

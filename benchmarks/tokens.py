"""Prompt tokens sent per brief (system + schema + article), counted with the bundled model's
tokenizer (SmolLM2, through llama.cpp), and the share that is not the article.

Run: python benchmarks/tokens.py
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from pathlib import Path

from summarizer._parse import build_messages
from summarizer._prompts import compact, load_prompts, model_schema
from summarizer._text import estimate_tokens

HERE = Path(__file__).resolve().parent
EVAL = HERE.parent.parent / "shared" / "eval"


def tokenizer() -> tuple[str, Callable[[str], int]]:
    """The bundled model's tokenizer if llama.cpp is installed, else the 4-characters estimate."""
    try:
        import llama_cpp

        from summarizer._engines._local import default_model_path

        model = llama_cpp.Llama(str(default_model_path()), vocab_only=True, verbose=False)
        return "SmolLM2 tokenizer", lambda text: len(model.tokenize(text.encode(), add_bos=False))
    except Exception:  # noqa: BLE001 - fall back, and say so on the output line
        return "estimate (4 chars/token)", estimate_tokens


def main() -> None:
    name, count = tokenizer()
    prompts = load_prompts()
    articles = [p.read_text(encoding="utf-8") for p in sorted(EVAL.rglob("*.txt"))] or [
        (HERE.parent / "examples" / "baghouz.txt").read_text(encoding="utf-8")]
    system, template = build_messages(prompts, "")
    fixed = {"system prompt": count(system["content"]),
             "user template (markers)": count(template["content"]),
             "JSON schema (compact)": count(compact(model_schema()))}
    overhead = sum(fixed.values())
    shares = []
    for text in articles:
        shares.append(overhead / (overhead + count(text)))
    words = statistics.mean(len(t.split()) for t in articles)
    article_tokens = statistics.mean(count(t) for t in articles)
    for part, tokens in fixed.items():
        print(f"{part:<26} {tokens:>6} tokens")
    print(f"{'article (mean)':<26} {article_tokens:>6.0f} tokens ({words:.0f} words)")
    print(f"tokens: {overhead + article_tokens:.0f} prompt tokens per brief, "
          f"{statistics.mean(shares):.0%} of them not the article "
          f"({overhead} fixed; {name}; mean of {len(articles)} articles)")


if __name__ == "__main__":
    main()

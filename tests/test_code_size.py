"""The code stays in rooms of a readable size (issue #13, STYLE.md): no module of rules over
500 lines (data modules, word lists and vocabularies, are exempt), no function over 60 lines.
Complexity is ruff's C901, run by `make test` with the lint."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "summarizer"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
# Data, not rules: vocabularies and word lists keyed by what they feed.
DATA_MODULES = {"_lexicon.py", "_gazetteer.py"}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_no_module_of_rules_over_500_lines() -> None:
    long = {str(p.relative_to(PACKAGE)): n for p in modules()
            if p.name not in DATA_MODULES
            and (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_no_function_over_60_lines() -> None:
    long = {}
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}"] = lines
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"

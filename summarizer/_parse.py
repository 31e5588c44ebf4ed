"""Between the pipeline and a model's text: the article checked as input, the messages sent, and
the reply read back as a brief (or as what is wrong with it, in words a model can act on)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pydantic

from ._brief import Brief
from ._errors import InputError
from ._grounding import Problem
from ._index import ArticleIndex
from ._prompts import Prompts
from ._result import BriefWarning, WarningCode
from ._text import clean_input
from ._wire import model_view, numbered, resolve, wire_words


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


def build_messages(prompts: Prompts, article: str | ArticleIndex) -> tuple[dict[str, str], ...]:
    """The first request: system rules, then the article as delimited data, its sentences
    numbered (an index numbers it once for every use)."""
    view = model_view(article) if isinstance(article, ArticleIndex) else numbered(article)
    return (
        {"role": "system", "content": prompts.render("system")},
        {"role": "user", "content": prompts.render("user", article=view)},
    )


def reask_messages(
    prompts: Prompts, first: tuple[dict[str, str], ...], output: str, problems: list[str]
) -> tuple[dict[str, str], ...]:
    """A new message list (the caller's is never touched): the original request, the last
    output and its problems. Earlier failed attempts are not carried, so the context stays bounded."""
    listing = "\n".join(f"- {wire_words(p)}" for p in problems)
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


def parse_brief(text: str, art: ArticleIndex) -> tuple[Brief | None, list[Problem]]:
    """Parse a reply, read its evidence as the article's sentences (it may cite them by number)
    and validate it against the schema; problems are phrased for the model to fix."""
    try:
        data = extract_json(text)
    except ValueError as exc:
        return None, [Problem("brief", f"{exc}: '{text.strip()[:80]}'", "json")]
    cited = resolve(data, art)  # reported by grounding if the rest is valid
    try:
        return Brief.model_validate(data), []
    except pydantic.ValidationError as exc:
        return None, cited + [_schema_problem(err["loc"], err["msg"])
                              for err in exc.errors()[:20]]


def _schema_problem(loc: tuple[Any, ...], message: str) -> Problem:
    """A schema error as a problem: ("numbers", 2, "value") is numbers[2].value."""
    at = next((i for i, part in enumerate(loc) if isinstance(part, int)), None)
    if at is None:
        return Problem(".".join(map(str, loc)) or "brief", message, "schema")
    return Problem(".".join(map(str, loc[:at])), message, "schema", index=loc[at],
                   attribute=".".join(map(str, loc[at + 1:])) or None)


# Lists whose items a lenient brief can do without, and where they sit in the brief.
_LISTS = {("actors",), ("numbers",), ("where",), ("outlook", "signals")}


def salvage_brief(text: str, art: ArticleIndex) -> tuple[Brief | None, list[BriefWarning]]:
    """Lenient, when re-asks are spent: the reply without the list items (a figure, an actor,
    an expectation) that fail the schema, if the rest is a valid brief; and what was dropped.
    One malformed figure (both a value and a range, as models under a grammar often give)
    then costs that figure, not the model's whole brief."""
    try:
        data = extract_json(text)
    except ValueError:
        return None, []
    resolve(data, art)  # an item cited wrongly is dropped by its check
    dropped: list[BriefWarning] = []
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
                where = _path(loc[:at + 1])
                dropped.append(BriefWarning(code=WarningCode.dropped, path=where,
                                            message=f"dropped {where}: invalid ({err['msg']})"))
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

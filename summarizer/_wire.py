"""Evidence by reference: the model reads the article with its sentences numbered, one a line
("3| The army said ..."), and cites evidence by number; the program copies the sentences.

The numbering, its marker, and the compact schema the model answers in (the *wire* schema) live
here and nowhere else. A reply may still quote text: evidence on the wire is sentence numbers or a
verbatim quote, and either becomes the article's own words before the brief is validated, so
``Brief`` and everything after it never see a sentence number.
"""

from __future__ import annotations

import re
from typing import Any

from ._brief import ActorKind, Brief, NumberCategory, Qualifier
from ._grounding import UNRESOLVED, Problem
from ._index import ArticleIndex, written_plainly
from ._numbers import values_in
from ._text import sentences

Span = tuple[int, int]


def marker(n: int) -> str:
    """How sentence n is marked in the article the model reads: at the start of its line."""
    return f"{n}| "


_MARKED = re.compile(r"(\d{1,5})\| ", re.M)
_QUOTED_MARKER = re.compile(r"(?m)^\s*\d{1,5}\| ")
# In evidence that cites by number as text ("4", "[4]", "4, 5", "4-6", "30."): the numbers,
# and the ranges among them.
_NUMBER_OR_RANGE = re.compile(r"(\d+)(?:\s*[-\u2013]\s*(\d+))?")
_AND = re.compile(r"\band\b")  # "4 and 5" is numbers only
MAX_CITED = 50  # sentences one item may cite; a range of more is not a citation
MAX_RUN = 3  # consecutive sentences one evidence may span; a longer run is cut into such parts


def numbered(text: str, spans: list[Span] | None = None) -> str:
    """The article as the model reads it: one sentence a line, after its number ("1| ..."),
    a blank line between paragraphs. The article's own words are unchanged; only the white
    space between and within sentences is."""
    out: list[str] = []
    end = 0
    for n, (start, stop) in enumerate(sentences(text) if spans is None else spans, 1):
        if n > 1:
            out.append("\n\n" if "\n" in text[end:start] else "\n")
        out += (marker(n), " ".join(text[start:stop].split("\n")))
        end = stop
    return "".join(out)


def model_view(art: ArticleIndex) -> str:
    """The article of an index as the model reads it, numbered once: the plan counts it, the
    request sends it, and citations are read against the same sentences."""
    if art.model_view is None:
        art.model_view = numbered(art.text, art.numbered())
    return art.model_view


def read_numbered(text: str) -> tuple[str, list[Span]]:
    """The other side of :func:`numbered`, as a model (or a fake of one) reads it: the article
    (sentences of a paragraph joined by a space, paragraphs by a blank line) and where each
    numbered sentence stands in it."""
    out: list[str] = []
    spans: list[Span] = []
    size, gap = 0, ""
    for line in text.split("\n"):
        m = _MARKED.match(line)
        if not m:
            gap = "\n\n" if out else ""  # a blank line: the next sentence opens a paragraph
            continue
        sentence = line[m.end():].rstrip()
        size += len(gap)
        out += (gap, sentence)
        spans.append((size, size + len(sentence)))
        size += len(sentence)
        gap = " "
    return "".join(out), spans


def resolve(data: Any, art: ArticleIndex) -> list[Problem]:
    """Read a reply's parsed JSON, in place, as the brief's: evidence given as sentence numbers
    becomes those sentences of the article, the wire's short names the brief's, and the nulls a
    strict schema made the model write go where the brief has another default. An item whose
    citation cannot be read keeps a stand-in that grounding reports as the problem returned
    here (for a reply that fails the schema, and is not grounded)."""
    if not isinstance(data, dict):
        return []
    _drop_nulls(data, ("where", "actors", "numbers"))
    outlook = data.get("outlook")
    if isinstance(outlook, dict):
        _drop_nulls(outlook, ("signals",))
    problems: list[Problem] = []
    for field, items in (("actors", data.get("actors")), ("numbers", data.get("numbers")),
                         ("outlook.signals",
                          outlook.get("signals") if isinstance(outlook, dict) else None)):
        for i, item in enumerate(items if isinstance(items, list) else ()):
            if not isinstance(item, dict):
                continue
            _long_names(item)
            if "evidence" not in item:
                continue
            item["evidence"], why = _evidence(item["evidence"], item if field == "numbers" else
                                              None, art)
            if why:
                problems.append(Problem(field, why, "evidence", index=i, attribute="evidence"))
    return problems


def _long_names(item: dict[str, Any]) -> None:
    """An item's wire names as the brief's, in place."""
    for short, long in _LONG_KEYS.items():
        if short in item and long not in item:
            item[long] = item.pop(short)
    for key in _ENUM_FIELDS:
        value = item.get(key)
        if isinstance(value, str) and value in _LONG_VALUES:
            item[key] = _LONG_VALUES[value]
    _drop_nulls(item, ("qualifier",))


def _drop_nulls(item: dict[str, Any], keys: tuple[str, ...]) -> None:
    for key in keys:
        if key in item and item[key] is None:
            del item[key]


def _evidence(given: Any, figure: dict[str, Any] | None, art: ArticleIndex
              ) -> tuple[Any, str | None]:
    """One item's evidence as the article's words, and what is wrong with it if anything."""
    if type(given) is list and len(given) == 1 and type(given[0]) is int:  # the usual: [7]
        spans = art.numbered()
        if 0 < given[0] <= len(spans):
            return art.cited(*spans[given[0] - 1]), None
    if isinstance(given, str):
        if not _cites(given, art.text):  # a quote
            return _QUOTED_MARKER.sub("", given) if "| " in given else given, None
        cited = _numbers_in(given)
    elif type(given) is int:  # not a bool, whose type is bool
        cited = [given]
    elif isinstance(given, list) and all(type(n) is int for n in given):
        cited = given[:MAX_CITED]
    else:
        return _unresolved("give the evidence as the numbers of the sentences that state it, "
                           "as [4] or [4, 5]")
    if not cited:
        return _unresolved("no sentence cited: give the number of the sentence that states it")
    spans = art.numbered()  # split when first needed: a reply that quotes needs no sentences
    missing = next((n for n in cited if not 1 <= n <= len(spans)), None)
    if missing is not None:
        return _unresolved(f"sentence {missing} does not exist; the article has {len(spans)} "
                           "sentences")
    parts = [art.cited(spans[a - 1][0], spans[b - 1][1]) for a, b in _runs(cited)]
    if figure is not None and len(parts) > 1:  # the part that states the figure, where one does
        return next((p for p in parts if _states(p, figure)), parts[0]), None
    return parts[0], None


def _cites(given: str, article: str) -> bool:
    """Whether evidence written as text cites sentences by number ("4", "[4]", "4, 5", "4-6",
    "30."): short, no letter, and not the article's own words (a figure's line of a table, or
    the extractive engine's quote of one, is a quote)."""
    if len(given) > 30 or any(c.isalpha() for c in _AND.sub("", given)):
        return False
    words = given.strip()
    return not re.search(r"(?<![\w.,])" + re.escape(words) + r"(?!\w)", article) if words else True


def _numbers_in(text: str) -> list[int]:
    """The sentence numbers a text with no letter gives ("4-6" is 4, 5 and 6)."""
    cited: list[int] = []
    for m in _NUMBER_OR_RANGE.finditer(text):
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) else first
        cited += range(first, last + 1) if 0 <= last - first < MAX_CITED else [first, last]
    return cited[:MAX_CITED]


def _unresolved(why: str) -> tuple[str, str]:
    """A stand-in for evidence whose citation cannot be read, which grounding reports as why."""
    return UNRESOLVED + why, why


def _runs(cited: list[int]) -> list[Span]:
    """Cited sentence numbers as runs of consecutive ones, first (lowest) first, none longer than
    MAX_RUN: "[7, 3, 4]" is 3-4, then 7."""
    runs: list[Span] = []
    for n in sorted(set(cited)):
        if runs and runs[-1][1] == n - 1 and n - runs[-1][0] < MAX_RUN:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def _states(text: str, figure: dict[str, Any]) -> bool:
    """True if a text states the figure's value (or its range's low end)."""
    value = figure.get("value") if figure.get("value") is not None else figure.get("low")
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    return written_plainly(text, value) or any(abs(value - v) < 1e-9 for v in values_in(text))


# --- the wire schema -------------------------------------------------------------------------

# The wire's short names for the brief's (fewer tokens in the schema and in every reply); a
# reply in the brief's own names is read as well.
_SHORT_VALUES = {
    ActorKind.non_state_armed_group.value: "armed_group",
    ActorKind.international_org.value: "intl_org",
    ActorKind.analyst_or_monitor.value: "monitor",
    NumberCategory.displaced_or_fled.value: "displaced",
    NumberCategory.troops_or_fighters.value: "troops",
    NumberCategory.vehicles_or_equipment.value: "equipment",
    Qualifier.approximately.value: "about",
}
_LONG_VALUES = {short: long for long, short in _SHORT_VALUES.items()}
_ENUM_FIELDS = ("kind", "category", "qualifier")
_SHORT_KEYS = {"attributed_to": "source"}
_LONG_KEYS = {short: long for long, short in _SHORT_KEYS.items()}


def wire_schema() -> dict[str, Any]:
    """What the model must decide, compactly: the brief's schema with its definitions inlined,
    evidence as sentence numbers, the wire's short names, optional fields left out of
    ``required`` (not sent as null), and no titles, defaults or descriptions (the system prompt
    says what a field means) nor types the structure says (an object has properties, an array
    items). :func:`strict_form` is the same for servers whose structured-output mode needs every
    field and type."""
    full = Brief.model_json_schema()
    defs = full.pop("$defs", {})

    def clean(node: Any, name: str = "") -> Any:
        if "$ref" in node:
            return clean(defs[node["$ref"].rsplit("/", 1)[-1]], name)
        if name == "evidence":
            return {"items": {"type": "integer"}}
        union = [u for u in node.get("anyOf", ()) if u != {"type": "null"}]
        if union:  # an optional value: its type, the field left out when there is none
            kinds = [u["type"] for u in union]
            node = {"type": "number" if "number" in kinds else kinds[0]}
        out: dict[str, Any] = {}
        if "properties" in node:
            out["properties"] = {_SHORT_KEYS.get(k, k): clean(v, k)
                                 for k, v in node["properties"].items()}
            out["required"] = [_SHORT_KEYS.get(k, k) for k in node.get("required", ())]
        elif "items" in node:
            out["items"] = clean(node["items"])
        elif "enum" in node:
            out["enum"] = [_SHORT_VALUES.get(v, v) for v in node["enum"]]
        else:
            out["type"] = node["type"]
        return out

    result: dict[str, Any] = clean(full)
    return result


def strict_form(schema: dict[str, Any]) -> dict[str, Any]:
    """The wire schema as strict structured outputs (OpenAI's) take it: every property required,
    the optional ones nullable, no other keys allowed."""

    def strict(node: Any) -> Any:
        if isinstance(node, list):
            return [strict(v) for v in node]
        if not isinstance(node, dict):
            return node
        out = {k: strict(v) for k, v in node.items()}
        if "items" in out:
            out["type"] = "array"
        if "properties" in out:
            out["type"] = "object"
            required = set(out.get("required", ()))
            for key, prop in out["properties"].items():
                if key not in required:
                    out["properties"][key] = _nullable(prop)
            out["required"] = list(out["properties"])
            out["additionalProperties"] = False
        return out

    result: dict[str, Any] = strict(schema)
    return result


def _nullable(prop: dict[str, Any]) -> dict[str, Any]:
    if "enum" in prop:
        return {**prop, "enum": [*prop["enum"], None]}
    kind = prop.get("type")
    return {**prop, "type": [*kind, "null"] if isinstance(kind, list) else [kind, "null"]}


def wire_form(brief: Brief, text: str, spans: list[Span] | None = None) -> dict[str, Any]:
    """A brief as a model following the wire schema would write it: evidence cited by the
    numbers of the sentences it stands in, the wire's names, defaults left out. For the fakes
    and the benchmarks; evidence not found in ``text`` stays quoted."""
    spans = sentences(text) if spans is None else spans
    data = brief.model_dump(mode="json", exclude_defaults=True)
    for item in [*data.get("actors", ()), *data.get("numbers", ()),
                 *data.get("outlook", {}).get("signals", ())]:
        at = text.find(item["evidence"])
        if at >= 0:
            end = at + len(item["evidence"])
            item["evidence"] = [n for n, (s, e) in enumerate(spans, 1) if s < end and at < e]
        for long, short in _SHORT_KEYS.items():
            if long in item:
                item[short] = item.pop(long)
        for key in _ENUM_FIELDS:
            if key in item:
                item[key] = _SHORT_VALUES.get(item[key], item[key])
    return data


# The brief's names that a problem's message may use, as the wire names them: what the model
# was asked for. (Only names no article writes: "approximately" is left as it stands.)
_WIRE_NAMES = {k: v for k, v in {**_SHORT_VALUES, **_SHORT_KEYS}.items() if "_" in k}
_BRIEF_NAME = re.compile(r"\b(?:" + "|".join(sorted(_WIRE_NAMES, key=len, reverse=True)) + r")\b")


def wire_words(message: str) -> str:
    """A problem's message in the words of the wire schema the model answers in."""
    return _BRIEF_NAME.sub(lambda m: _WIRE_NAMES[m.group()], message)

"""The number forms the engines rely on."""

from __future__ import annotations

import re

import pytest

from summarizer._brief import Qualifier
from summarizer._numbers import find_mentions, has_vague_quantity, parse_one, values_in


@pytest.mark.parametrize(
    ("token", "value"),
    [("1,500", 1500), ("1.5 million", 1_500_000), ("20,000", 20000), ("five", 5), ("13", 13),
     ("twenty-one", 21)],
)
def test_parse_one(token: str, value: float) -> None:
    assert parse_one(token) == value


def test_range_with_to() -> None:
    (m,) = [m for m in find_mentions("The SDF believes 400 to 600 jihadists remain.") if m.low]
    assert (m.low, m.high) == (400, 600)


def test_range_with_between() -> None:
    (m,) = find_mentions("between 500 and 700 militants")
    assert (m.low, m.high, m.value) == (500, 700, None)


def test_and_without_between_is_two_figures() -> None:
    assert values_in("5 attackers and 6 fighters") == {5, 6}


def test_hundreds_is_vague_and_approximately() -> None:
    (m,) = find_mentions("Hundreds of civilians fled.")
    assert m.value is None and m.qualifier is Qualifier.approximately
    assert has_vague_quantity("hundreds of civilians")


@pytest.mark.parametrize(("text", "bound"), [
    ("Around 1,500 civilians had fled", "approximately"),
    ("1,500 civilians had fled", "exact"),
    ("at least 3,545 noncombatants died", "at_least"),
    ("more than 20,000 civilians", "at_least"),
    ("over 3,000 students", "at_least"),
    ("upwards of 400 fighters", "at_least"),
    ("40 or more people", "at_least"),
    ("up to 200 troops", "at_most"),
    ("as many as 40 people", "at_most"),
    ("the toll could rise to as high as 40", "at_most"),
    ("no more than 12 boats", "at_most"),
    ("no fewer than 12 boats", "at_least"),
    ("some 30,000 people", "approximately"),
    ("nearly 59,000 deaths", "approximately"),
    ("almost 60 villages", "approximately"),
    ("an estimated 400,000 lives", "approximately"),
    ("roughly 70 vehicles", "approximately"),
    ("killed two dozen people", "approximately"),
    ("between 500 and 700 militants", "exact"),
])
def test_bound_words_set_the_qualifier(text: str, bound: str) -> None:
    (m,) = find_mentions(text)
    assert m.qualifier is Qualifier(bound)


def test_bound_words_are_no_vague_quantity() -> None:
    assert [(m.value, m.qualifier) for m in find_mentions("killed as many as 20 people")] == [
        (20, Qualifier.at_most)]


def test_dozens_and_hyphenated_words() -> None:
    assert values_in("killed two dozen people and a dozen soldiers") == {24, 12}
    assert values_in("twenty-one thousand people") == {21_000}


def test_words_and_scales_in_text() -> None:
    assert values_in("displaced 2.1 million people and twenty-one died") == {2_100_000, 21}


def _reference(text: str) -> list[tuple[int, int, str]]:
    """find_mentions as ``finditer`` over every offset would find them (the old, slow way)."""
    from summarizer._numbers import _RANGE, _SINGLE, _VAGUE, parse_one

    taken: list[tuple[int, int]] = []
    out = []
    for rx in (_RANGE, _SINGLE, _VAGUE):
        for m in rx.finditer(text):
            if rx is _RANGE:
                low, high = parse_one(m.group("low")), parse_one(m.group("high"))
                sep = text[m.end("low"):m.start("high")].strip().lower()
                if low is None or high is None or not low < high or (
                        sep == "and" and not m.group().lower().startswith("between")):
                    continue
            elif any(not (m.end() <= a or m.start() >= b) for a, b in taken) or (
                    rx is _SINGLE and _glued_or_unparsed(m, text)):
                continue
            taken.append((m.start(), m.end()))
            out.append((m.start(), m.end(), m.group()))
    return sorted(out)


def _glued_or_unparsed(m: re.Match[str], text: str) -> bool:
    """A single figure that is no figure, or one glued to a letter ("5k" and "10s" aside)."""
    return parse_one(m.group()) is None or bool(m.start() and text[m.start() - 1].isalpha()) or (
        m.end() < len(text) and text[m.end()].isalpha() and text[m.end()] not in "sk")


@pytest.mark.parametrize("text", [
    "inbetween 5 and 6 people", "Between five and six", "1,2345 and 12m or 3k", "F-16s and 2 jets",
    "twenty-one to thirty fighters", "a dozen or so, A few, tens of thousands", "seven7 one1 x1",
    "between 400 and 600 thousand", "about 1,500 to 2,000 fled; several hundred stayed",
])
def test_candidate_scan_matches_full_scan(text: str) -> None:
    assert [(m.start, m.end, m.text) for m in find_mentions(text)] == _reference(text)


@pytest.mark.parametrize("text", [
    "One TWO a A dozens Hundreds tens twentyone x1two _one one\u00e9 \u00e9one",
    "\u0130one \u212aone \u017feven Several between Between1 2 and 3",
    "Some 1,500 to 2,000 people fled; three were killed, TEN wounded.",
])
def test_candidate_words_are_whole_words_in_any_case(text: str) -> None:
    import re

    from summarizer._numbers import _FIRST_WORDS, _VAGUE_FIRST, _candidates

    tokens = [(m.start(), m.group().lower()) for m in re.finditer(r"[A-Za-z]+", text)]
    _, words, vague, _ = _candidates(text)
    assert words == [at for at, w in tokens if w in _FIRST_WORDS]
    assert vague == [at for at, w in tokens if w in _VAGUE_FIRST]

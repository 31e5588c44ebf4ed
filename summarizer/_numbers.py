"""Finding the figures a text states: digits, words, scales, ranges and vague quantities."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from ._brief import BOUND_WORDS, BOUND_WORDS_AFTER, Qualifier
from ._text import ASCII_LOWER, alternation, has_case_trap

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "a dozen": 12, "dozen": 12,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_SCALES = {
    "hundred": 100, "thousand": 1_000, "million": 1_000_000, "mln": 1_000_000, "m": 1_000_000,
    "billion": 1_000_000_000, "bn": 1_000_000_000, "k": 1_000, "dozen": 12,
}
# Plural scale words with no figure ("hundreds of civilians") are vague: approximately, no value.
VAGUE = ("dozens", "scores", "hundreds", "thousands", "tens of thousands", "hundreds of thousands",
         "millions", "several", "many", "a few", "numerous", "countless")
# Only ever tested for a match, so the words form one prefix tree (tried a character at a time
# at each offset) rather than a list of alternatives tried one by one. The group's name says
# which qualifier its words set. The lookbehind stands first: inside a word it fails at once,
# so only the starts of words try the tree (three times faster than the check after the first
# character that alternation's not_after places).
_BOUND_BEFORE = re.compile(
    "(?<![a-z])(?:" + "|".join(
        rf"(?P<{q.value}>{alternation(words)})" for q, words in BOUND_WORDS.items()
    ) + r")\s*$",
    re.IGNORECASE,
)
_BOUND_LONGEST = max(len(w) for words in BOUND_WORDS.values() for w in words)
_BOUND_AS = re.compile(r"\s+as\b", re.IGNORECASE)
_BOUND_AFTER = re.compile(
    r"^\s*(?:" + "|".join(
        rf"(?P<{q.value}>{alternation(words)})" for q, words in BOUND_WORDS_AFTER.items()
    ) + r")(?![a-z])|^-odd\b",
    re.IGNORECASE,
)

_word_number = (
    r"(?:(?:" + "|".join(_TENS) + r")(?:[-\s](?:one|two|three|four|five|six|seven|eight|nine))?|"
    + "|".join(sorted((k for k in _UNITS if " " not in k and k != "dozen"), key=len, reverse=True))
    + r"|a dozen|a(?=\s+(?:hundred|thousand|million)\b))"  # "a hundred"
)
# Bounded, and never a part of a longer run of digits: a figure has at most 15 digits, and a
# pattern that may not backtrack far keeps a scan linear in the text, whatever it holds.
_DIGITS = r"(?:\d{1,3}(?:,\d{3}){1,5}|\d{1,15})(?:\.\d{1,15})?(?!\d)"
_SCALE = r"(?:\s*(?:hundred|thousand|million|billion|mln|bn)\b|(?<=\d)(?:k|m|bn)\b)"
_ONE = (rf"(?:(?:{_DIGITS}){_SCALE}?|"
        rf"\b{_word_number}\b(?:\s+(?:hundred|thousand|million|dozen)\b)?)")
_RANGE = re.compile(
    rf"(?:between\s+)?(?P<low>{_ONE})\s*(?:to|and|-|\u2013|\u2014|or)\s*(?P<high>{_ONE})",
    re.IGNORECASE,
)
_SINGLE = re.compile(_ONE, re.IGNORECASE)
_DIGITS_SCALE = re.compile(rf"({_DIGITS})\s*(hundred|thousand|million|billion|mln|bn|k|m)?")
_WORDS_SCALE = re.compile(r"(.+?)(?:\s+(hundred|thousand|million|dozen))?")  # "twenty thousand"
_WORD_PARTS = re.compile(r"[-\s]+")
_VAGUE = re.compile(
    r"\b(?:" + "|".join(re.escape(v) for v in sorted(VAGUE, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)


class Mention(NamedTuple):
    """A figure found in a text, with its offsets. (A named tuple: made for every figure of
    every sentence read, and a frozen dataclass is several times slower to make.)"""

    start: int
    end: int
    text: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    qualifier: Qualifier = Qualifier.exact

    @property
    def values(self) -> tuple[float, ...]:
        """Every value this mention states (one, or both ends of a range)."""
        if self.value is not None:
            return (self.value,)
        if self.low is not None and self.high is not None:
            return (self.low, self.high)
        return ()


def parse_one(token: str) -> float | None:
    """The value of one figure: '1,500', '1.5 million', 'five', 'twenty-one', '20k'."""
    if token.isdecimal() and len(token) <= 15:  # plain digits, the usual case: as _DIGITS reads
        return float(token)
    t = token.strip().lower().replace("\u2011", "-")
    m = _DIGITS_SCALE.fullmatch(t)
    if m:
        number = float(m.group(1).replace(",", ""))
        return number * _SCALES[m.group(2)] if m.group(2) else number
    if t in _UNITS:  # "a dozen"
        return _UNITS[t]
    m = _WORDS_SCALE.fullmatch(t)
    if not m:
        return None
    words, scale = m.group(1), m.group(2)
    base: float | None
    if words == "a" and scale:  # "a hundred"
        base = 1
    elif words in _UNITS:
        base = _UNITS[words]
    else:
        parts = _WORD_PARTS.split(words)
        if parts[0] not in _TENS:
            return None
        base = _TENS[parts[0]] + (_UNITS.get(parts[1], 0) if len(parts) > 1 else 0)
    return base * _SCALES[scale] if scale else base


def find_mentions(text: str) -> list[Mention]:
    """Every figure in the text, ranges first, then single figures and vague quantities."""
    taken = bytearray(len(text))  # 1 where a figure already claims the character
    digits, words, vague, between = _candidates(text)
    words, vague = _may_start(text, words), _may_start(text, vague)
    singles = sorted(digits + words)
    found = _ranges(text, sorted(singles + between) if between else singles, taken)
    found += _singles(text, singles, taken)
    found += _vague_quantities(text, vague, taken)
    found.sort(key=lambda x: x.start)
    return found


def _ranges(text: str, starts: list[int], taken: bytearray) -> list[Mention]:
    """The ranges ("400 to 600", "between 1 and 2 million"), marked as taken."""
    found: list[Mention] = []
    for m in _scan(_RANGE, text, starts):
        ends = _range_ends(text, m)
        if ends is not None:
            found.append(Mention(m.start(), m.end(), m.group(), None, *ends, qualifier(text, m)))
            taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    return found


def _range_ends(text: str, m: re.Match[str]) -> tuple[float, float] | None:
    """The low and high values of a range match, or None when it is no range."""
    low, high = parse_one(m.group("low")), parse_one(m.group("high"))
    if low is None or high is None or not low < high:
        return None
    sep = text[m.end("low"):m.start("high")].strip().lower()
    if sep in ("and",) and not m.group().lower().startswith("between"):
        return None  # "5 suicide attackers and 6 fighters" is two figures, not a range
    # "400 to 600" scales: "1 to 2 million" means 1,000,000 to 2,000,000.
    scale_m = _SCALE_END.search(m.group("high"))
    if scale_m and low < 1000 and not _SCALE_RE.search(m.group("low")):
        low *= _SCALES[scale_m.group(1).lower()]
        if not low < high:
            return None  # "twenty-one thousand" is one figure, not 20,000 to 1,000
    return low, high


def _singles(text: str, starts: list[int], taken: bytearray) -> list[Mention]:
    """The single figures where no range stands, marked as taken."""
    found: list[Mention] = []
    for m in _scan(_SINGLE, text, starts):
        if taken.find(1, m.start(), m.end()) >= 0 or _inside_word(text, m.start(), m.end()):
            continue
        value = parse_one(m.group())
        if value is None:
            continue
        found.append(Mention(m.start(), m.end(), m.group(), value, None, None, qualifier(text, m)))
        taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    return found


def _vague_quantities(text: str, starts: list[int], taken: bytearray) -> list[Mention]:
    """The quantities in words ("hundreds of") where no figure stands."""
    found: list[Mention] = []
    for m in _scan(_VAGUE, text, starts):
        if _BOUND_AS.match(text, m.end()) and text[max(0, m.start() - 3):m.start()].lower() == "as ":
            continue  # "as many as 20": the words of a bound, not a quantity of their own
        if taken.find(1, m.start(), m.end()) < 0:
            found.append(Mention(m.start(), m.end(), m.group(), None, None, None,
                                  Qualifier.approximately))
            taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    return found


# Where a figure can start: a digit, or a word that can begin a figure. Trying the figure
# patterns only there gives what ``finditer`` over every offset gives, several times faster.
# A figure starts where a run of digits does: the runs' starts (twice as fast as (?<!\d)\d).
# "\d\d*", not "\d+": opening with a character set lets the engine skip ahead to a digit.
_DIGIT_RUN = re.compile(r"\d\d*")
_FIRST_WORDS = frozenset(
    [*_TENS, *(k for k in _UNITS if " " not in k and k != "dozen"), "a"]
)
_VAGUE_FIRST = frozenset(v.split()[0] for v in VAGUE)
# A whole word (a maximal run of ASCII letters) that may start a figure or a vague quantity;
# the lookbehind first, as in _BOUND_BEFORE: only the starts of words try the tree.
_CANDIDATE_WORD = re.compile(
    "(?<![a-z])" + alternation(sorted(_FIRST_WORDS | _VAGUE_FIRST)) + "(?![a-z])")
# What must follow the word "a" in a figure or a vague quantity ("a hundred", "a dozen", "a
# few"): most of the a's of a text start neither, and are not tried by three regexes.
_A_STARTS = re.compile(r"a\s+[dfhmt]", re.IGNORECASE)
_SCALE_END = re.compile(r"(hundred|thousand|million|billion)\s*$", re.IGNORECASE)
_SCALE_RE = re.compile(_SCALE, re.IGNORECASE)


def _candidates(text: str) -> tuple[list[int], list[int], list[int], list[int]]:
    """Offsets of digits, of number words, of vague-quantity words and of 'between'."""
    digits = [m.start() for m in _DIGIT_RUN.finditer(text)]
    words: list[int] = []
    vague: list[int] = []
    # Whole words only, in a lower-cased copy with the same offsets (A-Z lowered, see CASE_TRAPS).
    low = text.translate(ASCII_LOWER) if has_case_trap(text) else text.lower()
    for m in _CANDIDATE_WORD.finditer(low):
        w = m.group()
        if w in _FIRST_WORDS:
            words.append(m.start())
        if w in _VAGUE_FIRST:
            vague.append(m.start())
    # "between" in any case, where it may start inside a word: found in the lower-cased copy,
    # whose offsets are the text's, by str.find (a regex scan costs ten times as much).
    between: list[int] = []
    at = low.find("between")
    while at >= 0:
        between.append(at)
        at = low.find("between", at + 1)
    return digits, words, vague, between


def _may_start(text: str, starts: list[int]) -> list[int]:
    """The starts of candidate words, but an "a" that no figure or vague quantity follows."""
    return [p for p in starts if text[p + 1:p + 2].isalpha() or _A_STARTS.match(text, p)]


def _scan(rx: re.Pattern[str], text: str, starts: list[int]) -> Iterator[re.Match[str]]:
    """rx.finditer(text), given every offset (sorted) where a match could start."""
    cur = 0
    for p in starts:
        if p < cur:
            continue
        m = rx.match(text, p)
        if m:
            yield m
            cur = m.end()


def _inside_word(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return before.isalpha() or before == "_" or after.isalpha() and after not in "sk"


def tail_search(rx: re.Pattern[str], text: str, longest: int,
                start: int = 0, end: int | None = None) -> re.Match[str] | None:
    """rx.search(text, start, end) for a pattern of words that end in no space, at most
    ``longest`` characters long, then ``\\s*$``: a match starts at most that far before the
    last non-space, so only those offsets are tried (a lookbehind still sees the text before)."""
    end = len(text) if end is None else end
    return rx.search(text, max(start, len(text[start:end].rstrip()) + start - longest), end)


def bound_start(before: str) -> int:
    """Where a bound that ends the text starts ("... of about " -> the offset of "about"), or
    len(before) when the text ends in no bound."""
    m = tail_search(_BOUND_BEFORE, before, _BOUND_LONGEST)
    return m.start() if m else len(before)


def qualifier(text: str, m: re.Match[str]) -> Qualifier:
    """How the words around a figure bound it: 'at least 14', 'up to 200', 'some 30', '40 or
    more', '40-odd'."""
    start, end = m.start(), m.end()
    before = max(0, start - 25)
    found = tail_search(_BOUND_BEFORE, text, _BOUND_LONGEST, before, start) or _BOUND_AFTER.match(
        text[end:end + 12])
    if found is None:
        # "two dozen", "a dozen": a round count, not an exact one
        return Qualifier.approximately if "dozen" in text[start:end].lower() else Qualifier.exact
    if found.lastgroup is None:  # "40-odd"
        return Qualifier.approximately
    return Qualifier(found.lastgroup)


def values_in(text: str) -> set[float]:
    """Every value (or range end) stated in the text."""
    return {v for m in find_mentions(text) for v in m.values}


def has_vague_quantity(text: str) -> bool:
    """True if the text states a quantity in words without a figure ('hundreds of')."""
    return bool(_VAGUE.search(text))


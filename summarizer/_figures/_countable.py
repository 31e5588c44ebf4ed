"""Which numbers are counts at all: not years, dates, ages, shares, times, distances, "one of"."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .._brief import NumberCategory, Qualifier
from .._gazetteer import MONTHS
from .._numbers import bound_start, tail_search
from .._text import alternation
from ._lexicon import (
    MILITARY_THINGS,
    MISSING,
    NO_COUNT_BEFORE,
    NO_COUNT_UNIT_STEMS,
    NO_COUNT_UNITS,
    PERSON_MODIFIERS,
    PERSON_NOUNS,
    SMALL_WORDS,
)
from ._sense import FIRM_RULES

if TYPE_CHECKING:
    from ._reading import Reading

C = NumberCategory


def _ending(*words: str) -> tuple[re.Pattern[str], int]:
    """A text that ends in one of the words, then spaces: the regex, and the longest word's
    length for tail_search."""
    return re.compile(r"\b(?:" + "|".join(words) + r")\s*$", re.I), max(map(len, words))


def _ends(ending: tuple[re.Pattern[str], int], text: str) -> bool:
    return tail_search(ending[0], text, ending[1]) is not None


# Only ever tested for a match, so the words form one prefix tree (tried a character at a time
# at each offset) rather than a list of alternatives tried one by one; the lookbehind first, so
# that offsets inside a word fail at once.
_SKIP_WORDS = [*MONTHS, *(m + "." for m in MONTHS), *NO_COUNT_BEFORE]
_BEFORE_SKIP = re.compile(  # "when he was 16", "in 2014"
    r"(?<!\w)" + alternation(_SKIP_WORDS) + r"\s*$", re.IGNORECASE)
_SKIP_LONGEST = max(map(len, _SKIP_WORDS))

_AGED_RANGE = re.compile(r"\baged?\s+\d+\s*(?:and|or|to|-)\s*$", re.IGNORECASE)  # "aged 20 to 30"
# "$5", "the town's 300", "+972", "#3": searched for only where one of _SIGNS occurs.
_BEFORE_SIGN = re.compile(
    r"(?:\$|\u20ac|\u00a3|(?:town|city|country|nation|village|region|province|state)['\u2019]s)"
    r"\s*$|[+#]$",
    re.IGNORECASE,
)
_SIGNS = frozenset("$\u20ac\u00a3'\u2019+#")
# What stays no count across a bound: "a population of about 2 million", "aged about 30".
_BEFORE_NOUN_SKIP = _ending("aged", "age", "population", "population of", "country of",
                            "nation of", "city of", "town of")
# Only ever tested for a match: prefix trees of the words that may begin a longer one ("years")
# and of those that must end ("km", not "kmh").
_AFTER_SKIP = re.compile(
    r"^(?:\s*-?\s*(?:" + alternation(NO_COUNT_UNIT_STEMS) + "|" + alternation(NO_COUNT_UNITS)
    + r"\b)|\s*" + alternation(MONTHS) + r"\b|:\d|\s*\))",
    re.IGNORECASE,
)
_PRONOUN_ONE = re.compile(r"^\s*(?:of\b|another\b|by one|after another|or two|,|\.)", re.I)
_PERSON_NOUNS = re.compile(
    r"^\s*(?:(?i:" + "|".join(PERSON_MODIFIERS) + r")\s|[A-Z][\w.'\u2019-]* ){0,3}"
    r"(?i:" + "|".join(PERSON_NOUNS) + r")\b",
)
_DIGIT = re.compile(r"\d")
_YEAR = re.compile(r"\d{4}")
_ALL_DIGITS = re.compile(r"\d+")
_DECADE_S = re.compile(r"^'?s\b")  # "the 1990s"
_BOUND_END = re.compile(r"(?:at least|at most|in all|by at least)\s*$", re.I)
_DASH_END = re.compile(r"-\s*$")
_DASH_WORD_START = re.compile(r"^-(?!odd\b|plus\b)\w")  # "F-16", but not "40-odd fighters"
_CAP_WORD_END = re.compile(r"(?:^|[^\w])[A-Z][\w.]*\s*$")
_SENTENCE_START_CAP_END = re.compile(r"(?:^|[.!?\"\u201c]\s*)[A-Z][\w.]*\s*$")
_CAP_HEDGE_END = re.compile(r"(?:About|Around|Some|Nearly|Over|At least|More than)\s*$")
_RATE_AFTER = re.compile(r"^[^,.;]{0,30}\b(?:every|per|each day|a day|a week|a month)\b")
_DETERMINER_END = _ending("the", "these", "those", "both", "all", "its", "their", "his", "her",
                          "first")


def is_count(reading: Reading, k: int) -> bool:
    """Whether a number is a reportable figure (not a year, date, age, share, time, "one of")."""
    if reading.plainly_no_count(k):
        return False
    sent, m = reading.sentence, reading.mentions[k]
    text = m.text.strip()
    word = text.lower()
    values = m.values
    if word in SMALL_WORDS or (values and max(values) < 11 and not _DIGIT.search(text)):
        # Small figures written as words are often not counts ("the two leaders", "one of"):
        # they are when their clause says what happened to them, or they count a force or
        # materiel ("two soldiers entered", "three air strikes").
        before = sent[max(0, m.start - 40):m.start]
        after = sent[m.end:m.end + 25]
        if _ends(_DETERMINER_END, before):
            return False
        if word == "one" and (_PRONOUN_ONE.match(after) or not _PERSON_NOUNS.match(
                sent[m.end:m.end + 60])):
            return False
        s = reading.sense(k)
        if s.rule == "aside" and not s.noun:
            return False  # 'including an "Arab" and two "black Africans"': no counted noun
        if not (s.rule in FIRM_RULES and (s.category is not C.other or s.cue in MISSING)
                or s.rule == "force" or s.rule == "noun" and (
                    s.category is C.vehicles_or_equipment or s.cue in MILITARY_THINGS)):
            return False
    return not (m.value is not None and not _DIGIT.search(text) and m.value < 1)


def plainly_no_count(reading: Reading, k: int) -> bool:
    """True for numbers that the words around them show are no counts, without reading the
    clause: years, ages, shares, times, distances, names ("Route 66"), rates, populations."""
    sent, m = reading.sentence, reading.mentions[k]
    if m.value is None and m.low is None:
        return True  # vague quantities carry no value; the eval counts them as noise
    text = m.text.strip()
    before = sent[max(0, m.start - 40):m.start]
    # "population of about 2 million": what stands before the bound
    unbounded = before if m.qualifier is Qualifier.exact else before[:bound_start(before)]
    after = sent[m.end:m.end + 25]
    # Room for a few modifiers before the noun: "two United States service members".
    noun_after = sent[m.end:m.end + 60]
    if len(text) == 4 and _YEAR.fullmatch(text) and 1900 <= float(text) <= 2100:
        return True  # a year
    if _DECADE_S.match(after) and _ALL_DIGITS.fullmatch(text):
        return True  # "the 1990s"
    if _AFTER_SKIP.match(after) or _maybe_live(noun_after) and _LIVE_AFTER.match(noun_after):
        return True  # "60,000 people live in the camp": a population, not a count of the war
    if _skip_before(before[-25:]) and not _BOUND_END.search(before):
        return True
    if unbounded != before and _ends(_BEFORE_NOUN_SKIP, unbounded) or _possessive(
            unbounded) and _PEOPLE_AFTER.match(noun_after):
        return True  # "Gaza's 2.1 million people"
    if "-" in before and _DASH_END.search(before) or _DASH_WORD_START.match(after):
        return True  # "F-16", "COVID-19", "1-0"
    if _cap_word_end(before) and not _SENTENCE_START_CAP_END.search(before) \
            and not _PERSON_NOUNS.match(noun_after) and not _CAP_HEDGE_END.search(before):
        # A figure right after a capitalised word mid-sentence is part of a name ("Route 66"),
        # unless that word is a hedge that happens to be capitalised.
        return True
    if _maybe_rate(after) and _RATE_AFTER.match(after):
        return True  # a rate ("one killed every 25 minutes")
    if _PLACES_AFTER.match(after) and _ends(_WHERE_BEFORE, before):
        return True  # "drones over 10 regions", "across 12 provinces": where, not how many
    return bool(m.low is not None and m.high is not None and 1900 <= m.low <= 2100
                and 1900 <= m.high <= 2100)  # a span of years


def _skip_before(window: str) -> bool:
    """_BEFORE_SKIP, _AGED_RANGE or _BEFORE_SIGN ends the window (the last two tried only where
    they can: an "age", one of _SIGNS)."""
    return bool(tail_search(_BEFORE_SKIP, window, _SKIP_LONGEST)
                or _maybe_aged(window) and _AGED_RANGE.search(window)
                or not _SIGNS.isdisjoint(window) and _BEFORE_SIGN.search(window))


def _maybe_aged(window: str) -> bool:
    # 'a', 'g' and 'e' match no other letters ignoring case: str.lower() finds every "age"
    return "age" in window.lower()


def _cap_word_end(before: str) -> bool:
    """_CAP_WORD_END ends the text: its match holds no space but the one it may start with, so
    the search starts at the last space."""
    return bool(_CAP_WORD_END.search(before, max(0, before.rstrip().rfind(" "))))


# Prefilters for an ASCII text (the usual case): the words a pattern needs, found by str.find
# in its lower-cased copy (a regex match costs several times as much). A text with other
# characters, some of which match ASCII letters ignoring case ("ſ" is "s"), takes the regex.
def _maybe_live(text: str) -> bool:
    return not text.isascii() or "live" in (low := text.lower()) or "reside" in low


def _maybe_rate(text: str) -> bool:  # the words _RATE_AFTER needs
    return not text.isascii() or "every" in (low := text.lower()) or "per" in low or (
        "day" in low or "week" in low or "month" in low)


def _possessive(before: str) -> bool:
    """A name's possessive ends the text ("Gaza's"); no apostrophe, no regex search."""
    return ("'" in before or "\u2019" in before) and bool(_PLACE_POPULATION.search(before))


_WHERE_BEFORE = _ending("over", "across", "in", "throughout")
_PLACES_AFTER = re.compile(r"^\s*(?:[\w-]+\s+)?(?:regions|provinces|districts|areas|cities|towns|"
                           r"countries|states|locations|places|fronts)\b", re.I)
_LIVE_AFTER = re.compile(r"^\s*(?:[\w-]+\s+){0,3}?(?:live|lives|lived|living|reside)\s+(?:in|at)\b",
                         re.I)
_PLACE_POPULATION = re.compile(r"\b[A-Z][\w-]*['\u2019]s\s*$")
_PEOPLE_AFTER = re.compile(r"^\s*(?:people|residents|inhabitants|population)\b", re.I)

"""Figure semantics: what a figure counts, read from its own clause, on sentences made up for
each pattern (none is taken from the eval articles)."""

from __future__ import annotations

import random
import time

import pytest

from summarizer._brief import NumberCategory, Qualifier
from summarizer._figures import Reading, counts, is_count, read
from summarizer._numbers import find_mentions

K, W = NumberCategory.killed, NumberCategory.wounded
D, H = NumberCategory.displaced_or_fled, NumberCategory.detained
T, V = NumberCategory.troops_or_fighters, NumberCategory.vehicles_or_equipment
OTHER = NumberCategory.other


def senses(sentence: str) -> dict[float, NumberCategory]:
    """Each figure's value and category ({low: ...} for a range)."""
    mentions = find_mentions(sentence)
    reading = read(sentence, mentions)
    return {m.value if m.value is not None else m.low: reading.sense(k).category  # type: ignore[misc]
            for k, m in enumerate(mentions) if m.value is not None or m.low is not None}


def _read_at(sentence: str, value: float) -> tuple[Reading, int]:
    """The sentence's reading, and the index of the figure stating the value."""
    mentions = find_mentions(sentence)
    return read(sentence, mentions), next(i for i, m in enumerate(mentions) if value in m.values)


@pytest.mark.parametrize(("sentence", "expected"), [
    # word order: the verb before the figure governs it
    ("A truck bomb killed 9 people and injured 31 others near a mosque.", {9: K, 31: W}),
    ("The shelling injured 11 people and killed three.", {11: W, 3: K}),
    ("Gunmen wounded 4 guards and killed 2 drivers at the depot.", {4: W, 2: K}),
    # the figure as subject: its own verb after it, passive or not
    ("30 were wounded and four killed in the raid.", {30: W, 4: K}),
    ("Seven soldiers died and 16 were hurt when the convoy was hit.", {7: K, 16: W}),
    ("About 45 villagers have been abducted from the district, residents said.", {45: H}),
    ("Some 2,300 families fled the valley over the weekend.", {2300: D}),
    # apposition and inclusion: the figures of an aside share their head's fate
    ("14 civilians, including six children, were killed and 22 wounded.", {14: K, 6: K, 22: W}),
    ("Nine police officers, among them two women, were injured in the blast.", {9: W, 2: W}),
    # "among the dead"
    ("Two journalists were among the dead, the union said.", {2: K}),
    ("Police said 5 firefighters were among those injured.", {5: W}),
    # lists
    ("The clashes left seven dead and more than 40 injured.", {7: K, 40: W}),
    ("Five rebels and 3 soldiers have been killed since Friday.", {5: K, 3: K}),
    ("The blasts left at least 12 students and two teachers dead.", {12: K, 2: K}),
    # what is counted decides when it is no person
    ("Three drones were shot down and 2 pilots were captured.", {3: V, 2: H}),
    ("Militants killed 6 people in raids on four villages.", {6: K, 4: OTHER}),
    ("The army carried out 12 air strikes that killed 40 fighters.", {12: OTHER, 40: K}),
    ("They seized 300 kilograms of explosives and 40 rifles.", {300: V, 40: V}),
    # a force's size, and a toll
    ("The country has deployed 1,200 troops to the border.", {1200: T}),
    ("Up to 3,000 fighters are believed to be holed up in the old city.", {3000: T}),
    ("The governor put the death toll at 61 on Sunday.", {61: K}),
    ("The toll could climb to as many as 90, officials warned.", {90: K}),
    ("The agency has recorded 4,100 deaths and injuries since January.", {4100: K}),
    ("Medics recovered 17 bodies from the rubble.", {17: K}),
    ("Rebels freed 23 hostages on Thursday.", {23: H}),
    # a participle that only describes the subject is not its verb
    ("Some 80 soldiers stationed at the base, most of them conscripts, were wounded.", {80: W}),
    ("A raid on 2 camps displaced 900 people, the agency said.", {2: OTHER, 900: D}),
])
def test_category_comes_from_the_figures_own_clause(sentence: str, expected: dict) -> None:
    got = senses(sentence)
    assert {v: got.get(v) for v in expected} == expected


def test_casualties_and_killed_and_injured_accept_both() -> None:
    for sentence in ("The U.N. has counted 8,000 civilian casualties this year.",
                     "More than 60 soldiers were killed or wounded in the offensive."):
        mentions = find_mentions(sentence)
        sense = read(sentence, mentions).sense(0)
        assert sense.accepted >= {K, W}, sentence
        assert not sense.contradicts(W) and not sense.contradicts(K)


@pytest.mark.parametrize(("sentence", "label", "contradicted"), [
    ("A car bomb killed 12 people and injured 30 others.", W, True),  # 12 labelled wounded
    ("A car bomb killed 12 people and injured 30 others.", K, False),
    ("A car bomb killed 12 people and injured 30 others.", OTHER, False),  # 'other' claims nothing
    ("The coalition conducted 12 air strikes near the town.", K, True),  # no person was hit
    ("12 tanks were destroyed in the battle.", W, True),
    ("12 residents marched to the ministry.", K, False),  # the clause says nothing
])
def test_contradiction(sentence: str, label: NumberCategory, contradicted: bool) -> None:
    mentions = find_mentions(sentence)
    assert read(sentence, mentions).sense(0).contradicts(label) is contradicted


@pytest.mark.parametrize("sentence", [
    "The 16-year-old was shot near the school.",  # an age
    "A man aged 45 was detained.",
    "Fighting resumed in 2014 and again in 2019.",  # years
    "The convoy was ambushed 30 km from the capital.",  # a distance
    "Turnout fell by 12 percent.",  # a share
    "One of the wounded later died.",  # "one of"
    "The two leaders met on Friday.",  # the two
    "The city had a pre-war population of about 2 million.",  # background population
])
def test_non_figures_are_not_counts(sentence: str) -> None:
    mentions = find_mentions(sentence)
    reading = read(sentence, mentions)
    assert not any(is_count(reading, k) for k in range(len(mentions))), sentence


@pytest.mark.parametrize(("sentence", "value", "words"), [
    ("A truck bomb killed 9 people and injured 31 others near a mosque.", 31,
     "others injured near a mosque"),
    ("Eleven rebels and 7 soldiers have been killed in clashes near the pass.", 7,
     "soldiers killed in clashes near the pass"),
    ("The strike injured more than 20, medics said.", 20, "people injured"),
    ("The governor put the death toll at 61 on Sunday.", 61, "people killed"),
])
def test_counts_is_a_phrase_from_the_clause(sentence: str, value: float, words: str) -> None:
    reading, k = _read_at(sentence, value)
    assert counts(reading, k) == words


def test_bounds_are_read_from_the_words_before() -> None:
    mentions = find_mentions("Up to 3,000 fighters and at least 200 civilians remain.")
    assert [m.qualifier for m in mentions] == [Qualifier.at_most, Qualifier.at_least]


def test_reading_any_word_salad_ends_quickly() -> None:
    words = ("killed wounded and , including among the dead were 12 three of them people who "
             "troops tanks ( ) — said at least as many as injured another 40 left fled held by "
             "them toll at rise to").split()
    rng = random.Random(7)
    started = time.perf_counter()
    for _ in range(2_000):
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(1, 40)))
        mentions = find_mentions(sentence)
        reading = read(sentence, mentions)
        for k in range(len(mentions)):
            reading.sense(k)
            counts(reading, k)
            is_count(reading, k)
    assert time.perf_counter() - started < 30  # a loop that never ends fails here, not CI's clock


# --- cases a review found ---------------------------------------------------------------------


def test_a_long_list_of_figures_reads_without_recursion() -> None:
    sentence = "10 and " * 600 + "11 people were killed."
    mentions = find_mentions(sentence)
    reading = read(sentence, mentions)
    assert reading.sense(len(mentions) - 1).category is K
    reading.sense(0)  # a chain this long is cut, not followed to the end of the stack


@pytest.mark.parametrize(("sentence", "value", "label"), [
    # a participle describes them; the main verb says what then happened: both are true
    ("Some 50 people wounded in the attack were evacuated by boat.", 50, W),
    ("The 40 soldiers killed in the ambush were buried on Sunday.", 40, K),
    # ", 12 of whom later died" is an aside about the 40, not a list with it
    ("Hospitals treated 40 people, 12 of whom later died.", 40, W),
    # every cue of a list counts
    ("About 20 people were killed, wounded or missing after the blast.", 20, W),
    # a plural followed by another is a compound noun, not the end of the phrase
    ("Police said 12 arms smugglers were detained at the border.", 12, H),
])
def test_labels_the_clause_supports_are_not_contradicted(sentence: str, value: float,
                                                         label: NumberCategory) -> None:
    reading, k = _read_at(sentence, value)
    assert not reading.sense(k).contradicts(label)


@pytest.mark.parametrize(("sentence", "value", "not_label"), [
    ("Some 40 soldiers held the bridge until dawn.", 40, H),  # held a bridge: no one detained
    ("About 400 marines were taken to the front.", 400, H),
    ("More than 5,000 people lost their homes in the floods.", 5000, K),
])
def test_broad_cues_need_their_context(sentence: str, value: float,
                                       not_label: NumberCategory) -> None:
    reading, k = _read_at(sentence, value)
    assert reading.sense(k).category is not not_label


@pytest.mark.parametrize(("sentence", "value", "also"), [
    ("The U.N. has documented nearly 59,000 deaths.", 59000, Qualifier.at_most),
    ("The attack brought the death toll up to 40.", 40, Qualifier.exact),
    ("At least 12 were killed and 30 wounded.", 30, Qualifier.at_least),
    ("Between 500 and 700 militants are in the city.", 500, Qualifier.approximately),
])
def test_a_bound_may_be_read_two_ways(sentence: str, value: float, also: Qualifier) -> None:
    from summarizer._figures import bounds

    reading, k = _read_at(sentence, value)
    assert also in bounds(reading, k)


def test_forty_odd_is_a_figure() -> None:
    from summarizer._extractive import extract

    [figure] = extract("Forty-odd fighters were killed in the raid, officials said.").numbers
    assert (figure.value, figure.qualifier) == (40, Qualifier.approximately)

"""The parties: named people and organisations, acting countries and generic groups.

Each capitalised name sequence fires at most one rule, tried in this order: an acronym the
article defines, a person, a one-word name (a known person's surname, an acronym or a country
that acts), an organisation, a country that acts. Common-noun groups have their own rule.
"""

from __future__ import annotations

import re

from .._gazetteer import GROUP_HEADS, KNOWN_ORGS
from ._attribution import _Ctx
from ._found import _Actor, _Found
from ._groups import _groups
from ._kinds import _THE, _org_kind, _weak_armed_name
from ._layout import _Sent
from ._lexicon import (
    ACTING_VERBS,
    ACTOR_SKIP,
    ARMED_CONTEXT,
    COUNTRY_SET,
    METONYM_SET,
    ORG_HEAD,
    REGIONS,
    SPEECH,
    TERRITORY_SET,
    TITLE_SPLIT,
)
from ._people import _is_personlike, _person
from ._said import _DIGIT

_CAP = r"(?:[A-Z][\w'\u2019.&-]*|al-[A-Z][\w'-]*|\b(?:al|el)\s(?=[A-Z])[A-Z][\w'-]*|#[A-Za-z]\w+)"
# The lookahead names every character a name can start with: the same matches, but the regex
# engine can skip ahead to them instead of trying the whole pattern at every position.
_NAME_SEQ = re.compile(
    rf"(?=[A-Zae#]){_CAP}(?:\s+(?:(?:of|for|de|du|da|bin|ibn|van|von|al|el|the)\s+)*{_CAP})*"
)
# What a name does next that makes it a party: speaks, acts, or is or has something.
_ACT_AFTER = re.compile(
    rf"^\s*(?:'s\s+\w+\s+)?(?:,[^,]{{2,80}},\s*)?(?:has |have |had |also |later |on \w+ |"
    rf"would |will |could |did not |does not |is |was |were |are )?"
    rf"(?:{SPEECH}|{ACTING_VERBS})\b",
    re.I,
)
_ADJ_END = re.compile(r"-(?:linked|backed|led|held|run|allied|affiliated|inspired)$")
_ADJ_AFTER = re.compile(r"^-(?:linked|backed|led|held|run|allied|affiliated|inspired)")
_THE_CAP = re.compile(r"^(?:The)\s+")
_ACRONYM_DEF = re.compile(r"((?:(?:al |el )?[A-Z][\w'-]*\s+(?:(?:of|for|the|in)\s+)*){1,6})"
                          r"\(([A-Z]{2,7})\)")
_INSTITUTION = re.compile(r"\b(?:University|Hospital|Airways)\b")
_ARTICLE_CAP_LEAD = re.compile(r"^(?:The|A|An)\s+")
_PREP_END = re.compile(r"\b(?:in|of|to|from|into|across|near)\s*$")  # "in Syria": a place
_PREP_AT_END = re.compile(r"\b(?:in|of|to|from|into|across|near|at)\s*$")
_BACKED_BY_END = re.compile(r"backed (?:up )?by\s*$")
_INITIAL_END = re.compile(r"\b[A-Z]\.$")
_CREDIT_LINE = re.compile(r"(?:Reporting|Editing) by")
GENERIC_MIN = 2  # bare group nouns ('fighters') must recur to count


def _actors_in(text: str, sents: list[_Sent], ctx: _Ctx) -> list[_Actor]:
    """Find the parties: named people and organisations, acting countries and generic groups."""
    body = [s for s in sents if s.kind in ("body", "bullet")]
    f = _Found(text, ctx, _acronyms(body))
    for s in body:
        for m in _NAME_SEQ.finditer(s.text):
            _name(f, s, m)
        _groups(f, s)
    return list(f.found.values())


def _acronyms(body: list[_Sent]) -> dict[str, str]:
    """Acronym definitions: "Syrian Democratic Forces (SDF)" -> {"SDF": "Syrian Democratic Forces"}."""
    acronyms: dict[str, str] = {}
    for s in body:
        if "(" not in s.text:
            continue
        for m in _ACRONYM_DEF.finditer(s.text):
            full = _split_name(m.group(1).strip())
            acronyms[m.group(2)] = _ARTICLE_CAP_LEAD.sub("", full)
    return acronyms


def _name(f: _Found, s: _Sent, m: re.Match[str]) -> None:
    """One capitalised name sequence, given to the first rule that takes it."""
    seq, start = _trimmed(m.group(), s.start + m.start())
    if not seq:
        return
    pos = start - s.start
    after = s.text[pos + len(seq):pos + len(seq) + 140]
    # Split a title off the front: "U.S. President Donald Trump" (the name ends where it did).
    title = TITLE_SPLIT.match(seq) if " " in seq else None  # a title needs a name after it
    if title:
        off = seq.index(title.group("rest"), title.start("rest"))
        start, pos, seq = start + off, pos + off, title.group("rest")
    before = s.text[max(0, pos - 60):pos]
    if "-" in seq and _ADJ_END.search(seq) or after.startswith("-") and _ADJ_AFTER.match(after):
        return  # "Islamic State-linked militants": an adjective, not a mention
    low = seq.lower()
    if seq in f.acronyms:
        _acronym(f, s, seq, start)
    elif _is_personlike(seq):
        _person(f, s, seq, start, before, after, title)
    elif len(seq.split()) == 1 and low not in KNOWN_ORGS:
        _one_word(f, s, seq, start, before, after)
    elif (known := _is_known(low)) or ORG_HEAD.search(seq):
        _organisation(f, s, seq, start, after, known=known)
    else:
        _country(f, s, seq, start, before, after, _PREP_AT_END)


def _trimmed(seq: str, start: int) -> tuple[str, int]:
    """A name sequence without the function words that start a sentence ("The", "But", "In"),
    and where it then starts; "" if nothing is left that can be a name."""
    words = seq.split()
    while words and words[0].lower().strip(".,") in ACTOR_SKIP:
        start += len(words[0]) + 1
        words = words[1:]
    if not words:
        return "", start
    seq = _split_name(" ".join(words))
    return ("" if seq.lower() in ACTOR_SKIP else seq), start


def _split_name(seq: str) -> str:
    if seq.endswith(("'s", "\u2019s")):  # a possessive (seq ends in no white space)
        seq = seq[:-2]
    if seq.endswith(".") and not _INITIAL_END.search(seq):
        seq = seq[:-1]
    return seq.strip()


def _is_known(low: str) -> bool:
    return low in KNOWN_ORGS or (low.startswith("the") and _THE.sub("", low) in KNOWN_ORGS)


def _acronym(f: _Found, s: _Sent, seq: str, start: int) -> None:
    """An acronym the article defines: a mention of the full name it stands for."""
    full = f.acronyms[seq]
    kind = _org_kind(full) or _org_kind(seq) or "other"
    f.add(full.lower(), full, kind, s, start, start + len(seq)).aliases.add(seq)
    f.ctx.orgs.append((start, full))


def _one_word(f: _Found, s: _Sent, seq: str, start: int, before: str, after: str) -> None:
    """A one-word name: a known person's surname, else an acronym or a country that acts."""
    for a in f.persons.values():
        if seq in a.aliases:
            a.score += 1
            f.ctx.people.append((start, a.name))
            return
    if seq.isupper() and 2 <= len(seq) <= 6 and _ACT_AFTER.match(after) and not _DIGIT.search(seq):
        f.add(seq.lower(), seq, _org_kind(seq) or "other", s, start, start + len(seq))
        f.ctx.orgs.append((start, seq))
    else:
        _country(f, s, seq, start, before, after, _PREP_END)


def _organisation(f: _Found, s: _Sent, seq: str, start: int, after: str, *, known: bool) -> None:
    """A known organisation or a name with an organisation's head word ("... Forces")."""
    base = _THE_CAP.sub("", seq)
    kind = _org_kind(base) or "other"
    if kind == "other" and not known and _weak_armed_name(base.lower()) and \
            ARMED_CONTEXT.search(s.text):
        kind = "non_state_armed_group"  # "the X Front claimed the attack"
    if kind == "media" and _self_outlet(f.text, base):
        return
    if _INSTITUTION.search(base) and not _ACT_AFTER.match(after):
        return
    # Merge "Islamic State militants"-style mentions with the bare name.
    f.add(base.lower(), base, kind, s, start, start + len(base))
    f.ctx.orgs.append((start, base))


def _country(f: _Found, s: _Sent, seq: str, start: int, before: str, after: str,
             place_before: re.Pattern[str]) -> None:
    """A country (or a capital standing for its government) that acts, not a place ("in Syria")."""
    low = seq.lower()
    if not (low in COUNTRY_SET and low not in TERRITORY_SET or low in METONYM_SET):
        return
    if _ACT_AFTER.match(after) and not place_before.search(before) or _BACKED_BY_END.search(before):
        f.add("c:" + low, seq, "government", s, start, start + len(seq))


def _self_outlet(text: str, name: str) -> bool:
    """True if a media name is the article's own outlet ('told Reuters', credits, captions)."""
    return name.lower() == "reuters" and _CREDIT_LINE.search(text) is not None


def _select_actors(cands: list[_Actor]) -> list[_Actor]:
    """Keep parties that matter: people and named organisations, groups mentioned with weight."""
    out = []
    for a in cands:
        if a.name.lower() in REGIONS:
            continue
        if a.name.lower() in GROUP_HEADS and a.kind != "civilians" and \
                a.score < GENERIC_MIN:
            continue  # a bare "fighters" mentioned once is background
        if a.kind == "other" and not a.person and a.score < 2 and not ORG_HEAD.search(a.name):
            continue
        out.append(a)
    out.sort(key=lambda a: a.first)
    return out

"""Places and time: where the article's events happen, and when."""

from __future__ import annotations

import re

from .._gazetteer import GROUP_HEADS, KNOWN_ORGS, MONTHS, TITLES, WEEKDAYS
from .._text import alternation
from ._layout import _Sent
from ._lexicon import (
    ACTOR_SKIP,
    ADMIN_SUFFIX,
    COMPASS,
    COUNTRY_RE,
    COUNTRY_SET,
    EVENT_TAIL,
    GEO_NOUNS,
    MACRO_REGIONS,
    NON_PLACE_WORDS,
    NOT_NOUN,
    OFFICE_NOUNS,
    ORG_HEAD,
    QUALIFIED_NOUNS,
)
from ._match import _word_at

_PLACE_SUFFIX = re.compile(  # the lookahead lets the engine skip ahead, as for _NAME_SEQ
    r"(?=[aeA-Z])\b((?:(?:al-|el-)?[A-Z][\w'\u2019-]+\s+){1,3})(?P<suffix>province|region|district|city|town|"
    r"village|camp|refugee camp|state|county|governorate|area|neighbou?rhood|base|valley|mountains?)\b"
)
# The prepositions as a prefix tree, not after a word character (as "\b" before them would say):
# the engine skips to their first letters. At most one of them fits before the white space.
_PLACE_PREP = re.compile(
    alternation(["in", "near", "outside", "into", "from", "at", "of", "across", "around", "toward",
                 "towards"], r"\w") + r"\s+(?:the\s+)?"
    r"((?:[A-Z][\w'\u2019-]+)(?:[\s-](?:al-)?[A-Z][\w'\u2019-]+){0,2})"
)

_ADJECTIVE = re.compile(r"(?:ian|yan|ean|ish|ese|ic|ist|i)$")  # "Syrian", "Islamic", "Iraqi"
_HELD_PREFIX = re.compile(r"^[\w.]+-(?:held|led|backed|controlled|run)\s+")
_HELD_SUFFIX = re.compile(r"-(?:held|led|backed|controlled|run)$")
_PLACE_LEAD = re.compile(r"^(?:The|In|On|At)\s+")
_POSSESSIVE = re.compile(r"['\u2019]s$")
_POSSESSIVE_SPLIT = re.compile(r"['\u2019]s\s+")

_WHEN = re.compile(
    r"\b(?:(?:late |early )?(?:on |last |this )?(?:" + "|".join(w.title() for w in WEEKDAYS)
    + r")(?: (?:morning|afternoon|evening|night))?|(?:on |in )?(?:"
    + "|".join(m.title() for m in MONTHS if len(m) > 3) + r"|(?:Jan|Feb|Aug|Sept?|Oct|Nov|Dec)\.)"
    r" \d{1,2}|(?:last|this) (?:week|month|weekend)|overnight|yesterday|today)\b"
)


def _places_in(text: str, sents: list[_Sent], actor_names: set[str]) -> list[str]:
    """Places named in the article: towns first, then provinces and regions, then countries."""
    body = " ".join(s.text for s in sents if s.kind in ("body", "bullet"))
    towns, areas = _suffixed(body)
    towns += _after_prepositions(body, actor_names)
    countries = [m.group() for m in COUNTRY_RE.finditer(body)]
    provinces = {a.lower() for a in areas}
    towns = [t for t in towns if t.lower() not in provinces]  # "into Deir al-Zor" names a province
    out = _listed(towns + areas + countries, countries, actor_names, text)
    if any(p.lower() not in MACRO_REGIONS for p in out):
        out = [p for p in out if p.lower() not in MACRO_REGIONS]  # "Middle East": background
    return out[:8]


def _suffixed(body: str) -> tuple[list[str], list[str]]:
    """Towns and administrative areas named with their kind: "Kunduz province", "Zamzam camp"."""
    towns: list[str] = []
    areas: list[str] = []
    for m in _PLACE_SUFFIX.finditer(body):
        name = _place_name(m.group(1))
        admin = m.group("suffix") in ADMIN_SUFFIX
        if not name or name.split()[0].lower() in ACTOR_SKIP:
            continue
        if (m.group("suffix") not in ADMIN_SUFFIX - {"state"}
                and any(_adjectival(w, body) for w in name.split())):
            continue  # "the Syrian city of", "an Islamist state": adjectives, not places
        (areas if admin else towns).append(name)
    return towns, areas


def _after_prepositions(body: str, actor_names: set[str]) -> list[str]:
    """Capitalised names after "in", "near", "into" ... that are no party, month or office."""
    towns: list[str] = []
    for m in _PLACE_PREP.finditer(body):
        name = _place_name(m.group(1))
        if not name:
            continue
        if body.startswith("of", m.start()) and _names_an_office(body, m.start()):
            continue  # "chairman of the Joint Chiefs of Staff": an office, not a place
        low = name.lower()
        if (low in ACTOR_SKIP or low in COUNTRY_SET or name in actor_names or low in COMPASS
                or ORG_HEAD.search(name) or low.split()[0] in MONTHS
                or low.split()[0] in WEEKDAYS or low in KNOWN_ORGS
                or name.isupper() or low.rstrip("s") in ("u.s", "u.n")):
            continue
        words = name.split()
        if _HELD_SUFFIX.search(name) or (
                words[-1].lower() not in GEO_NOUNS and any(_adjectival(w, body) for w in words)):
            continue  # "SDF-held", "Syrian", "Iraqi": adjectives, not places
        towns.append(name)
    return towns


def _listed(found: list[str], countries: list[str], actor_names: set[str], text: str) -> list[str]:
    """The places found, in order, each once and in its fullest form, without non-places."""
    out: list[str] = []
    for p in found:
        low = p.lower()
        # A name already listed is skipped first: the same names recur, and the check that
        # follows searches the whole article for each.
        if any(low == q.lower() for q in out):
            continue
        if _not_a_place(p, actor_names, text):
            continue
        if p not in countries and any(_inside(q, p) for q in out):
            continue  # "Zor" after "Deir al-Zor"
        # A fuller form of a place already listed takes its slot: "Deir al-Zor" over "Zor".
        fuller = [i for i, q in enumerate(out) if q not in countries and _inside(p, q)]
        if fuller:
            out[fuller[0]] = p
            out = [q for i, q in enumerate(out) if i not in fuller[1:]]
            continue
        out.append(p)
    return out


def _when(sents: list[_Sent]) -> str | None:
    """When it happened: the first day, date or time of day the body names."""
    for s in sents:
        if s.kind == "body":
            wm = _WHEN.search(s.text)
            if wm:
                return wm.group().strip()
    return None


def _names_an_office(body: str, at: int) -> bool:
    """Whether the "of" at ``at`` follows an office or a capitalised name ("Chiefs of Staff")."""
    head = body[max(0, at - 40):at].split()
    if not head:
        return False
    prev = head[-1]
    if prev.lower() in OFFICE_NOUNS:
        return True
    # A capitalised word that does not start a sentence: "Chiefs of", not "Residents of".
    opens = len(head) < 2 or head[-2].endswith((".", "!", "?", '"', "\u201d"))
    return prev[:1].isupper() and prev.isalpha() and not opens and prev.lower() not in COUNTRY_SET


def _adjectival(word: str, body: str) -> bool:
    """A demonym or adjective ("Syrian", "Islamic", "Iraqi forces"), not a place ("Nairobi")."""
    low = word.lower()
    if low in COUNTRY_SET:
        return False
    if len(word) > 5 and word.endswith("s") and word[:-1].endswith(("ian", "yan", "ist")):
        return True  # a plural demonym or follower: "Palestinians", "Islamists"
    if low.rstrip("s").endswith("n") and low.rstrip("s")[:-1] in COUNTRY_SET:
        return True  # a demonym made with "-n": "Gazan", "African", "Cubans"
    if not _ADJECTIVE.search(word):
        return False
    if not word.endswith("i"):
        return True
    # "-i" ends demonyms ("Iraqi", "Sunni") and towns ("Nairobi"): a demonym qualifies a noun.
    for m in re.finditer(r"(?<!\w)" + re.escape(word) + r" (\w+)", body):
        if m.group(1).lower() in GROUP_HEADS or m.group(1).lower() in QUALIFIED_NOUNS:
            return True
    return False


def _place_name(raw: str) -> str:
    """A place's name as the article writes it, without "the", "ISIS-held" or a possessive."""
    name = _PLACE_LEAD.sub("", raw.strip())
    name = _HELD_PREFIX.sub("", name)
    if "'s " in name or "\u2019s " in name:  # "Juba's Gudele": the neighbourhood
        name = _POSSESSIVE_SPLIT.split(name)[-1]
    return _POSSESSIVE.sub("", name).strip()


def _inside(short: str, long: str) -> bool:
    """True if short occurs in long as whole words (case-insensitive) and is shorter."""
    if len(short) >= len(long):
        return False
    return bool(_word_at(long.lower(), short.lower()))


# Capitalised words that follow "of"/"in"/"into" yet name no place: a field or department
# ("Obstetrics", "Cardiology"), a technology ("the Internet"), an event or era ("Arab Spring").
_FIELD_WORD = re.compile(r"(?:ics|ology|ologies)$")

# "a legal researcher at Al-Haq", "NGOs such as Al-Haq": an employer or an organisation.
_EMPLOYER_BEFORE = re.compile(
    r"(?:\b(?:researcher|fellow|professor|lecturer|analyst|scholar|economist|expert|employee|"
    r"staffer|director|spokes\w+|founder|intern)\s+(?:at|with)|"
    r"\b(?:organi[sz]ations|groups|NGOs|companies|firms|agencies|charities|outlets)\s+"
    r"(?:such as|like|including))\s+(?:the\s+)?$")
# "software known as Red Wolf": a thing's name, unless a place noun comes before it.
_NAMED_AS_BEFORE = re.compile(r"\b(?:known as|dubbed|called|nicknamed|code-?named|named)\s+$")
_PLACE_NOUN_NEAR = re.compile(
    r"\b(?:town|city|village|area|district|neighbou?rhood|camp|region|province|quarter|"
    r"settlement|island|valley|river|mountain|hill|street|square|road|border|crossing|"
    r"base|port|airport|enclave|territory|state|country)\b", re.I)
_LOWER_NEXT = re.compile(r"\s+([a-z][a-z-]+)")


def _names_no_place(name: str, at: list[int], text: str) -> bool:
    """A field, technology, event, era adjective, employer or thing's name, not a place."""
    words = name.lower().split()
    if any(_FIELD_WORD.search(w) for w in words) or name.lower() in NON_PLACE_WORDS:
        return True
    if len(words) > 1 and words[-1] in EVENT_TAIL:
        return True
    for i in at:
        before = text[max(0, i - 60):i]
        if _EMPLOYER_BEFORE.search(before):
            return True
        if _NAMED_AS_BEFORE.search(before) and not _PLACE_NOUN_NEAR.search(before[-40:]):
            return True
    if len(words) == 1 and name.endswith("an"):
        # "Roman mosaics", "Roman treasures": an adjective before a noun at every mention.
        for i in at:
            nm = _LOWER_NEXT.match(text, i + len(name))
            if not nm or nm.group(1) in NOT_NOUN:
                return False
        return True
    return False


def _not_a_place(name: str, actor_names: set[str], text: str) -> bool:
    """Names that are parts of actors' names, titles, or fragments of longer names."""
    at = _word_at(text, name)
    if not at:
        return True  # must occur in the article as whole words
    if name.lower() in COUNTRY_SET:
        return False
    if _names_no_place(name, at, text):
        return True
    if any(w.lower() in TITLES for w in name.split()):
        return True  # "President Salva Kiir"
    low = name.lower()
    for actor in actor_names:
        if name == actor:
            return True
        # Either name inside the other: "Islamic" of "Islamic State", "Kiir" of "Salva Kiir".
        # A plain substring test first rules out most pairs without the whole-word search.
        actor_low = actor.lower()
        if (low in actor_low or actor_low in low) and (_inside(name, actor) or _inside(actor, name)):
            return True
    # A fragment of a longer name wherever it occurs: "Kurdistan" of "Kurdistan Workers Party".
    for i in at:
        rest = text[i + len(name):i + len(name) + 40]
        nxt = rest.split(None, 1)[0] if rest[:1].isspace() and rest.strip() else ""
        if not nxt[:1].isupper():
            return False
    return True

"""What an actor did or is: the verb phrase after a mention, a person's description or title,
whom a group fights for."""

from __future__ import annotations

import re

from .._gazetteer import COUNTRIES, METONYMS, TITLES
from .._text import _ABBREV
from ._lexicon import CONJUNCTION, IRREGULAR, MANY, ONE_TO_TEN, ROLE_TRIM, SPEECH, TITLE_SPLIT
from ._said import _ARTICLE_LEAD

_ROLE_SKIP_LEAD = re.compile(
    r"^\s*(?:\([^()]{0,60}\)|[\u2014\u2013]\s*[^\u2014\u2013]{1,80}[\u2014\u2013]|,[^,]{2,80},|['\u2019]s\b)?\s*"
)
_ROLE_AUX = (r"(?:(?:has|have|had|also|later|then|would|will|could|did not|does not|is|was|were|are|"
             r"been|being|reportedly|allegedly|had been|have been|has been|on \w+)\s+)*")

_ROLE_VERB = re.compile(rf"^{_ROLE_AUX}(?:{SPEECH}|{IRREGULAR}|[a-z]+ed)\b")
_ROLE_BREAK = re.compile(r"[;:\"\u201c\u201d()\n\u2026]|\.\.|,\s|\s[\u2014\u2013-]+\s|\.(?=\s|$)")

# An appositive with a verb of its own is a clause ("a bomber on a bike killed three"), not a title.
_CLAUSE_VERB = re.compile(
    rf"\b(?!(?:the|a|an)\b)\w+\s+(?:[a-z]+ed|{IRREGULAR})\s+(?:the|a|an|his|her|their|its|"
    r"\d[\d,]*|" + "|".join([*ONE_TO_TEN, *MANY]) + r")\b"
)

ROLE_MAX_WORDS = 10
NO_ROLE = "mentioned"


def _clause(text: str) -> str:
    """The text up to the end of its clause; a full stop after "U.S." or "Feb" ends nothing."""
    for m in _ROLE_BREAK.finditer(text):
        if m.group() == ".":
            head = text[:m.start()].split()
            token = head[-1] if head else ""
            if "." in token or token.lower() in _ABBREV or (len(token) == 1 and token.isupper()):
                continue  # "U.S.", "Feb.", "J."
        return text[:m.start()]
    return text


def _tidy(words: list[str]) -> str:
    """At most ROLE_MAX_WORDS words, ending at a word that ends a phrase (not "and", "the")."""
    words = words[:ROLE_MAX_WORDS]
    for i, w in enumerate(words):
        if i >= 4 and w.lower() in CONJUNCTION:
            words = words[:i]  # "struck the stronghold in eastern Syria", not "... and hundreds"
            break
    while words and (words[-1].lower().strip(",.") in ROLE_TRIM or not words[-1].strip(",.")):
        words = words[:-1]
    return " ".join(words).strip(" ,")


def _role(sent: str, end: int) -> str:
    """What the actor did: the verb phrase after its mention, to the clause end ("" if none)."""
    after = sent[end:end + 200]
    after = after[_ROLE_SKIP_LEAD.match(after).end():]  # type: ignore[union-attr]
    if not _ROLE_VERB.match(after):
        return ""
    role = _tidy(_clause(after).split())
    return role if len(role) >= 4 else ""


_RELATIVE_SPLIT = re.compile(r"\s+(?:who|whom|whose|which|that|where|said|says|told)\b")


def _description(appositive: str) -> str:
    """A person's description from an appositive: ", a Lebanese political analyst," -> its words."""
    text = _ARTICLE_LEAD.sub("", appositive.strip())
    text = _RELATIVE_SPLIT.split(_clause(text), maxsplit=1)[0]
    if _CLAUSE_VERB.search(text):
        return ""
    return _tidy(text.split())


_TITLE_STOP = re.compile(r"[^\w.'\u2019&-]")


def _title_before(before: str) -> str:
    """The title words right before a name: "Army spokesman Col. " -> "Army spokesman"."""
    words = before.split()
    out: list[str] = []
    for w in reversed(words):
        bare = w.strip(",")
        if bare != w or not bare or _TITLE_STOP.search(bare):
            break  # a clause or a quotation ends before the title: 'Logar," Taliban spokesman'

        if bare[:1].isupper() or bare.lower() in TITLES or bare.lower() in ("of", "for", "the"):
            out.insert(0, bare)
            if len(out) >= 5:
                break
            continue
        break
    while out and out[0].lower() in ("of", "for", "the"):
        out = out[1:]
    while out and (out[-1].endswith(".") and out[-1][:-1].isalpha() and len(out[-1]) <= 5
                   or out[-1].lower() in ("of", "for", "the")):
        out = out[:-1]  # a rank ("Col.") is part of the name's line, not the role
    if not any(w.lower() in TITLES for w in out):
        return ""
    return " ".join(out)


_BACKED = re.compile(r"(?P<by>[\w.]+)-(?:backed|supported|sponsored)$")
_BACKED_BEFORE = re.compile(r"(?P<by>[\w.]+)-(?:backed|supported|sponsored)\s+(?:\w+\s+)?$")
_BACKED_WORDS = ("-backed", "-supported", "-sponsored")  # one of them is in every match
_LOYAL_TO_LEAD = re.compile(r"^\s*loyal to\s+")


def _side_of(qual: str, loyal: str) -> str | None:
    """Whom a group fights for, when its own words say: "loyal to X", "X-backed", "pro-X"."""
    if loyal:
        who = _LOYAL_TO_LEAD.sub("", loyal).strip(" .,")
        tm = TITLE_SPLIT.match(who)
        return tm.group("rest") if tm else who or None
    if "-" not in qual:
        return None  # both marks below have a hyphen
    for w in qual.split():
        m = _BACKED.search(w)
        if m:
            return _backed_by(m.group("by"))
        if w.lower().startswith("pro-") and len(w) > 4:
            return w[4:]
    return None


def _backed_by(by: str) -> str:
    if "." in by or by.isupper() or by in COUNTRIES or by in METONYMS:
        article = "the " if "." in by or by.startswith("United") else ""
        return f"backed by {article}{by}"
    return f"{by}-backed"  # "Russian-backed", "Western-backed"

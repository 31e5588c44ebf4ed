"""The person rule: a name that reads as a person's, framed as one, and the kind of party the
person speaks for (an organisation named beside them, their title, or whose spokesman they are)."""

from __future__ import annotations

import re

from .._gazetteer import KNOWN_ORGS, TITLES
from ._found import _Actor, _Found
from ._kinds import _org_kind
from ._layout import _Sent
from ._lexicon import ACTOR_SKIP, COUNTRY_SET, CUE_KIND, CUE_RE, KNOWN_RE, ORG_HEAD, SPEECH, TITLE_RE
from ._match import _word_at
from ._roles import _description, _title_before
from ._said import _SPEECH_END

_APPOS = re.compile(
    r"^\s*,\s*(?=(?:a|an|the|his|her|its|their|one|another|former|senior|deputy|top|chief|"
    r"head|director|leader|spokesman|spokeswoman|commander|[A-Z][\w.'-]*)\s)"
    r"(?P<a>[^,]{3,150}?)(?:,|(?<!\.[A-Z])\.(?:\s|$)|$)"
)
_SPEAKS_AFTER = re.compile(
    rf"^\s*(?:,[^,]{{2,150}},\s*|\s+(?:of|from)\s+(?:the\s+)?[^,.]{{2,60}}?\s+)?"
    rf"(?:has |had |also |later |then )?(?:{SPEECH})\b"
)
_COMMA_END = re.compile(r",\s*$")
_COMMA_START = re.compile(r"^\s*,")
_SPOKES_HEAD = re.compile(r"(?:spokes\w*|officials?|office)\b")  # "a spokesman for X"

# A kind cue as (start, kind, names an organisation, end) in a context.
_Hit = tuple[int, str, bool, int]


def _is_personlike(name: str) -> bool:
    words = name.split()
    if not 2 <= len(words) <= 5:
        return False
    if ORG_HEAD.search(name) or name.lower() in COUNTRY_SET or name.lower() in KNOWN_ORGS:
        return False  # "Amnesty International, a London-based rights group": no person
    if any(w.lower() in ACTOR_SKIP or w.lower() in COUNTRY_SET for w in words):
        return False
    return all(w[0].isupper() or w.lower() in ("al", "bin", "de", "van", "von") or
               w.startswith("al-") for w in words) and not any(w.isupper() and len(w) > 1
                                                               for w in words)


def _person(f: _Found, s: _Sent, seq: str, start: int, before: str, after: str,
            title: re.Match[str] | None) -> None:
    """A person, if the text frames the name as one: a title before it ("U.S. President X",
    "spokesman X"), an appositive after it, a verb of speech, or commas around it."""
    cue_title = TITLE_RE.search(before)
    appos = _APPOS.match(after)
    if not (title or cue_title or appos or _SPEAKS_AFTER.match(after) or _SPEECH_END.search(before)
            or _COMMA_END.search(before) and _COMMA_START.match(after)):
        return
    title_word = (title.group("title") if title else cue_title.group() if cue_title
                  else "").lower().strip()
    kind = _person_kind(f, before, appos.group("a") if appos else None, title_word)
    a = f.add("p:" + seq.lower(), seq, kind, s, start, start + len(seq), person=True, weight=2)
    a.aliases.add(seq.split()[-1])  # the surname
    if not a.desc:
        # The article's text, not the sentence: the splitter may break after "U.N.".
        end = start + len(seq)
        whole = _APPOS.match(f.text[end:end + 200]) if appos else None
        a.desc = (_description(whole.group("a")) if whole else "") or _title_before(before)
    f.ctx.people.append((start, seq))


def _person_kind(f: _Found, before: str, appos: str | None, title_word: str) -> str:
    """The kind of party a person speaks for, the first that holds of: the organisation their
    appositive names, one named before their role ("Taliban spokesman X"), their title, any cue
    in the appositive or before the name, and whose spokesman they are ("Machar's spokesman")."""
    hits_a = _kind_hits(appos, f.named, f.acronyms) if appos is not None else []
    if appos is not None and len(hits_a) > 1:
        # "a spokesman for X": the organisation speaks louder than the title.
        text_a = appos.lower()
        hits_a = [h for h in hits_a if not _SPOKES_HEAD.match(text_a[h[0]:h[3]])]
    hits_b = _kind_hits(before, f.named, f.acronyms)
    org_a = [h for h in hits_a if h[2]]
    first = min(hits_a) if hits_a else None
    neutral = first is not None and appos is not None and _SPOKES_HEAD.match(
        appos.lower()[first[0]:first[3]])
    org_b = _org_before_role(before, hits_b)
    if org_a and first is not None and (first[2] or neutral):
        return min(org_a)[1]  # the organisation the appositive names
    if org_b:
        return org_b  # "Taliban spokesman X", "Hamas commander X"
    if title_word and (by_title := TITLES.get(title_word)):
        return by_title
    if hits_a:
        return min(hits_a)[1]
    if hits_b:
        return max(hits_b, key=lambda h: h[3])[1]
    return _owner_kind(before, f.persons) or "other"


def _kind_hits(context: str, named: list[_Actor], acronyms: dict[str, str]) -> list[_Hit]:
    """Kind cues in a context as (start, kind, names an organisation, end), for people."""
    hits: list[_Hit] = []
    low = context.lower()
    for acr, full in acronyms.items():
        for at in _word_at(context, acr):
            hits.append((at, _org_kind(full) or "other", True, at + len(acr)))
    for a in named:
        # A substring test first: most names found so far are not in this short context.
        if a.name not in context:
            continue
        for at in _word_at(context, a.name):
            hits.append((at, a.kind, True, at + len(a.name)))
    for m in KNOWN_RE.finditer(low):
        hits.append((m.start(), KNOWN_ORGS[m.group()], True, m.end()))
    for m in CUE_RE.finditer(low):
        if m.group() == "general" and _GENERAL_ADJ.match(low, m.end()):
            continue  # "the general secretariat": an adjective, not a rank
        hits.append((m.start(), CUE_KIND[m.group()], False, m.end()))
    return hits


_GENERAL_ADJ = re.compile(r"\s+(?:secretariat|secretary|assembly|elections?|strike|public|"
                          r"population|prosecutor|manager|counsel|director|consensus|amnesty|"
                          r"congress|conference|hospital|practitioner|interest|area)\b")

# What an organisation's person is called, right before the name: "Taliban spokesman X".
_ROLE_BEFORE_NAME = re.compile(
    r"^['\u2019]?s?\s+(?:(?:senior|top|chief|deputy|military|political|local|regional|field|"
    r"former|acting)\s+)?(?:spokes(?:man|woman|person)|officials?|commanders?|leaders?|chief|"
    r"head|representative|member|negotiator|envoy)\s+(?:(?:Col|Gen|Lt|Maj|Capt|Sgt|Brig|Dr|Mr|"
    r"Mrs|Ms|Sheikh)\.?\s+)*$"
)


def _org_before_role(before: str, hits: list[_Hit]) -> str | None:
    """The kind of the organisation a role before a name belongs to: "Hamas official X"."""
    for _start, kind, org, end in sorted(hits, key=lambda h: -h[3]):
        if org and _ROLE_BEFORE_NAME.match(before[end:]):
            return kind
    return None


_POSSESSOR_END = re.compile(r"\b([A-Z][\w'-]+)['\u2019]s\s+(?:\w+\s+){0,2}$")


def _owner_kind(before: str, persons: dict[str, _Actor]) -> str | None:
    """The kind of the person whose spokesman this is: "Machar's spokesman X"."""
    m = _POSSESSOR_END.search(before)
    if m:
        for a in persons.values():
            if m.group(1) in a.aliases:
                return a.kind
    return None

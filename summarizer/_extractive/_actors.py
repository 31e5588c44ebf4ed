"""The parties: named people and organisations, acting countries and generic groups."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .._gazetteer import GROUP_HEADS, KNOWN_ORGS, TITLES
from ._attribution import _Ctx
from ._kinds import _THE, _org_kind, _weak_armed_name
from ._layout import _Sent
from ._lexicon import (
    ACTOR_SKIP,
    ARMED_CONTEXT,
    COUNTRY_SET,
    CUE_KIND,
    CUE_RE,
    GROUP_HEAD,
    GROUP_LEAD_SKIP,
    GROUP_RE,
    KNOWN_RE,
    METONYM_SET,
    ORG_HEAD,
    QUALIFIER_SET,
    REGIONS,
    SPEAKING_BODIES,
    SPEECH,
    TERRITORY_SET,
    TITLE_RE,
    TITLE_SPLIT,
)
from ._match import _finditer_near, _word_at
from ._roles import _BACKED_BEFORE, _BACKED_WORDS, _backed_by, _description, _role, _side_of, _title_before
from ._said import _DIGIT, _SPEECH_END

_CAP = r"(?:[A-Z][\w'\u2019.&-]*|al-[A-Z][\w'-]*|\b(?:al|el)\s(?=[A-Z])[A-Z][\w'-]*|#[A-Za-z]\w+)"
# The lookahead names every character a name can start with: the same matches, but the regex
# engine can skip ahead to them instead of trying the whole pattern at every position.
_NAME_SEQ = re.compile(
    rf"(?=[A-Zae#]){_CAP}(?:\s+(?:(?:of|for|de|du|da|bin|ibn|van|von|al|el|the)\s+)*{_CAP})*"
)

_ACT_AFTER = re.compile(
    rf"^\s*(?:'s\s+\w+\s+)?(?:,[^,]{{2,80}},\s*)?(?:has |have |had |also |later |on \w+ |"
    rf"would |will |could |did not |does not |is |was |were |are )?"
    rf"(?:{SPEECH}|called|urged|launched|attacked|struck|killed|captured|claimed|denied|"
    rf"accused|blamed|backed|sent|carried|fired|shelled|condemned|agreed|vowed|threatened|"
    rf"responded|retook|seized|stormed|deployed|pledged|suspended|apologized|pressed|"
    rf"stepped|traded|waged|wants|hoped|signed|met|recaptured|targeted|authorized|"
    rf"intended|lent|intervene|mounted|entered|stopped|saw|watched|fought|fled|"
    rf"reported|believes|runs|expanded|retains|attempted|is|was|has|have|had)\b",
    re.I,
)
_APPOS = re.compile(
    r"^\s*,\s*(?=(?:a|an|the|his|her|its|their|one|another|former|senior|deputy|top|chief|"
    r"head|director|leader|spokesman|spokeswoman|commander|[A-Z][\w.'-]*)\s)"
    r"(?P<a>[^,]{3,150}?)(?:,|(?<!\.[A-Z])\.(?:\s|$)|$)"
)
_SPEAKS_AFTER = re.compile(
    rf"^\s*(?:,[^,]{{2,150}},\s*|\s+(?:of|from)\s+(?:the\s+)?[^,.]{{2,60}}?\s+)?"
    rf"(?:has |had |also |later |then )?(?:{SPEECH})\b"
)
_ADJ_END = re.compile(r"-(?:linked|backed|led|held|run|allied|affiliated|inspired)$")
_ADJ_AFTER = re.compile(r"^-(?:linked|backed|led|held|run|allied|affiliated|inspired)")

_THE_CAP = re.compile(r"^(?:The)\s+")

_ACRONYM_DEF = re.compile(r"((?:(?:al |el )?[A-Z][\w'-]*\s+(?:(?:of|for|the|in)\s+)*){1,6})"
                          r"\(([A-Z]{2,7})\)")
_INSTITUTION = re.compile(r"\b(?:University|Hospital|Airways)\b")

_COMMA_END = re.compile(r",\s*$")
_COMMA_START = re.compile(r"^\s*,")

_ARTICLE_CAP_LEAD = re.compile(r"^(?:The|A|An)\s+")
_SPOKES_HEAD = re.compile(r"(?:spokes\w*|officials?|office)\b")  # "a spokesman for X"
_PREP_END = re.compile(r"\b(?:in|of|to|from|into|across|near)\s*$")  # "in Syria": a place
_PREP_AT_END = re.compile(r"\b(?:in|of|to|from|into|across|near|at)\s*$")
_BACKED_BY_END = re.compile(r"backed (?:up )?by\s*$")


@dataclass
class _Actor:
    name: str
    kind: str
    first: int  # offset of first mention
    evidence: str
    aliases: set[str] = field(default_factory=set)
    person: bool = False
    side: str | None = None
    role: str = ""
    desc: str = ""  # a person's description: an appositive or a title
    score: int = 0


_INITIAL_END = re.compile(r"\b[A-Z]\.$")


def _split_name(seq: str) -> str:
    if seq.endswith(("'s", "\u2019s")):  # a possessive (seq ends in no white space)
        seq = seq[:-2]
    if seq.endswith(".") and not _INITIAL_END.search(seq):
        seq = seq[:-1]
    return seq.strip()


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


def _group_key(qual: str, head: str) -> str:
    """Phrases naming the same body share a key: 'Israeli soldiers' ~ 'Israeli forces'."""
    kind = GROUP_HEADS[head.lower()]
    if kind == "civilians":
        return "civilians"
    words = qual.split()
    caps = [w for w in words if w[:1].isupper() and w.lower() not in ACTOR_SKIP]
    if caps:
        tag = caps[0].lower().rstrip("'s")
    else:
        tag = "|".join(sorted(w.lower() for w in words if w.lower() in QUALIFIER_SET))
    return f"{kind}:{tag}"


def _actors(text: str, sents: list[_Sent], ctx: _Ctx) -> list[_Actor]:
    """Find the parties: named people and organisations, acting countries and generic groups."""
    body = [s for s in sents if s.kind in ("body", "bullet")]
    found: dict[str, _Actor] = {}
    persons: dict[str, _Actor] = {}  # the people among found, in the same order (fewer to scan)
    acronyms: dict[str, str] = {}  # "SDF" -> "Syrian Democratic Forces"

    def add(key: str, name: str, kind: str, sent: _Sent, pos: int, end: int,
            person: bool = False, weight: int = 1) -> _Actor:
        a = found.get(key)
        if a is None:
            a = _Actor(name, kind, pos, sent.text, person=person)
            found[key] = a
            if person:
                persons[key] = a
        if not a.role:
            a.role = _role(text, end)
        if a.side is None and not person:
            before = sent.text[max(0, pos - sent.start - 40):pos - sent.start]
            # The pattern is tried at every offset; most mentions have no "-backed" before them.
            if any(w in before for w in _BACKED_WORDS):
                bm = _BACKED_BEFORE.search(before)
                if bm:
                    a.side = _backed_by(bm.group("by"))
        a.aliases.add(name)
        a.score += weight
        return a

    # Acronym definitions: "Syrian Democratic Forces (SDF)".
    for s in body:
        if "(" not in s.text:
            continue
        for m in _ACRONYM_DEF.finditer(s.text):
            full = _split_name(m.group(1).strip())
            full = _ARTICLE_CAP_LEAD.sub("", full)
            acronyms[m.group(2)] = full

    for s in body:
        for m in _NAME_SEQ.finditer(s.text):
            seq = m.group()
            start = s.start + m.start()
            # Drop sentence-initial function words ("The", "But", "In").
            words = seq.split()
            while words and words[0].lower().strip(".,") in ACTOR_SKIP:
                start += len(words[0]) + 1
                words = words[1:]
            if not words:
                continue
            seq = _split_name(" ".join(words))
            if not seq or seq.lower() in ACTOR_SKIP:
                continue
            pos_in_sent = start - s.start
            before = s.text[max(0, pos_in_sent - 60):pos_in_sent]
            end_in_sent = pos_in_sent + len(seq)
            after = s.text[end_in_sent:end_in_sent + 140]
            # Split a title off the front: "U.S. President Donald Trump".
            title_kind: str | None = None
            # A title needs a name after it; seq's words are joined by single spaces.
            tm = TITLE_SPLIT.match(seq) if " " in seq else None
            if tm and len(tm.group("rest").split()) >= 1:
                title_kind = TITLES.get(tm.group("title").lower())
                pre = tm.group("pre").strip()
                off = seq.index(tm.group("rest"), tm.start("rest"))
                start += off
                pos_in_sent += off
                before = s.text[max(0, pos_in_sent - 60):pos_in_sent]
                seq = tm.group("rest")
                if pre:
                    before = before  # the organisation before the title informs the kind
            low = seq.lower()
            if "-" in seq and _ADJ_END.search(seq) or after.startswith("-") and _ADJ_AFTER.match(after):
                continue  # "Islamic State-linked militants": an adjective, not a mention
            is_known = low in KNOWN_ORGS or (
                low.startswith("the") and _THE.sub("", low) in KNOWN_ORGS)
            if seq in acronyms:
                full = acronyms[seq]
                kind = _org_kind(full) or _org_kind(seq) or "other"
                add(full.lower(), full, kind, s, start, start + len(seq))
                found[full.lower()].aliases.add(seq)
                ctx.orgs.append((start, full))
                continue
            if _is_personlike(seq):
                cue_title = TITLE_RE.search(before)
                appos = _APPOS.match(after)
                speaks = _SPEAKS_AFTER.match(after) or _SPEECH_END.search(before)
                framed = _COMMA_END.search(before) and _COMMA_START.match(after)
                if not (title_kind or cue_title or appos or speaks or tm or framed):
                    continue
                title_word = (tm.group("title") if tm else cue_title.group() if cue_title
                              else "").lower().strip()
                hits_a = _kind_hits(appos.group("a"), found, acronyms) if appos else []
                if appos and len(hits_a) > 1:
                    # "a spokesman for X": the organisation speaks louder than the title.
                    text_a = appos.group("a").lower()
                    hits_a = [h for h in hits_a if not _SPOKES_HEAD.match(text_a[h[0]:h[3]])]
                hits_b = _kind_hits(before[-60:], found, acronyms)
                org_a = [h for h in hits_a if h[2]]
                pkind: str | None = None
                first = min(hits_a) if hits_a else None
                neutral = first is not None and appos is not None and _SPOKES_HEAD.match(
                    appos.group("a").lower()[first[0]:first[3]])
                org_b = _org_before_role(before[-60:], hits_b)
                if org_a and first is not None and (first[2] or neutral):
                    pkind = min(org_a)[1]  # the organisation the appositive names
                elif org_b:
                    pkind = org_b  # "Taliban spokesman X", "Hamas commander X"
                elif title_word and TITLES.get(title_word):
                    pkind = TITLES[title_word]
                elif hits_a:
                    pkind = min(hits_a)[1]
                elif hits_b:
                    pkind = max(hits_b, key=lambda h: h[3])[1]
                else:
                    pkind = _owner_kind(before, persons) or "other"
                surname = seq.split()[-1]
                a = add("p:" + seq.lower(), seq, pkind or "other", s, start, start + len(seq), person=True,
                        weight=2)
                a.aliases.add(surname)
                if not a.desc:
                    # The article's text, not the sentence: the splitter may break after "U.N.".
                    whole = _APPOS.match(text[start + len(seq):start + len(seq) + 200]) if appos else None
                    a.desc = (_description(whole.group("a")) if whole else "") or _title_before(before)
                ctx.people.append((start, seq))
                continue
            if len(seq.split()) == 1 and seq.lower() not in KNOWN_ORGS:
                # A surname already known as a person.
                for a in persons.values():
                    if seq in a.aliases:
                        a.score += 1
                        ctx.people.append((start, a.name))
                        break
                else:
                    if (seq.isupper() and 2 <= len(seq) <= 6 and _ACT_AFTER.match(after)
                            and not _DIGIT.search(seq)):
                        kind = _org_kind(seq) or "other"
                        add(low, seq, kind, s, start, start + len(seq))
                        ctx.orgs.append((start, seq))
                    elif (low in COUNTRY_SET and low not in TERRITORY_SET
                          or low in METONYM_SET) and (
                        _ACT_AFTER.match(after) and not _PREP_END.search(before)
                        or _BACKED_BY_END.search(before)
                    ):
                        add("c:" + low, seq, "government", s, start, start + len(seq))
                continue
            if is_known or ORG_HEAD.search(seq):
                base = _THE_CAP.sub("", seq)
                kind = _org_kind(base) or "other"
                if kind == "other" and not is_known and _weak_armed_name(base.lower()) and \
                        ARMED_CONTEXT.search(s.text):
                    kind = "non_state_armed_group"  # "the X Front claimed the attack"
                if kind == "media" and _self_outlet(text, base):
                    continue
                if _INSTITUTION.search(base) and not _ACT_AFTER.match(
                        after):
                    continue
                key = base.lower()
                for _acr, full in acronyms.items():
                    if full.lower() == key:
                        key = full.lower()
                # Merge "Islamic State militants"-style mentions with the bare name.
                add(key, base, kind, s, start, start + len(base))
                ctx.orgs.append((start, base))
                continue
            if (low in COUNTRY_SET and low not in TERRITORY_SET) or low in METONYM_SET:
                if _ACT_AFTER.match(after) and not _PREP_AT_END.search(before) or \
                        _BACKED_BY_END.search(before):
                    add("c:" + low, seq, "government", s, start, start + len(seq))

        # Common-noun groups: "Israeli forces", "troops loyal to Kiir", "civilians".
        for m in _finditer_near(GROUP_RE, GROUP_HEAD, s.text):
            qual, head = m.group("qual"), m.group("head")
            qwords = qual.split()
            while qwords and qwords[0].lower() in GROUP_LEAD_SKIP:
                qwords = qwords[1:]
            qual = " ".join(qwords)
            name = (qual + " " + head).strip() + (m.group("loyal") or "").rstrip()
            name = name.strip()
            kind = GROUP_HEADS[head.lower()]
            if qual and kind != "civilians":
                lowq = qual.lower()
                if any(w in lowq for w in ("rebel", "insurgent", "militant", "opposition",
                                           "islamist")) or qual in acronyms or _org_kind(
                        qual) == "non_state_armed_group":
                    kind = "non_state_armed_group"
                elif m.group("loyal") and head.lower() in ("forces", "troops", "fighters"):
                    kind = "state_force"
            if head.lower() in ("fighters", "militants") and qual:
                # "Islamic State militants" is the group itself.
                okey = qual.lower()
                if okey in found or okey in KNOWN_ORGS:
                    continue
            key = _group_key(qual, head)
            if m.group("loyal"):
                key += ":" + m.group("loyal").split()[-1].lower()
                kind = "non_state_armed_group" if head.lower() in ("forces", "fighters") and \
                    "vice" in m.group("loyal").lower() else kind
            start = s.start + m.start() + (len(m.group("qual")) - len(m.group("qual").lstrip()))
            prev = found.get("g:" + key)
            if prev is not None and len(name.split()) > len(prev.name.split()) and prev.score < 2:
                prev.name = name
            g = add("g:" + key, name, kind, s, start, s.start + m.end())
            if head.lower() in SPEAKING_BODIES:
                ctx.orgs.append((start, name))  # "the U.S.-led coalition ..., it said"
            if g.side is None:
                g.side = _side_of(m.group("qual"), m.group("loyal") or "")

    return list(found.values())


GENERIC_MIN = 2  # bare group nouns ('fighters') must recur to count

_CREDIT_LINE = re.compile(r"(?:Reporting|Editing) by")


def _self_outlet(text: str, name: str) -> bool:
    """True if a media name is the article's own outlet ('told Reuters', credits, captions)."""
    return name.lower() == "reuters" and _CREDIT_LINE.search(text) is not None


def _kind_hits(context: str, found: dict[str, _Actor],
               acronyms: dict[str, str]) -> list[tuple[int, str, bool, int]]:
    """Kind cues in a context as (start, kind, names an organisation, end), for people."""
    hits: list[tuple[int, str, bool, int]] = []
    low = context.lower()
    for acr, full in acronyms.items():
        for at in _word_at(context, acr):
            hits.append((at, _org_kind(full) or "other", True, at + len(acr)))
    for key, a in found.items():
        # A substring test first: most names found so far are not in this short context.
        if a.name not in context or a.person or key.startswith(("g:", "c:")) or len(a.name) < 3:
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


def _org_before_role(before: str, hits: list[tuple[int, str, bool, int]]) -> str | None:
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

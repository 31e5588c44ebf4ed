"""The parties found so far while the engine reads, and how one more mention is added."""

from __future__ import annotations

from dataclasses import dataclass, field

from ._attribution import _Ctx
from ._layout import _Sent
from ._roles import _BACKED_BEFORE, _BACKED_WORDS, _backed_by, _role


@dataclass(slots=True)
class _Actor:
    name: str
    kind: str
    first: int  # offset of first mention
    evidence: str
    aliases: set[str] = field(default_factory=set)
    person: bool = False
    side: str | None = None
    desc: str = ""  # a person's description: an appositive or a title
    score: int = 0
    ends: list[int] = field(default_factory=list)  # where each mention ends, in order

    def role(self, text: str) -> str:
        """What the actor did: the verb phrase after its first mention that has one. Worked out
        only for the actors kept, when asked (most mentions are of actors that are not)."""
        for end in self.ends:
            role = _role(text, end)
            if role:
                return role
        return ""


class _Found:
    """What the actor rules share while they read one article: the parties found so far (the
    people among them apart, fewer to scan), the acronyms the article defines, and the reading
    context where names are recorded for attribution."""

    __slots__ = ("text", "ctx", "acronyms", "found", "persons", "named")

    def __init__(self, text: str, ctx: _Ctx, acronyms: dict[str, str]) -> None:
        self.text = text
        self.ctx = ctx
        self.acronyms = acronyms  # "SDF" -> "Syrian Democratic Forces"
        self.found: dict[str, _Actor] = {}
        self.persons: dict[str, _Actor] = {}
        # The organisations named so far (no person, group or country), in the order found:
        # the parties whose names may show a person's kind.
        self.named: list[_Actor] = []

    def add(self, key: str, name: str, kind: str, sent: _Sent, pos: int, end: int,
            person: bool = False, weight: int = 1) -> _Actor:
        """Count a mention of the party under key, creating it at its first."""
        a = self.found.get(key)
        if a is None:
            a = _Actor(name, kind, pos, sent.text, person=person)
            self.found[key] = a
            if person:
                self.persons[key] = a
            elif not key.startswith(("g:", "c:")) and len(name) >= 3:
                self.named.append(a)  # a group's name may change; an organisation's does not
        a.ends.append(end)
        if a.side is None and not person:
            before = sent.text[max(0, pos - sent.start - 40):pos - sent.start]
            # The pattern is tried at every offset; most mentions have no "-backed" before them
            # (nor any hyphen, a cheaper first test).
            if "-" in before and any(w in before for w in _BACKED_WORDS):
                bm = _BACKED_BEFORE.search(before)
                if bm:
                    a.side = _backed_by(bm.group("by"))
        a.aliases.add(name)
        a.score += weight
        return a

"""The kind of a named organisation, from the gazetteer and the cue words in its name."""

from __future__ import annotations

import re

from .._gazetteer import KNOWN_ORGS
from ._lexicon import ARMED_NAME_RE, CUE_KIND, CUE_RE, KNOWN_LONG_RE, WEAK_ARMED, WEAK_ARMED_HEAD

_THE = re.compile(r"^the\s+")

_STATE_FORCES = re.compile(r"\b(?:armed|defen[cs]e|security|special|air|naval)\s+forces?\b")
_FORCES = re.compile(r"\bforces\b")

_INSTITUTION_LOW = re.compile(r"\b(?:university|hospital|airways|clinic|school|college)\b")


def _kind_from_cues(text: str, prefer_near_end: bool = True) -> str | None:
    """The kind a context implies, from the cue nearest its end (or start)."""
    best: tuple[int, str] | None = None
    for m in CUE_RE.finditer(text.lower()):
        pos = m.end() if prefer_near_end else -m.start()
        if best is None or pos > best[0]:
            best = (pos, CUE_KIND[m.group()])
    return best[1] if best else None


def _org_kind(name: str) -> str | None:
    low = name.lower().strip()
    if low.startswith("the"):  # the only start _THE can take off
        low = _THE.sub("", low)
    if low in KNOWN_ORGS:
        return KNOWN_ORGS[low]
    m = KNOWN_LONG_RE.search(low)
    if m:
        return KNOWN_ORGS[m.group()]
    if "force" in low and _STATE_FORCES.search(low):  # both patterns hold "force"
        return "state_force"
    if "forces" in low and _FORCES.search(low):
        return "non_state_armed_group"  # a named "X Forces" outside the state's own forces
    if _INSTITUTION_LOW.search(low):
        return "other"  # "Al-Rantisi Hospital for Children": a facility, whatever it serves
    kind = _kind_from_cues(low)
    if kind == "non_state_armed_group" and _weak_armed_name(low):
        return "other"  # "NSO Group", "Front Line Defenders": armed only where the text says so
    return kind


def _weak_armed_name(low: str) -> bool:
    """True if only a "group"/"front"/"movement" head would make a name an armed group."""
    if not WEAK_ARMED_HEAD.search(low):
        return False
    for cm in CUE_RE.finditer(low):
        if CUE_KIND[cm.group()] == "non_state_armed_group" and cm.group() not in WEAK_ARMED:
            return False
    return not ARMED_NAME_RE.search(low)

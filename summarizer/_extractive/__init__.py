"""The model-free engine: a brief built from an article by rules, cue words and small gazetteers.

Everything here is deterministic and pure. Every evidence string is a sentence (or part of one) of
the article, every figure is parsed from its own evidence and every name is copied from the text,
so the brief grounds by construction.
"""

from __future__ import annotations

from .._brief import Actor, ActorKind, Brief
from ._actors import _actors_in, _select_actors
from ._attribution import _Ctx
from ._figure_list import _figures
from ._layout import _layout_of, _sentences
from ._outlook import _outlook_of, _situation
from ._places import _places_in, _when
from ._roles import NO_ROLE

__all__ = ["extract"]


def extract(article: str) -> Brief:
    """Build a brief from an article by rules alone: lead, figures, parties, places, outlook."""
    text = article.replace("\r\n", "\n")
    layout = _layout_of(text)
    sents = _sentences(text, layout)
    ctx = _Ctx()
    cands = _actors_in(text, sents, ctx)
    actors_kept = _select_actors(cands)
    ctx.people.sort()
    ctx.orgs.sort()

    figures = _figures(text, sents, ctx)
    actors = [
        Actor(name=a.name, kind=ActorKind(a.kind), side=a.side, role=a.desc or a.role(text) or NO_ROLE,
              evidence=a.evidence)
        for a in actors_kept
    ]
    names = {a.name for a in actors_kept} | {n for a in actors_kept for n in a.aliases}
    where = _places_in(text, sents, names)
    return Brief(situation=_situation(sents), where=where, when=_when(sents), actors=actors,
                 numbers=figures, outlook=_outlook_of(sents, ctx))

"""The model-free engine: a brief built from an article by rules, cue words and small gazetteers.

Everything here is deterministic and pure. Every evidence string is a sentence (or part of one) of
the article, every figure is parsed from its own evidence and every name is copied from the text,
so the brief grounds by construction.
"""

from __future__ import annotations

from .._brief import Actor, ActorKind, Brief
from ._actors import _actors, _select_actors
from ._attribution import _Ctx
from ._figure_list import _figures
from ._layout import _layout, _sentences
from ._outlook import _outlook, _situation
from ._places import _places, _when
from ._roles import NO_ROLE


def extract(article: str) -> Brief:
    """Build a brief from an article by rules alone: lead, figures, parties, places, outlook."""
    text = article.replace("\r\n", "\n")
    layout = _layout(text)
    sents = _sentences(text, layout)
    ctx = _Ctx()
    cands = _actors(text, sents, ctx)
    actors_kept = _select_actors(cands)
    ctx.people.sort()
    ctx.orgs.sort()

    figures = _figures(text, sents, ctx)
    actors = [
        Actor(name=a.name, kind=ActorKind(a.kind), side=a.side, role=a.desc or a.role or NO_ROLE,
              evidence=a.evidence)
        for a in actors_kept
    ]
    names = {a.name for a in actors_kept} | {n for a in actors_kept for n in a.aliases}
    where = _places(text, sents, names)
    return Brief(situation=_situation(sents), where=where, when=_when(sents), actors=actors,
                 numbers=figures, outlook=_outlook(sents, ctx))

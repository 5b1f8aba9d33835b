"""Choosing an agent from the directory's ranking, and knowing when to ask instead."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pausepoint.agents.directory import ScoredCard

#: Below this BM25 score a match is too weak to act on without asking.
MIN_SCORE = 1.2
#: A runner-up scoring at least this share of the best makes the choice ambiguous.
AMBIGUOUS_SHARE = 0.8


@dataclass(frozen=True, slots=True)
class Choice:
    """The best candidate, or (when `ask` is set) the candidates to ask the user about."""

    best: ScoredCard | None
    ask: tuple[ScoredCard, ...] = ()


def choose(candidates: Sequence[ScoredCard]) -> Choice:
    if not candidates or candidates[0].score < MIN_SCORE:
        return Choice(best=candidates[0] if candidates else None, ask=tuple(candidates))
    best = candidates[0]
    close = tuple(c for c in candidates if c.score >= AMBIGUOUS_SHARE * best.score)
    if len(close) > 1:
        return Choice(best=best, ask=close)
    return Choice(best=best)

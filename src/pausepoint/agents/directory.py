"""The agent directory: every agent's card, searched and ranked for a task."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pydantic import BaseModel, ConfigDict

from pausepoint.agents.cards import AgentCard
from pausepoint.agents.scoring import BM25Scorer, Scorer


class ScoredCard(BaseModel):
    """A card and how well it matched a task (higher is better)."""

    model_config = ConfigDict(frozen=True)

    card: AgentCard
    score: float


class AgentDirectory:
    """Holds cards by name; `search` ranks them for a task with a pluggable scorer."""

    def __init__(self, cards: Iterable[AgentCard] = (), scorer: Scorer | None = None) -> None:
        self._cards: dict[str, AgentCard] = {}
        self._scorer: Scorer = scorer or BM25Scorer()
        self._order: list[AgentCard] = []
        for card in cards:
            self._cards[card.name] = card
        self._reindex()

    def _reindex(self) -> None:
        self._order = sorted(self._cards.values(), key=lambda c: c.name)
        self._scorer.index([c.search_text() for c in self._order])

    def add(self, card: AgentCard) -> None:
        self._cards[card.name] = card
        self._reindex()

    def get(self, name: str) -> AgentCard | None:
        return self._cards.get(name)

    def __iter__(self) -> Iterator[AgentCard]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def search(self, query: str, *, limit: int = 5, min_score: float = 0.0) -> list[ScoredCard]:
        """The best `limit` cards for `query`, best first; ties break by name."""
        scores = self._scorer.scores(query)
        ranked = sorted(
            ((s, c) for s, c in zip(scores, self._order, strict=True) if s > min_score),
            key=lambda sc: (-sc[0], sc[1].name),
        )
        return [ScoredCard(card=c, score=round(s, 4)) for s, c in ranked[:limit]]

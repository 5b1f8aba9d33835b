"""Helpers for orchestrator tests: probe agents, and registries that also know them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import pytest
from langchain_core.runnables import RunnableConfig

from pausepoint.agents.base import Agent, AgentError, AgentOutput, AgentRequest
from pausepoint.agents.cards import AgentCard, AgentSkill
from pausepoint.orchestrator.workflow import orchestrator_workflow
from pausepoint.workflows.registry import WorkflowRegistry
from pausepoint.workflows.story import STORY


class RendezvousAgent:
    """Records when it starts, then waits (up to a generous timeout) for its partner to start.

    Two of these finish only if they run at the same time: run one after the other, the
    first one waits in vain and fails.
    """

    def __init__(self, name: str, mine: asyncio.Event, partner: asyncio.Event) -> None:
        self._card = AgentCard(
            name=name,
            description=f"The {name} probe",
            skills=(AgentSkill(id=name, name=name, tags=(name, "probe")),),
        )
        self._mine, self._partner = mine, partner
        self.started_at: datetime | None = None

    @property
    def card(self) -> AgentCard:
        return self._card

    async def arun(self, request: AgentRequest, config: RunnableConfig) -> AgentOutput:
        self.started_at = datetime.now(UTC)
        self._mine.set()
        try:
            await asyncio.wait_for(self._partner.wait(), timeout=60)
        except TimeoutError as exc:
            raise AgentError(f"{self._card.name} ran alone") from exc
        return AgentOutput(text=f"{self._card.name} met its partner")


class CountingAgent:
    """Counts its runs: a side effect that must happen once per task, resumes or not."""

    def __init__(self) -> None:
        self._card = AgentCard(
            name="tally",
            description="Keeps a tally",
            skills=(AgentSkill(id="tally", name="tally", tags=("tally", "count")),),
        )
        self.runs = 0

    @property
    def card(self) -> AgentCard:
        return self._card

    async def arun(self, request: AgentRequest, config: RunnableConfig) -> AgentOutput:
        self.runs += 1
        return AgentOutput(text=f"tally {self.runs}")


@pytest.fixture
def counting_agent() -> CountingAgent:
    return CountingAgent()


@pytest.fixture
def rendezvous_pair() -> Callable[[], list[RendezvousAgent]]:
    def make() -> list[RendezvousAgent]:
        a, b = asyncio.Event(), asyncio.Event()
        return [RendezvousAgent("alpha", a, b), RendezvousAgent("bravo", b, a)]

    return make


@pytest.fixture
def registry_with() -> Callable[[Sequence[Agent]], WorkflowRegistry]:
    """A registry of the story workflow and an orchestrator that also knows `agents`."""

    def make(agents: Sequence[Agent]) -> WorkflowRegistry:
        registry = WorkflowRegistry({STORY.name: STORY})
        registry.register(orchestrator_workflow(registry, extra_agents=lambda: list(agents)))
        return registry

    return make

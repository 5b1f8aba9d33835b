"""The Agent protocol: a card that says what it does, and `arun` that does it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from langchain_core.runnables import RunnableConfig
from pydantic import BaseModel, ConfigDict

from pausepoint.agents.cards import AgentCard


@dataclass(frozen=True, slots=True)
class AgentRequest:
    """A task in words, and the outputs of the tasks it depends on (by task id)."""

    task: str
    inputs: Mapping[str, AgentOutput] = field(default_factory=dict)


class AgentOutput(BaseModel):
    """What an agent returns: a line for people and the data behind it."""

    model_config = ConfigDict(frozen=True)

    text: str
    data: Any = None


@dataclass(frozen=True, slots=True)
class Needs:
    """What a task's words must hold before an agent can do it (numbers, a text to summarise),
    and the question that asks the person for it when they do not.

    An agent that declares `needs` (an attribute) lets the orchestrator ask before running it,
    instead of running it on a request it cannot do.
    """

    pattern: re.Pattern[str]
    question: str
    example: str

    def missing(self, task: str) -> bool:
        """True when `task` (searched lower-cased) does not hold what the agent needs."""
        return self.pattern.search(task.lower()) is None


class AgentError(Exception):
    """The agent could not do the task (bad or missing data in the request)."""


class Agent(Protocol):
    """Anything the orchestrator can call.

    `arun` runs inside an orchestrator node with that node's `config`: a workflow agent runs
    its graph as a subgraph there, so its pauses become the orchestrator thread's pauses.
    """

    @property
    def card(self) -> AgentCard: ...

    async def arun(self, request: AgentRequest, config: RunnableConfig) -> AgentOutput: ...

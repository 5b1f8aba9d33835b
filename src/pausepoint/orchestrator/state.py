"""The orchestrator's state: pydantic values (registered with the checkpoint serializer).

design-notes/4 lost conversations because cards and plans in state could not be serialised;
every type here is named in `STATE_TYPES`, which the workflow hands to the serializer's
allow-list, so they round-trip through any checkpointer with strict msgpack.
"""

from __future__ import annotations

import operator
from datetime import datetime
from typing import Annotated, Any, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field

from pausepoint.agents.base import AgentOutput
from pausepoint.agents.cards import AgentCard, AgentSkill
from pausepoint.agents.directory import ScoredCard


class TaskSpec(BaseModel):
    """One thing the request asks for, in the user's words."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    depends_on: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = ()


class TaskAgentPair(BaseModel):
    """The agent chosen for a task, and why (`ranked`, `asked` the user, or the `model`)."""

    model_config = ConfigDict(frozen=True)

    task_id: str
    agent: str
    score: float = 0.0
    chosen_by: Literal["ranked", "asked", "model"] = "ranked"


class PlannedTask(BaseModel):
    """A task in the plan: who runs it, after which tasks, in which wave."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    agent: str
    kind: str = "local"
    depends_on: tuple[str, ...] = ()
    wave: int = 0


class TaskResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    task_id: str
    agent: str
    status: Literal["done", "failed", "skipped"]
    output: AgentOutput | None = None
    error: str | None = None
    started_at: datetime
    finished_at: datetime


class Clarification(BaseModel):
    """The user's answer to 'which agent should do this?'."""

    agent: str = Field(description="The agent to use.")


class PlanApproval(BaseModel):
    decision: Literal["approve", "reject"]
    comments: str | None = None


def merge_steps(
    left: dict[str, dict[str, Any]], right: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    merged = dict(left)
    for key, value in right.items():
        merged[key] = {**merged.get(key, {}), **value}
    return merged


class OrchestratorState(TypedDict, total=False):
    prompt: str
    tasks: list[TaskSpec]
    candidates: dict[str, list[ScoredCard]]
    pairs: list[TaskAgentPair]
    unclear: list[str]
    plan: list[PlannedTask]
    rejected: str | None
    results: Annotated[list[TaskResult], operator.add]
    steps: Annotated[dict[str, dict[str, Any]], merge_steps]
    answer: str


class RunTaskInput(TypedDict):
    task: PlannedTask
    inputs: dict[str, TaskResult]


STATE_TYPES: tuple[type, ...] = (
    AgentCard,
    AgentSkill,
    AgentOutput,
    ScoredCard,
    TaskSpec,
    TaskAgentPair,
    PlannedTask,
    TaskResult,
    Clarification,
    PlanApproval,
)

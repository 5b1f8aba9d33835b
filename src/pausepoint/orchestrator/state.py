"""The orchestrator's state: pydantic values (registered with the checkpoint serializer).

design-notes/4 lost conversations because cards and plans in state could not be serialised;
every type here is named in `STATE_TYPES`, which the workflow hands to the serializer's
allow-list, so they round-trip through any checkpointer with strict msgpack.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

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
    digest: str | None = Field(default=None, description="The digest of the plan approved.")
    comments: str | None = None


class Details(BaseModel):
    """The person's words when asked what they need, or for the data a task lacks."""

    text: str = Field(min_length=1, pattern=r"\S", description="Your answer, in your own words.")


class Rejection(BaseModel):
    """A plan a person rejected: who (when the run knows its actor) and why."""

    model_config = ConfigDict(frozen=True)

    by: str | None = None
    reason: str


def merge_steps(
    left: dict[str, dict[str, Any]], right: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    merged = dict(left)
    for key, value in right.items():
        merged[key] = {**merged.get(key, {}), **value}
    return merged


class OrchestratorState(TypedDict, total=False):
    prompt: str
    max_results: int | None
    request: str  # what is planned: the prompt, or the person's words after a guidance question
    found: list[ScoredCard] | None  # a find request's matches (nothing is run)
    tasks: list[TaskSpec]
    candidates: dict[str, list[ScoredCard]]
    pairs: list[TaskAgentPair]
    unclear: list[str]
    plan: list[PlannedTask]
    rejected: Rejection | str | None  # a str in threads from before Rejection
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
    Details,
    Rejection,
)


# A checkpointer that does not know our types (Studio's) hands state back as plain dicts;
# nodes read state through these, which pass model instances through untouched.
_TASKS: TypeAdapter[list[TaskSpec]] = TypeAdapter(list[TaskSpec])
_PAIRS: TypeAdapter[list[TaskAgentPair]] = TypeAdapter(list[TaskAgentPair])
_PLAN: TypeAdapter[list[PlannedTask]] = TypeAdapter(list[PlannedTask])
_RESULTS: TypeAdapter[list[TaskResult]] = TypeAdapter(list[TaskResult])
_CANDIDATES: TypeAdapter[dict[str, list[ScoredCard]]] = TypeAdapter(dict[str, list[ScoredCard]])
_FOUND: TypeAdapter[list[ScoredCard]] = TypeAdapter(list[ScoredCard])
_INPUTS: TypeAdapter[dict[str, TaskResult]] = TypeAdapter(dict[str, TaskResult])


def tasks_of(state: Mapping[str, Any]) -> list[TaskSpec]:
    return _TASKS.validate_python(state.get("tasks") or [])


def pairs_of(state: Mapping[str, Any]) -> list[TaskAgentPair]:
    return _PAIRS.validate_python(state.get("pairs") or [])


def plan_of(state: Mapping[str, Any]) -> list[PlannedTask]:
    return _PLAN.validate_python(state.get("plan") or [])


def results_of(state: Mapping[str, Any]) -> list[TaskResult]:
    return _RESULTS.validate_python(state.get("results") or [])


def candidates_of(state: Mapping[str, Any]) -> dict[str, list[ScoredCard]]:
    return _CANDIDATES.validate_python(state.get("candidates") or {})


def found_of(state: Mapping[str, Any]) -> list[ScoredCard] | None:
    """A find request's matches; None when the request was not a find request."""
    found = state.get("found")
    return None if found is None else _FOUND.validate_python(found)


def rejection_of(state: Mapping[str, Any]) -> Rejection | None:
    rejected = state.get("rejected")
    if not rejected:
        return None
    if isinstance(rejected, str):
        return Rejection(reason=rejected)
    return Rejection.model_validate(rejected)


def run_task_input(payload: Mapping[str, Any]) -> tuple[PlannedTask, dict[str, TaskResult]]:
    return PlannedTask.model_validate(payload["task"]), _INPUTS.validate_python(payload["inputs"])

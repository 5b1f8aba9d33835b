"""What a DAG step's agent is: an async callable from a request to an output.

An agent returns its output (any JSON value), raises to fail the step (retried if the step
allows), or returns `RequiresApproval(message, payload)` to have a person approve the exact
payload first. After approval, an agent that also has `execute(request, payload)` carries
the approved (possibly edited) payload out; its return value becomes the step's output.

An agent that asks for approval should say so (have `execute`, or `asks_for_approval =
True`): its call is then checkpointed apart and never repeated when the step resumes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel


@dataclass(frozen=True, slots=True)
class StepRequest:
    """What an agent gets: the step, its rendered input, and the context it may read."""

    workflow: str
    step: str
    input: str
    context: Mapping[str, Any]
    attempt: int = 1


@dataclass(frozen=True, slots=True)
class RequiresApproval:
    """An agent's answer meaning: a person must approve `payload` before it is carried out.

    `payload_model`, if given, validates a payload the person edits before approving.
    """

    message: str
    payload: dict[str, Any]
    title: str = ""
    payload_model: type[BaseModel] | None = None
    assignee: str | None = None


@runtime_checkable
class StepAgent(Protocol):
    async def run(self, request: StepRequest) -> Any: ...


@runtime_checkable
class ExecutingStepAgent(StepAgent, Protocol):
    async def execute(self, request: StepRequest, payload: dict[str, Any]) -> Any: ...


StepAgents = Mapping[str, StepAgent]


def asks_for_approval(agent: StepAgent) -> bool:
    """Whether `agent` declares it may return RequiresApproval."""
    return (
        isinstance(agent, ExecutingStepAgent) or getattr(agent, "asks_for_approval", False) is True
    )

"""The orchestrator as a registered workflow (`orchestrator`, input `{"prompt": str}`, and
optionally `max_results`).

Its agents are the local tool agents plus every other workflow in the registry, read when
the graph is built, so workflows registered by anyone become agents with no code here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from langgraph.graph import StateGraph
from langgraph.pregel import Pregel
from pydantic import AliasChoices, BaseModel, Field

from pausepoint.agents.base import Agent
from pausepoint.agents.local import local_agents
from pausepoint.orchestrator.graph import build_orchestrator
from pausepoint.orchestrator.planner import make_planner
from pausepoint.orchestrator.result import result
from pausepoint.orchestrator.state import STATE_TYPES
from pausepoint.orchestrator.workflow_agent import WorkflowAgent
from pausepoint.workflows.registry import BuildContext, Workflow, WorkflowRegistry

NAME = "orchestrator"


class OrchestratorInput(BaseModel):
    """`{"prompt": "..."}`; `{"message": "..."}` (what a chat or A2A message carries) also works."""

    prompt: str = Field(
        min_length=1,
        validation_alias=AliasChoices("prompt", "message"),
        description="What you want done, in your own words.",
    )
    max_results: int | None = Field(
        default=None,
        ge=1,
        le=50,
        strict=True,
        description="At most this many directory matches per task (and listed for a request "
        "to find agents); 5 when left out.",
    )


def _runnable(workflow: Workflow, ctx: BuildContext) -> Pregel[Any, Any, Any, Any]:
    """The workflow compiled without a checkpointer: as a subgraph it uses the caller's."""
    runnable = getattr(workflow, "runnable", None)  # workflows on the functional API
    if callable(runnable):
        compiled: Pregel[Any, Any, Any, Any] = runnable(ctx, None)
        return compiled
    return workflow.build(ctx).compile()


def directory_agents(
    registry: WorkflowRegistry,
    ctx: BuildContext,
    *,
    exclude: str = NAME,
    extra: Sequence[Agent] = (),
) -> list[Agent]:
    """Local agents, every registered workflow but `exclude` as an agent, and `extra`."""
    agents: list[Agent] = [*local_agents(), *extra]
    for workflow in registry:
        if workflow.name == exclude:
            continue
        agents.append(WorkflowAgent(workflow, _runnable(workflow, ctx)))
    return agents


def orchestrator_workflow(
    registry: WorkflowRegistry,
    *,
    name: str = NAME,
    extra_agents: Callable[[], Sequence[Agent]] = list,
    approve_plans: bool | None = None,
) -> Workflow:
    """The orchestrator over `registry`; `approve_plans` None follows the settings."""

    def build(ctx: BuildContext) -> StateGraph[Any, Any, Any, Any]:
        agents = directory_agents(registry, ctx, exclude=name, extra=extra_agents())
        approve = approve_plans
        if approve is None:
            approve = ctx.settings.approve_plans if ctx.settings is not None else False
        return build_orchestrator(agents, make_planner(ctx.chat_model), approve_plans=approve)

    nested = [t for wf in registry if wf.name != name for t in wf.state_types]
    return Workflow(
        name=name,
        description="Plans a request across the agents (local tools and workflows), asks "
        "you when it is unsure, and pauses with any workflow that needs you.",
        build=build,
        input_model=OrchestratorInput,
        result=result,
        state_types=(*STATE_TYPES, *nested),
        tags=("orchestrator", "plan", "chat"),
        examples=("write a short story about a fox and then get it reviewed",),
    )

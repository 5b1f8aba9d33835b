"""Turn a spec and its agents into a registered `Workflow` every door offers."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver, CheckpointTuple
from langgraph.pregel import Pregel
from langgraph.types import StateSnapshot
from pydantic import BaseModel

from pausepoint.domain import Pause
from pausepoint.workflows.dag import state
from pausepoint.workflows.dag.agents import ExecutingStepAgent, StepAgents
from pausepoint.workflows.dag.engine import Clock, DagRunner, Sleep, compile_readiness
from pausepoint.workflows.dag.spec import SpecError, WorkflowSpec, check_spec, model_of
from pausepoint.workflows.dag.superstep import build_superstep
from pausepoint.workflows.registry import BuildContext, Workflow


def utcnow() -> datetime:
    return datetime.now(UTC)


class _StateFile:
    def __init__(self, spec: WorkflowSpec, agents: StepAgents) -> None:
        self.spec = spec
        # Steps whose agent carries an approved payload out: approving is not the payload.
        self.carried_out = frozenset(
            s.id for s in spec.steps if s.agent and isinstance(agents[s.agent], ExecutingStepAgent)
        )

    export = staticmethod(state.export)

    def plan_import(
        self, current: Mapping[str, Any], edited: Any, pauses: Mapping[str, Pause]
    ) -> list[tuple[str, Any]]:
        return state.plan_import(current, edited, pauses, carried_out=self.carried_out)


def dag_workflow(
    spec: WorkflowSpec,
    agents: StepAgents,
    *,
    clock: Clock = utcnow,
    sleep: Sleep = asyncio.sleep,
    examples: tuple[str, ...] = (),
    input_model: type[BaseModel] | None = None,
) -> Workflow:
    """A workflow that runs `spec` with `agents`, steps starting as their inputs are ready.

    Raises SpecError (naming the step) if the spec names unknown agents, missing steps,
    a cycle or a template variable nothing provides. `clock` and `sleep` are injectable so
    tests record step timing and retry backoff without waiting. `input_model`, if given,
    checks the input instead of the one `spec.inputs` makes (for nested objects); it must
    have a field for each of `spec.inputs`.
    """
    check_spec(spec, agents.keys())
    if input_model is None:
        input_model = model_of(f"{spec.name.title().replace('-', '')}Input", spec.inputs)
    elif missing := sorted(set(spec.inputs) - set(input_model.model_fields)):
        raise SpecError(
            f"workflow {spec.name!r}: input model {input_model.__name__} has no field for "
            f"input(s) {', '.join(missing)}"
        )
    runner = DagRunner(spec, agents, clock, sleep)

    def compile(
        ctx: BuildContext, saver: BaseCheckpointSaver[Any] | None
    ) -> Pregel[Any, Any, Any, Any]:
        return compile_readiness(runner, saver)

    def inspect(snapshot: StateSnapshot, saved: CheckpointTuple | None) -> Mapping[str, Any]:
        return state.inspect(spec, snapshot, saved)

    def result(values: Mapping[str, Any]) -> Any:
        return values.get("result")

    return Workflow(
        name=spec.name,
        description=spec.description,
        build=lambda ctx: build_superstep(runner),
        input_model=input_model,
        result=result,
        tags=spec.tags,
        examples=examples,
        compile=compile,
        inspect=inspect,
        state_file=_StateFile(spec, agents),
    )

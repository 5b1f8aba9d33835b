"""Turn a spec and its agents into a registered `Workflow` every door offers."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver, CheckpointTuple
from langgraph.pregel import Pregel
from langgraph.types import StateSnapshot

from pausepoint.workflows.dag import state
from pausepoint.workflows.dag.agents import StepAgents
from pausepoint.workflows.dag.engine import Clock, DagRunner, Sleep, compile_readiness
from pausepoint.workflows.dag.spec import WorkflowSpec, check_spec, model_of
from pausepoint.workflows.dag.superstep import build_superstep
from pausepoint.workflows.registry import BuildContext, Workflow


def utcnow() -> datetime:
    return datetime.now(UTC)


class _StateFile:
    def __init__(self, spec: WorkflowSpec) -> None:
        self.spec = spec

    export = staticmethod(state.export)
    plan_import = staticmethod(state.plan_import)


def dag_workflow(
    spec: WorkflowSpec,
    agents: StepAgents,
    *,
    clock: Clock = utcnow,
    sleep: Sleep = asyncio.sleep,
    examples: tuple[str, ...] = (),
) -> Workflow:
    """A workflow that runs `spec` with `agents`, steps starting as their inputs are ready.

    Raises SpecError (naming the step) if the spec names unknown agents, missing steps,
    a cycle or a template variable nothing provides. `clock` and `sleep` are injectable so
    tests record step timing and retry backoff without waiting.
    """
    check_spec(spec, agents.keys())
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
        input_model=model_of(f"{spec.name.title().replace('-', '')}Input", spec.inputs),
        result=result,
        tags=spec.tags,
        examples=examples,
        compile=compile,
        inspect=inspect,
        state_file=_StateFile(spec),
    )

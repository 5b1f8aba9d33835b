"""The same spec as a plain superstep `StateGraph`: the lock-step baseline the bench compares.

Each step is a node; a step with dependencies waits on all of them (a join edge), and
LangGraph runs a whole wave before the next one starts. Correct, but a fast branch waits
for a slow sibling: that is what the readiness entrypoint avoids.
"""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from langgraph.graph import START, StateGraph

from pausepoint.workflows.dag.engine import DagRunner, Record


def _merge(left: dict[str, Record], right: dict[str, Record]) -> dict[str, Record]:
    return {**left, **right}


class SuperstepState(TypedDict, total=False):
    inputs: dict[str, Any]
    records: Annotated[dict[str, Record], _merge]


def build_superstep(runner: DagRunner) -> StateGraph[SuperstepState, Any, Any, Any]:
    """Input `{"inputs": {...}}`; output `records` holds every step's record."""
    spec = runner.spec
    graph = StateGraph(SuperstepState)
    for step in spec.steps:

        async def node(state: SuperstepState, step_id: str = step.id) -> dict[str, Any]:
            records = state.get("records", {})
            done = {a: records[a] for a in spec.ancestors(step_id)}
            record = await runner.settle(step_id, state.get("inputs", {}), done)
            return {"records": {step_id: record}}

        graph.add_node(step.id, node)
        deps = list(spec.dependencies(step))
        if deps:
            graph.add_edge(deps, step.id)
        else:
            graph.add_edge(START, step.id)
    return graph

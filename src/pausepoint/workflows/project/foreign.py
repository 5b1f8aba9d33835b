"""A team's graph as a `Workflow`: run with Pausepoint's checkpointer, its input checked against
the graph's input JSON Schema, its result its final state in JSON form."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from pydantic_core import to_jsonable_python

from pausepoint.workflows.project.inputs import input_of
from pausepoint.workflows.project.loading import AnyBuilder, AnyGraph, LoadedGraph
from pausepoint.workflows.project.statetypes import state_types_of
from pausepoint.workflows.registry import BuildContext, Workflow


def foreign_workflow(loaded: LoadedGraph, extra_types: tuple[type, ...] = ()) -> Workflow:
    """The workflow named by the entry's key that runs `loaded`'s graph."""
    entry = loaded.entry

    def build(ctx: BuildContext) -> AnyBuilder:
        if loaded.builder is None:
            raise loaded.project.problem(
                entry, "not a StateGraph (an entrypoint): run it with Workflow.runnable()"
            )
        return loaded.builder

    def compile(ctx: BuildContext, checkpointer: BaseCheckpointSaver[Any] | None) -> AnyGraph:
        return loaded.graph if checkpointer is None else with_checkpointer(loaded, checkpointer)

    schema, model = input_of(loaded)
    if (kind := schema.get("type")) is not None and kind != "object":
        raise loaded.project.problem(
            entry,
            f"its input is {kind!r}; Pausepoint starts a workflow with a JSON object, so the "
            "graph's input must be a state or a mapping",
        )
    return Workflow(
        name=entry.key,
        description=describe(loaded),
        build=build,
        input_model=model,
        result=final_state,
        state_types=(*state_types_of(loaded.graph), *extra_types),
        tags=tuple(w for w in re.split(r"[^a-z0-9]+", entry.key.lower()) if w),
        compile=compile,
        input_json_schema=schema,
    )


def with_checkpointer(loaded: LoadedGraph, checkpointer: BaseCheckpointSaver[Any]) -> AnyGraph:
    """The graph run with `checkpointer`: a compiled StateGraph is compiled again from its
    builder, keeping its interrupts, store, cache, name and config; an entrypoint (or another
    Pregel) is copied with the checkpointer."""
    graph = loaded.graph
    if loaded.builder is None:
        return graph.copy({"checkpointer": checkpointer})
    compiled = loaded.builder.compile(
        checkpointer=checkpointer,
        interrupt_before=_nodes(graph.interrupt_before_nodes),
        interrupt_after=_nodes(graph.interrupt_after_nodes),
        store=graph.store,
        cache=graph.cache,
        debug=graph.debug,
        name=graph.name,
    )
    return compiled.with_config(graph.config) if graph.config else compiled


def _nodes(names: Any) -> Any:
    """`interrupt_before`/`after` as compile takes them: "*" (all) or a list, None if empty."""
    if not names:
        return None
    return names if names == "*" else list(names)


def final_state(values: Any) -> Any:
    """A foreign graph's result: its final state, as JSON (models as their fields); for a
    functional-API entrypoint, what it returned (a string, a list, a model ...)."""
    if isinstance(values, Mapping):
        values = dict(values)
    return to_jsonable_python(values, fallback=repr)


def describe(loaded: LoadedGraph) -> str:
    """The entry's description, else the first paragraph of the graph's docstring (its
    factory's, its entrypoint function's, else its module's), else a sentence naming it."""
    if loaded.entry.description:
        return loaded.entry.description.strip()
    if loaded.doc and (first := loaded.doc.strip().split("\n\n")[0]):
        return " ".join(first.split())
    return f"The LangGraph graph {loaded.entry.key!r} ({loaded.entry.spec})."

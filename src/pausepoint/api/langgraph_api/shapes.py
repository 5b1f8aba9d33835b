"""Pausepoint's values as the LangGraph API's JSON shapes (openapi.json of langgraph-api).

Where the schema leaves a choice open these follow langgraph-api itself: a graph's default
assistant id is uuid5 of the graph id in langgraph-api's namespace, a state's interrupts are
`{id, value}` (and `response_schema` when the graph gave one), a thread's are keyed by task id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal
from uuid import UUID, uuid5

from langchain_core.runnables import RunnableConfig
from langgraph.types import Interrupt, StateSnapshot
from pydantic_core import to_jsonable_python

from pausepoint.domain import ThreadStatus

#: langgraph-api's namespace for the ids of graphs' default assistants (langgraph_api/graph.py).
NAMESPACE_GRAPH = UUID("6ba7b821-9dad-11d1-80b4-00c04fd430c8")

ApiStatus = Literal["idle", "busy", "interrupted", "error"]

#: Pausepoint's thread statuses as the LangGraph API's.
STATUSES: dict[ThreadStatus, ApiStatus] = {
    ThreadStatus.WAITING: "interrupted",
    ThreadStatus.RUNNING: "busy",
    ThreadStatus.COMPLETED: "idle",
    ThreadStatus.CANCELLED: "idle",
    ThreadStatus.FAILED: "error",
}


def assistant_id(graph_id: str) -> str:
    """The id of a graph's default assistant, as langgraph-api computes it."""
    return str(uuid5(NAMESPACE_GRAPH, graph_id))


def jsonable(value: Any) -> Any:
    """A graph's values as JSON values (pydantic models and messages as their dumps)."""
    return to_jsonable_python(value, serialize_unknown=True)


def assistant(graph_id: str, description: str, created_at: datetime) -> dict[str, Any]:
    """The default assistant of workflow `graph_id`."""
    return {
        "assistant_id": assistant_id(graph_id),
        "graph_id": graph_id,
        "config": {},
        "context": {},
        "created_at": created_at.isoformat(),
        "updated_at": created_at.isoformat(),
        "metadata": {"created_by": "system"},
        "version": 1,
        "name": graph_id,
        "description": description or None,
    }


def interrupt(value: Interrupt) -> dict[str, Any]:
    """One interrupt as langgraph-api shows it: `{id, value}`, and its response schema."""
    shown: dict[str, Any] = {"id": value.id, "value": jsonable(value.value)}
    schema = getattr(value, "response_schema", None)
    if schema is not None:
        shown["response_schema"] = jsonable(schema)
    return shown


def checkpoint(config: RunnableConfig | None) -> dict[str, Any] | None:
    """A snapshot's config as the API's Checkpoint (None without a checkpoint id)."""
    configurable = (config or {}).get("configurable") or {}
    if not configurable.get("thread_id") or not configurable.get("checkpoint_id"):
        return None
    shown = {
        "thread_id": configurable["thread_id"],
        "checkpoint_ns": configurable.get("checkpoint_ns") or "",
        "checkpoint_id": configurable["checkpoint_id"],
    }
    if "checkpoint_map" in configurable:
        shown["checkpoint_map"] = configurable["checkpoint_map"]
    return shown


def thread_state(state: StateSnapshot) -> dict[str, Any]:
    """A checkpoint as the API's ThreadState (langgraph-api's state_snapshot_to_thread_state)."""
    parent = checkpoint(state.parent_config)
    return {
        "values": jsonable(state.values),
        "next": list(state.next),
        "tasks": [
            {
                "id": t.id,
                "name": t.name,
                "path": jsonable(t.path),
                "error": str(t.error) if t.error is not None else None,
                "interrupts": [interrupt(i) for i in t.interrupts],
                "checkpoint": (
                    dict(t.state["configurable"])
                    if t.state is not None and not isinstance(t.state, StateSnapshot)
                    else None
                ),
                "state": thread_state(t.state) if isinstance(t.state, StateSnapshot) else None,
                "result": jsonable(t.result),
            }
            for t in state.tasks
        ],
        "metadata": jsonable(state.metadata or {}),
        "created_at": state.created_at,
        "checkpoint": checkpoint(state.config),
        "parent_checkpoint": parent,
        "interrupts": [interrupt(i) for i in state.interrupts],
        "checkpoint_id": (state.config or {}).get("configurable", {}).get("checkpoint_id"),
        "parent_checkpoint_id": parent["checkpoint_id"] if parent else None,
    }


def empty_state(thread_id: str) -> dict[str, Any]:
    """The state of a thread no run has written a checkpoint for yet."""
    return {
        "values": {},
        "next": [],
        "tasks": [],
        "metadata": {},
        "created_at": None,
        "checkpoint": {"thread_id": thread_id, "checkpoint_ns": "", "checkpoint_id": None},
        "parent_checkpoint": None,
        "interrupts": [],
        "checkpoint_id": None,
        "parent_checkpoint_id": None,
    }


def task_interrupts(state: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """A thread's `interrupts`: its state's pending ones by task id, as langgraph-api keeps them."""
    tasks: Sequence[Mapping[str, Any]] = state.get("tasks", [])
    return {t["id"]: list(t["interrupts"]) for t in tasks if t.get("interrupts")}


def thread(
    thread_id: str,
    *,
    status: ApiStatus,
    metadata: Mapping[str, Any],
    created_at: datetime,
    updated_at: datetime,
    state: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """A thread as the API's Thread (`state`: its ThreadState, None before any run)."""
    return {
        "thread_id": thread_id,
        "created_at": created_at.isoformat(),
        "updated_at": updated_at.isoformat(),
        "state_updated_at": updated_at.isoformat(),
        "metadata": dict(metadata),
        "config": {},
        "status": status,
        "values": state["values"] if state is not None else None,
        "interrupts": task_interrupts(state) if state is not None else {},
    }

"""Step states read from a checkpoint, and the state file: export, check an edit, import.

While a run is paused its entrypoint has no value yet; what it has done is in the
checkpoint's pending writes (one result per finished step) and its interrupts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from langgraph.checkpoint.base import CheckpointTuple
from langgraph.types import StateSnapshot
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pausepoint.domain import Decision, Pause, ThreadView
from pausepoint.errors import InvalidInput
from pausepoint.forms import validate_answer
from pausepoint.workflows.dag.engine import RECORD_MARK
from pausepoint.workflows.dag.spec import WorkflowSpec

FORMAT = "pausepoint/state-v1"
_RETURN = "__return__"
_PAUSED = {"approval": "paused_for_approval"}


def inspect(
    spec: WorkflowSpec, snapshot: StateSnapshot, saved: CheckpointTuple | None
) -> dict[str, Any]:
    """`steps`, `input` and `context` of a thread, finished or paused mid-run."""
    values = snapshot.values if isinstance(snapshot.values, dict) else {}
    if "steps" in values:
        return {"input": _input(saved, values), **values}
    records: dict[str, dict[str, Any]] = {}
    for _task, channel, value in saved.pending_writes if saved and saved.pending_writes else ():
        if channel == _RETURN and isinstance(value, dict) and RECORD_MARK in value:
            records[str(value[RECORD_MARK])] = value
    paused = {str(i.value.get("step")): i for i in snapshot.interrupts if isinstance(i.value, dict)}
    inputs = _input(saved, values)
    context = dict(inputs)
    steps: dict[str, Any] = {}
    for step in spec.steps:
        if step.id in records:
            record = dict(records[step.id])
            record.pop(RECORD_MARK, None)
            if record["status"] == "completed":
                context[step.output_key] = record.get("output")
            steps[step.id] = record
        elif step.id in paused:
            interrupt = paused[step.id]
            asked: dict[str, Any] = interrupt.value
            steps[step.id] = {
                "status": "paused",
                "output_key": step.output_key,
                "waiting_for": "approval" if asked.get("kind") == "approval" else "input",
                "interrupt_id": interrupt.id,
                "message": asked.get("message", ""),
                "payload": asked.get("context", {}),
                "payload_digest": asked.get("payload_digest"),
            }
        else:
            # Inputs all finished but no result: it was running when this was read (or
            # when its process stopped; recovery runs it again).
            ready = all(d in records for d in spec.dependencies(step))
            status = "running" if ready and not paused else "pending"
            steps[step.id] = {"status": status, "output_key": step.output_key}
    return {"input": inputs, "context": context, "steps": steps}


def _input(saved: CheckpointTuple | None, values: Mapping[str, Any]) -> dict[str, Any]:
    if saved is not None:
        start = saved.checkpoint.get("channel_values", {}).get("__start__")
        if isinstance(start, dict):
            return dict(start)
    context = values.get("context")
    return dict(context) if isinstance(context, dict) else {}


class StepState(BaseModel):
    model_config = ConfigDict(extra="allow")

    status: Literal[
        "pending",
        "running",
        "completed",
        "failed",
        "skipped",
        "paused_for_input",
        "paused_for_approval",
    ]
    output_key: str


class StateFile(BaseModel):
    """The exported state of a workflow thread; edit a paused step to `completed` to resume."""

    model_config = ConfigDict(extra="allow")

    format: Literal["pausepoint/state-v1"]
    thread_id: str
    workflow: str
    context: dict[str, Any]
    steps: dict[str, StepState]
    decisions: list[dict[str, Any]] = Field(default_factory=list)


def export(
    view: ThreadView, values: Mapping[str, Any], decisions: Sequence[Decision]
) -> dict[str, Any]:
    steps: dict[str, Any] = {}
    for step_id, state in view.steps.items():
        state = dict(state)
        if state.get("status") == "paused":
            state["status"] = "paused_for_" + str(state.pop("waiting_for", "input"))
        steps[step_id] = state
    return {
        "format": FORMAT,
        "thread_id": view.thread_id,
        "workflow": view.workflow,
        "status": view.status.value,
        "input": values.get("input", {}),
        "context": values.get("context", {}),
        "steps": steps,
        "decisions": [d.model_dump(mode="json") for d in decisions],
    }


def _invalid(message: str, loc: str) -> InvalidInput:
    return InvalidInput(
        f"invalid state file: {loc}: {message}", fields=[{"loc": loc, "message": message}]
    )


def plan_import(
    current: Mapping[str, Any], edited: Any, pauses: Mapping[str, Pause]
) -> list[tuple[str, Any]]:
    """Check an edited state file against the thread's state; return (pause, output) pairs.

    The one edit allowed: a paused step marked `completed`, its output put in the context
    under the step's output key. Anything else names the offending field.
    """
    try:
        doc = StateFile.model_validate(edited)
    except ValidationError as exc:
        fields = [
            {"loc": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
        ]
        raise InvalidInput("invalid state file", fields=fields) from exc
    if doc.thread_id != current["thread_id"]:
        raise _invalid(f"is {doc.thread_id!r}, not this thread", "thread_id")
    if doc.workflow != current["workflow"]:
        raise _invalid(f"is {doc.workflow!r}, not {current['workflow']!r}", "workflow")
    steps: Mapping[str, Any] = current["steps"]
    context: Mapping[str, Any] = current["context"]
    for step_id in doc.steps:
        if step_id not in steps:
            raise _invalid("no such step in this workflow", f"steps.{step_id}")
    plan: list[tuple[str, Any]] = []
    completed_keys: set[str] = set()
    for step_id, state in doc.steps.items():
        before = steps[step_id]["status"]
        if state.status == before:
            continue
        if not before.startswith("paused_for_") or state.status != "completed":
            raise _invalid(
                f"cannot change from {before} to {state.status}; only a paused step may be "
                "marked completed",
                f"steps.{step_id}.status",
            )
        key = steps[step_id]["output_key"]
        if key not in doc.context:
            raise _invalid(
                f"step {step_id!r} is marked completed, so its output is needed here",
                f"context.{key}",
            )
        interrupt_id = steps[step_id]["interrupt_id"]
        pause = pauses.get(interrupt_id)
        if pause is None:
            raise _invalid("this pause is no longer pending", f"steps.{step_id}")
        if pause.kind == "form" and (
            errors := validate_answer(pause.response_schema, doc.context[key])
        ):
            first = errors[0]
            raise _invalid(first["message"], ".".join(filter(None, ["context", key, first["loc"]])))
        plan.append((interrupt_id, doc.context[key]))
        completed_keys.add(key)
    for key, value in doc.context.items():
        if key not in completed_keys and context.get(key, _MISSING) != value:
            raise _invalid(
                "only the outputs of steps you mark completed may change", f"context.{key}"
            )
    if not plan:
        raise _invalid("the file changes nothing; mark a paused step completed", "steps")
    return plan


_MISSING: Any = object()

"""Step states read from a checkpoint, and the state file: export, check an edit, import.

While a run is paused its entrypoint has no value yet; what it has done is in the
checkpoint's pending writes (one result per finished step) and its interrupts.

A state file is bound to the pauses it was exported for: each paused step in it names the
interrupt id of its pause, and an import whose pause has been answered since is refused
(AlreadyAnswered), never applied to whatever is pending now.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Annotated, Any, Literal, get_args

from langgraph.checkpoint.base import CheckpointTuple
from langgraph.types import StateSnapshot
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from pausepoint.domain import Decision, Pause, ThreadStatus, ThreadView, digest
from pausepoint.errors import AlreadyAnswered, InvalidInput
from pausepoint.forms import validate_answer
from pausepoint.workflows.dag import results
from pausepoint.workflows.dag.engine import RECORD_MARK
from pausepoint.workflows.dag.pauses import ApproveAsIs
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
    for state in steps.values():
        if state["status"] == "paused":  # the run's design-notes/5 fields, while it waits
            state.update(results.paused(steps, state["message"]))
    return {"input": inputs, "context": context, "steps": steps}


def _input(saved: CheckpointTuple | None, values: Mapping[str, Any]) -> dict[str, Any]:
    if saved is not None:
        start = saved.checkpoint.get("channel_values", {}).get("__start__")
        if isinstance(start, dict):
            return dict(start)
    context = values.get("context")
    return dict(context) if isinstance(context, dict) else {}


StatusName = Literal[
    "pending",
    "running",
    "completed",
    "failed",
    "skipped",
    "paused_for_input",
    "paused_for_approval",
    "paused",
]
#: Each status by its spelling without case, underscores, dashes or spaces (design-notes/5
#: writes `Completed` and `PausedForApproval`); `paused` is a paused step left as it is.
_SPELLINGS = {name.replace("_", ""): name for name in get_args(StatusName)}


def _status(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    name = _SPELLINGS.get(re.sub(r"[\s_-]", "", value).lower())
    if name is None:
        known = ", ".join(get_args(StatusName))
        raise ValueError(f"unknown step status {value!r} (one of {known}, in any case)")
    return name


class StepState(BaseModel):
    model_config = ConfigDict(extra="allow")

    status: Annotated[StatusName, BeforeValidator(_status)]
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
    reasons = [s.get("message") for s in view.steps.values() if s.get("status") == "paused"]
    return {
        "format": FORMAT,
        "thread_id": view.thread_id,
        "workflow": view.workflow,
        "status": view.status.value,
        "paused": view.status is ThreadStatus.WAITING,
        "success": view.status is not ThreadStatus.FAILED,
        "pause_reason": reasons[0] if reasons else None,
        "steps_executed": results.steps_executed(view.steps),
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
    current: Mapping[str, Any],
    edited: Any,
    pauses: Mapping[str, Pause],
    *,
    carried_out: Collection[str] = (),
) -> list[tuple[str, Any]]:
    """Check an edited state file against the thread's state (`current`, as `export` writes
    it); return (interrupt id, output) pairs.

    The one edit allowed: a paused step marked `completed` (any case: `Completed`), its
    output put in the context under the step's output key. An approval step left without
    one is approved as it was asked: it takes the payload as its output, or, when its agent
    carries the approval out (`carried_out`), `ApproveAsIs` (the agent runs on resume).
    Anything else is InvalidInput naming the field; a file whose pause has been answered
    since it was exported is AlreadyAnswered.
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
    _check_bound(doc, pauses, {str(d.get("interrupt_id")) for d in current.get("decisions", [])})
    plan: list[tuple[str, Any]] = []
    completed_keys: set[str] = set()
    for step_id, state in doc.steps.items():
        before = steps[step_id]["status"]
        if state.status == before or (state.status == "paused" and before.startswith("paused")):
            continue
        if not before.startswith("paused_for_") or state.status != "completed":
            raise _invalid(
                f"cannot change from {before} to {state.status}; only a paused step may be "
                "marked completed",
                f"steps.{step_id}.status",
            )
        interrupt_id = (state.model_extra or {}).get("interrupt_id")
        if interrupt_id is None:
            raise _invalid(
                "the interrupt id of the pause this file answers is missing; export the "
                "thread again",
                f"steps.{step_id}.interrupt_id",
            )
        pause = pauses[interrupt_id]  # _check_bound: it is pending
        key = steps[step_id]["output_key"]
        output = _output(doc, step_id, state, key, pause, step_id in carried_out)
        plan.append((interrupt_id, output))
        completed_keys.add(key)
    for key, value in doc.context.items():
        if key not in completed_keys and context.get(key, _MISSING) != value:
            raise _invalid(
                "only the outputs of steps you mark completed may change", f"context.{key}"
            )
    if not plan:
        raise _invalid("the file changes nothing; mark a paused step completed", "steps")
    return plan


def _check_bound(doc: StateFile, pauses: Mapping[str, Pause], answered: set[str]) -> None:
    """Each paused step of the file names a pause that is still pending, for that step."""
    for step_id, state in doc.steps.items():
        recorded = (state.model_extra or {}).get("interrupt_id")
        if recorded is None:
            continue
        loc = f"steps.{step_id}.interrupt_id"
        if not isinstance(recorded, str):
            raise _invalid("must be the interrupt id (text) of the step's pause", loc)
        if recorded in answered and recorded not in pauses:
            raise AlreadyAnswered(
                f"this state file was exported while step {step_id!r} waited on pause "
                f"{recorded}, which has been answered since; nothing was changed (export "
                "the thread again)"
            )
        pause = pauses.get(recorded)
        if pause is None:
            raise _invalid("this pause is no longer pending", loc)
        if pause.step is not None and pause.step != step_id:
            raise _invalid(f"is the pause of step {pause.step!r}, not {step_id!r}", loc)


def _output(
    doc: StateFile, step_id: str, state: StepState, key: str, pause: Pause, carried_out: bool
) -> Any:
    """The output a paused step marked completed takes: the one the context gives, else
    (an approval its agent does not carry out) the payload it asked to approve."""
    if key in doc.context:
        output = doc.context[key]
        if pause.kind == "form" and (errors := validate_answer(pause.response_schema, output)):
            first = errors[0]
            raise _invalid(first["message"], ".".join(filter(None, ["context", key, first["loc"]])))
        return output
    if pause.kind != "approval":
        message = f"step {step_id!r} is marked completed, so its output is needed here"
        raise _invalid(message, f"context.{key}")
    edited = (state.model_extra or {}).get("payload", pause.context)
    if edited != pause.context:
        raise _invalid(
            "a state file approves the payload as it was asked; to approve a changed one, "
            "give the step's output in the context, or answer with edited_payload",
            f"steps.{step_id}.payload",
        )
    if carried_out:  # its agent carries the approval out: approve, and it runs
        return ApproveAsIs(pause.payload_digest or digest(pause.context))
    return pause.context


_MISSING: Any = object()

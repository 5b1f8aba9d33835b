"""Render threads and events in the shapes the doors speak (chat, compatibility, push)."""

from __future__ import annotations

import json
from typing import Any

from pausepoint.api.schemas import ChatResponse, ChatStatus, OrchestratorStatus, ProcessResponse
from pausepoint.domain import Pause, ThreadStatus, ThreadView
from pausepoint.service.events import ThreadEvent

WAITING_FOR_HUMAN_INPUT = "WAITING_FOR_HUMAN_INPUT"

_CHAT_STATUS: dict[ThreadStatus, ChatStatus] = {
    ThreadStatus.WAITING: "pending_user_input",
    ThreadStatus.RUNNING: "running",
    ThreadStatus.COMPLETED: "completed",
    ThreadStatus.FAILED: "error",
    ThreadStatus.CANCELLED: "error",
}

_EVENT_STATUS = {
    "started": "RUNNING",
    "step": "RUNNING",
    "answered": "RUNNING",
    "resumed": "RUNNING",
    "paused": WAITING_FOR_HUMAN_INPUT,
    "completed": "COMPLETED",
    "failed": "FAILED",
    "cancelled": "CANCELLED",
    "node_started": "RUNNING",
    "node_finished": "RUNNING",
    "progress": "RUNNING",
    "tokens": "RUNNING",
}


def question_of(pause: Pause) -> str:
    """The pause in words: its title, and its message when it has one."""
    return f"{pause.title}\n{pause.message}" if pause.message else pause.title


def status_word(status: ThreadStatus) -> str:
    """The status names of design-notes/1 (`WAITING_FOR_HUMAN_INPUT`, `COMPLETED`, ...)."""
    return WAITING_FOR_HUMAN_INPUT if status is ThreadStatus.WAITING else status.value.upper()


def final_text(result: Any) -> str | None:
    if result is None or isinstance(result, str):
        return result
    if isinstance(result, dict):
        for key in ("final_response", "response", "answer", "story", "text"):
            if isinstance(result.get(key), str):
                return str(result[key])
    return json.dumps(result, default=str)


def not_carried_out(view: ThreadView) -> str | None:
    """Why a completed thread did not do what was asked (a task of the orchestrator failed,
    a workflow reports `success: false`), in words; None when it did. A person's rejection is
    a decision, not a failure."""
    result = view.result if isinstance(view.result, dict) else {}
    tasks = result.get("tasks")
    failed = [
        t
        for t in (tasks if isinstance(tasks, list) else [])
        if isinstance(t, dict) and t.get("status") in ("failed", "skipped")
    ]
    if failed:
        return "; ".join(f"{t.get('task') or t.get('id')}: {t.get('error')}" for t in failed)
    if result.get("success") is False:
        return str(result.get("error") or "the workflow did not succeed")
    return None


def chat_response(view: ThreadView) -> ChatResponse:
    pause = view.pauses[0] if view.pauses else None
    result = view.result if isinstance(view.result, dict) else {}
    pairs = result.get("task_agent_pairs")
    error = view.error or ("cancelled" if view.status is ThreadStatus.CANCELLED else None)
    status = _CHAT_STATUS[view.status]
    if view.status is ThreadStatus.COMPLETED and (failure := not_carried_out(view)):
        status, error = "error", failure
    return ChatResponse(
        thread_id=view.thread_id,
        status=status,
        question_for_user=question_of(pause) if pause else None,
        requires_user_input=pause is not None,
        final_response=final_text(view.result),
        task_agent_pairs=pairs if isinstance(pairs, list) else [],
        error_message=error,
        pauses=view.pauses,
        progress=view.progress,
    )


def orchestrator_status(view: ThreadView) -> OrchestratorStatus:
    status, error = _status_and_error(view)
    return OrchestratorStatus(
        task_id=view.thread_id,
        status=status,
        message=status_text(view, error),
        prompt=question_of(view.pauses[0]) if view.pauses else None,
        pauses=view.pauses,
        progress=view.progress,
        result=view.result,
        error=error,
    )


def status_text(view: ThreadView, error: str | None = None) -> str:
    """Where the thread stands, in words (design-notes/1): what a running graph last
    reported, the pause waiting, the end."""
    if view.status is ThreadStatus.RUNNING:
        progress = view.progress
        if progress is not None and progress.text:
            return progress.text
        return f"Running {progress.node}…" if progress and progress.node else "Running…"
    if view.status is ThreadStatus.WAITING and view.pauses:
        return f"Waiting for your review: {view.pauses[0].title}"
    if error:
        return f"{view.status.value.capitalize()}: {error}"
    return view.status.value.capitalize()


def _field(name: str, spec: dict[str, Any], required: bool) -> dict[str, Any]:
    kind = {"integer": "number", "number": "number", "boolean": "checkbox"}.get(
        str(spec.get("type")), "text"
    )
    field: dict[str, Any] = {
        "name": name,
        "label": spec.get("title") or name,
        "type": "select" if "enum" in spec else kind,
        "required": required,
    }
    if "enum" in spec:
        field["options"] = spec["enum"]
    if spec.get("description"):
        field["description"] = spec["description"]
    return field


def form_fields(pause: Pause) -> list[dict[str, Any]]:
    """The fields a person types in (design-notes/3's `form.fields`); buttons are `actions`."""
    schema = pause.response_schema or {}
    defs = schema.get("$defs", {})
    branches = [schema]
    for key in ("oneOf", "anyOf"):
        for ref in schema.get(key, []):
            name = str(ref.get("$ref", "")).removeprefix("#/$defs/")
            branches.append(defs.get(name, ref))
    typed = {f for a in pause.actions for f in a.fields}
    fields: dict[str, dict[str, Any]] = {}
    for branch in branches:
        required = set(branch.get("required", []))
        for name, spec in branch.get("properties", {}).items():
            if pause.actions and name not in typed:
                continue  # chosen by a button, not typed in
            if name not in fields and isinstance(spec, dict):
                fields[name] = _field(name, spec, name in required)
    if not fields and schema.get("type") == "string" and not pause.actions:
        fields["answer"] = _field("answer", schema, True)
    return list(fields.values())


def form_of(pause: Pause) -> dict[str, Any]:
    return {
        "interrupt_id": pause.interrupt_id,
        "kind": pause.kind,
        "title": pause.title,
        "message": pause.message,
        "context": pause.context,
        "fields": form_fields(pause),
        "actions": [a.model_dump(mode="json") for a in pause.actions],
        "response_schema": pause.response_schema,
    }


def _status_and_error(view: ThreadView) -> tuple[str, str | None]:
    """The status word and error of the compatibility routes: a completed thread that did
    not carry out the request is FAILED, with the reason."""
    if view.status is ThreadStatus.COMPLETED and (failure := not_carried_out(view)):
        return "FAILED", failure
    return status_word(view.status), view.error


def process_response(view: ThreadView) -> ProcessResponse:
    pause = view.pauses[0] if view.pauses else None
    status, error = _status_and_error(view)
    return ProcessResponse(
        paused=pause is not None,
        execution_id=view.thread_id,
        status=status,
        form=form_of(pause) if pause else None,
        response=view.result,
        error=error,
    )


def event_message(event: ThreadEvent) -> dict[str, Any]:
    """A thread event as pushed over WebSocket and SSE."""
    message: dict[str, Any] = {
        "type": "event",
        "event": event.type,
        "thread_id": event.thread_id,
        "task_id": event.thread_id,
        "workflow": event.workflow,
        "status": _EVENT_STATUS.get(event.type, status_word(event.status)),
        "thread_status": event.status.value,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "data": event.data,
    }
    if event.type == "progress" and isinstance(event.data.get("text"), str):
        message["message"] = event.data["text"]  # design-notes/1's status text
    if event.pause is not None:
        message["pause"] = event.pause.model_dump(mode="json")
        message["prompt"] = question_of(event.pause)
        message["question_for_user"] = message["prompt"]
        message["requires_user_input"] = event.type == "paused"
    return message

"""What a run of a workflow spec reports (design-notes/5): paused, success, why, how much ran.

A run is a start or a resume. Every step record says, in `run_started_at`, when the run that
produced it started; a record taken from the checkpoint keeps the stamp of its own run. So
"the steps executed in this run" are the completed records with the latest stamp, counted
the same way in a finished result, in a paused thread's view and in its state file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langgraph.config import get_config

#: The stamp of the run that produced a step's record.
RUN_STAMP = "run_started_at"


def latest_run(steps: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The start of the latest run that produced a record (None if none has)."""
    stamps = [str(s[RUN_STAMP]) for s in steps.values() if s.get(RUN_STAMP)]
    return max(stamps, default=None)


def steps_executed(steps: Mapping[str, Mapping[str, Any]], run: str | None = None) -> int:
    """Steps that ran to completion in `run` (by default the latest), not counting steps
    finished before it, nor those a state file marked completed."""
    run = run or latest_run(steps)
    return sum(
        1
        for s in steps.values()
        if run is not None
        and s.get("status") == "completed"
        and s.get(RUN_STAMP) == run
        and not s.get("imported")
    )


def finished(
    steps: Mapping[str, Mapping[str, Any]], context: Mapping[str, Any], run: str | None
) -> dict[str, Any]:
    """The design-notes/5 fields of a run that finished: not paused, no step failed."""
    failed = any(s.get("status") == "failed" and not s.get("rejected") for s in steps.values())
    return {
        "paused": False,
        "success": not failed,
        "pause_reason": None,
        "steps_executed": steps_executed(steps, run),
        "context": dict(context),
    }


def paused(steps: Mapping[str, Mapping[str, Any]], message: str) -> dict[str, Any]:
    """The design-notes/5 fields a paused step shows while its thread waits."""
    return {"paused": True, "pause_reason": message, "steps_executed": steps_executed(steps)}


def rejection(step_id: str, record: Mapping[str, Any], *, handled: bool) -> dict[str, Any]:
    """Who rejected which step, and why (`handled`: an `on_reject` step took over)."""
    approval = record.get("approval") or {}
    return {
        "step": step_id,
        "by": approval.get("by"),
        "reason": approval.get("reason"),
        "handled": handled,
    }


def current_actor() -> str | None:
    """Who the run is for (the service passes the answering person as LangGraph's caller)."""
    try:
        configurable = get_config().get("configurable") or {}
    except RuntimeError:  # outside a run
        return None
    actor = configurable.get("langgraph_auth_user_id")
    return actor if isinstance(actor, str) else None

"""State files: a thread exported as an editable file, and an edited one resumed from."""

from __future__ import annotations

from typing import Any

from langgraph.types import StateSnapshot

from pausepoint.domain import Decision, Pause, digest
from pausepoint.errors import Conflict
from pausepoint.persistence.records import ThreadRecord
from pausepoint.service.decisions import check_may_answer, decision
from pausepoint.service.pauses import Stop, checkpoint_of
from pausepoint.service.runs import RunLoop
from pausepoint.workflows.dag.pauses import ApproveAsIs, imported


async def export(runs: RunLoop, record: ThreadRecord, snapshot: StateSnapshot) -> dict[str, Any]:
    """The thread as an editable state file (workflow, context, steps, decisions)."""
    workflow, _ = runs.workflow(record)
    if workflow.state_file is None:
        raise Conflict(f"workflow {workflow.name!r} has no state file")
    values = snapshot.values if isinstance(snapshot.values, dict) else {}
    view = await runs.view(record, Stop.of(snapshot))
    decisions = await runs.store.decisions(record.thread_id)
    return workflow.state_file.export(view, values, decisions)


async def import_decisions(
    runs: RunLoop,
    record: ThreadRecord,
    snapshot: StateSnapshot,
    pending: dict[str, Pause],
    state: Any,
    actor: str,
) -> list[Decision]:
    """The decisions an edited state file makes: paused steps it marks completed take the
    outputs it gives them. The edit is checked first (InvalidInput names the field)."""
    current = await export(runs, record, snapshot)
    workflow, _ = runs.workflow(record)
    assert workflow.state_file is not None  # export checked it
    plan = workflow.state_file.plan_import(current, state, pending)
    pauses = await runs.indexed(record, list(pending.values()), None)
    by_id = {p.interrupt_id: p for p in pauses}
    decisions = []
    for interrupt_id, output in plan:
        pause = by_id[interrupt_id]
        check_may_answer(actor, pause, record.owner)
        if isinstance(output, ApproveAsIs):  # approved as asked: the step's agent carries it out
            resume: Any = {"decision": "approve", "digest": output.digest}
            kept = output.digest
        else:
            resume, kept = imported(output), digest(output)
        decisions.append(
            decision(
                record.thread_id, pause, checkpoint_of(snapshot), actor, runs.clock(), resume, kept
            )
        )
    return decisions

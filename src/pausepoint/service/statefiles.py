"""State files: a thread exported as an editable file, and an edited one resumed from."""

from __future__ import annotations

from typing import Any

from langgraph.types import StateSnapshot

from pausepoint.domain import Decision, Pause, digest
from pausepoint.errors import Conflict, InvalidInput
from pausepoint.persistence.records import ThreadRecord
from pausepoint.service.answers import pending_of
from pausepoint.service.decisions import check_may_answer, decision
from pausepoint.service.leases import Leases
from pausepoint.service.outcomes import Known, Outcome
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


async def resume_from(runs: RunLoop, leases: Leases, state: Any, actor: str) -> Outcome:
    """Resume a thread from an edited state file (ThreadService.import_state): its decisions
    logged as `actor`'s and applied exactly once, under the thread's lease."""
    thread_id = state.get("thread_id") if isinstance(state, dict) else None
    if not isinstance(thread_id, str):
        raise InvalidInput(
            "invalid state file: thread_id missing",
            fields=[{"loc": "thread_id", "message": "field required"}],
        )
    async with leases.hold(thread_id):
        record = await runs.thread(thread_id)
        snapshot = await runs.snapshot(record)
        pending = pending_of(record, snapshot)
        decisions = await import_decisions(runs, record, snapshot, pending, state, actor)
        await runs.store.record_decisions(decisions)
        for d in decisions:
            data = {"interrupt_id": d.interrupt_id, "via": "state_file"}
            runs.publish("answered", record, actor=actor, data=data)
        return await runs.drain(record, Known(snapshot=snapshot))

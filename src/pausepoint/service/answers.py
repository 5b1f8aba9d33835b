"""Which pauses an answer may go to, and the decisions a set of answers makes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from langgraph.types import StateSnapshot

from pausepoint.domain import Decision, Pause, ThreadStatus
from pausepoint.errors import Conflict, InvalidAnswer, NothingToAnswer, ThreadNotFound
from pausepoint.persistence.records import ThreadRecord, ThreadState
from pausepoint.service.decisions import check_may_answer, checked_digest, decision
from pausepoint.service.pauses import checkpoint_of, effective, pauses_of
from pausepoint.service.runs import RunLoop
from pausepoint.workflows.dialects import form_answer, resume_value


@dataclass(frozen=True, slots=True)
class Waiting:
    """The pauses an answer may go to, by interrupt id, each with the checkpoint it is
    pending on; `snapshot` when the checkpoint was read to find them."""

    pauses: dict[str, Pause]
    checkpoints: dict[str, str]
    snapshot: StateSnapshot | None


def pending_of(record: ThreadRecord, snapshot: StateSnapshot) -> dict[str, Pause]:
    """The pauses pending on `snapshot`; Conflict when the thread has ended, NothingToAnswer
    when it waits for nothing."""
    if record.status.is_final:
        raise Conflict(f"thread {record.thread_id!r} is {record.status}; nothing to answer")
    pending = {p.interrupt_id: p for p in pauses_of(snapshot)}
    if not pending:
        raise NothingToAnswer(f"thread {record.thread_id!r} is not waiting for an answer")
    return pending


async def waiting_on(runs: RunLoop, state: ThreadState) -> Waiting:
    """The pauses an answer to `state`'s thread may go to (Conflict if there are none).

    While a thread waits with no decision unapplied, its pause-index rows hold exactly the
    pauses of its latest checkpoint: both change only in a run, and the run's end writes the
    rows, the status and the decisions it consumed in one transaction (a run that died before
    that left its decisions unapplied, or its status running). So the rows are read instead
    of the checkpoint; rows written before they kept the whole pause, and every other state,
    read the checkpoint.
    """
    record = state.record
    if record.status is ThreadStatus.WAITING and not state.unapplied:
        rows = state.pauses
        kept = [r for r in rows if r.pause is not None and r.checkpoint_id is not None]
        if kept and len(kept) == len(rows):
            return Waiting(
                pauses={r.interrupt_id: effective(r) for r in kept},
                checkpoints={r.interrupt_id: str(r.checkpoint_id) for r in kept},
                snapshot=None,
            )
    snapshot = await runs.snapshot(record)
    pending = pending_of(record, snapshot)
    pauses = await runs.indexed(record, list(pending.values()), state.pauses)
    return Waiting(
        pauses={p.interrupt_id: p for p in pauses},
        checkpoints=dict.fromkeys(pending, checkpoint_of(snapshot)),
        snapshot=snapshot,
    )


def decide(
    record: ThreadRecord,
    waiting: Waiting,
    answers: Mapping[str, Any],
    actor: str,
    now: datetime,
) -> list[Decision]:
    """Check every answer against its pending pause; the decisions to record."""
    decisions: list[Decision] = []
    for interrupt_id, answer in answers.items():
        pause = waiting.pauses.get(interrupt_id)
        if pause is None:
            raise Conflict(
                f"pause {interrupt_id!r} is not pending on thread {record.thread_id!r} "
                f"(pending: {', '.join(sorted(waiting.pauses))})",
                pauses=(interrupt_id,),
            )
        check_may_answer(actor, pause, record.owner)
        answer = form_answer(pause, answer)
        payload_digest = checked_digest(pause, answer)
        checkpoint_id = waiting.checkpoints[interrupt_id]
        resume = resume_value(pause, answer)
        decisions.append(
            decision(record.thread_id, pause, checkpoint_id, actor, now, resume, payload_digest)
        )
    return decisions


async def pending_pause(runs: RunLoop, thread_id: str) -> str:
    """The thread's one pending pause's id (InvalidAnswer if several, Conflict if none)."""
    state = await runs.store.thread_state(thread_id)
    if state is None:
        raise ThreadNotFound(f"no thread {thread_id!r}")
    return only_pause(thread_id, (await waiting_on(runs, state)).pauses)


def only_pause(thread_id: str, pending: Mapping[str, Pause]) -> str:
    """The id of the one pause pending (`waiting_on` found some); InvalidAnswer if several."""
    if len(pending) > 1:
        raise InvalidAnswer(
            f"thread {thread_id!r} has {len(pending)} pending pauses; name the "
            f"one you answer (one of: {', '.join(sorted(pending))})"
        )
    return next(iter(pending))

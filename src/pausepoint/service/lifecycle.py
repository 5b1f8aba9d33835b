"""A thread's life past its first run: cancelled by its owner, or given new input once it has
completed (a conversation's next turn, as a LangGraph client sends it on the same thread).

New input is acknowledged once durable, like a start: the thread's row is set running with the
input and the checkpoint it goes on from (`CONTINUE`), in one write; should the process die
before the run's first checkpoint, recovery finds the thread still at that checkpoint and
runs the input again (RunLoop.settle).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any

from pausepoint.domain import ThreadStatus, ThreadView
from pausepoint.errors import Conflict, Forbidden
from pausepoint.jsontext import json_or_none
from pausepoint.persistence.records import ThreadRecord
from pausepoint.service.leases import Leases
from pausepoint.service.outcomes import Known
from pausepoint.service.pauses import checkpoint_of
from pausepoint.service.pool import Acknowledge, RunPool
from pausepoint.service.runs import CONTINUE, RunLoop


def continue_job(
    runs: RunLoop,
    leases: Leases,
    pool: RunPool,
    thread_id: str,
    input: Mapping[str, Any],
    actor: str,
) -> Callable[[Acknowledge], Awaitable[ThreadView]]:
    """The run pool's job for new input to a completed thread (its owner's only)."""

    async def job(acknowledge: Acknowledge) -> ThreadView:
        async with leases.hold(thread_id):
            record = await runs.thread(thread_id)
            if actor != record.owner:
                raise Forbidden(f"only the thread's owner {record.owner!r} may go on with it")
            if record.status is not ThreadStatus.COMPLETED:
                raise Conflict(
                    f"thread {thread_id!r} is {record.status}: only a completed thread takes "
                    "new input (answer a waiting one, start a new one after a failure)"
                )
            workflow, _ = runs.workflow(record)
            payload = workflow.parse_input(input)
            after = checkpoint_of(await runs.snapshot(record))
            marker = {CONTINUE: after, "input": json_or_none(input), "actor": actor}
            now = runs.clock()
            if not await runs.store.reopen_thread(thread_id, marker, now):
                raise Conflict(f"thread {thread_id!r} changed meanwhile; try again")
            record = replace(record, status=ThreadStatus.RUNNING, updated_at=now, error=None)
            runs.publish("started", record, actor=actor)
            acknowledge()
            async with pool.slot():
                outcome = await runs.run(
                    record, payload, known=Known(pending=frozenset()), actor=actor
                )
        return await runs.outcome_view(outcome)

    return job


async def cancel(
    runs: RunLoop, leases: Leases, pool: RunPool, thread_id: str, actor: str
) -> ThreadRecord:
    """Cancel a thread that has not finished (ThreadService.cancel)."""
    record = await runs.thread(thread_id)
    if actor != record.owner:
        raise Forbidden(f"only the thread's owner {record.owner!r} may cancel it")
    if record.status.is_final:
        raise Conflict(f"thread {thread_id!r} is already {record.status}")
    stopped = await pool.cancel(thread_id)
    if not stopped and record.status is ThreadStatus.RUNNING:  # another process stops it
        runs.publish("cancel_requested", record, actor=actor)
    async with leases.hold(thread_id):
        record = await runs.thread(thread_id)
        if record.status.is_final:
            raise Conflict(f"thread {thread_id!r} is already {record.status}")
        record = await runs.set_status(record, ThreadStatus.CANCELLED, None, [])
        runs.publish("cancelled", record, actor=actor, data={"stopped_run": stopped})
    return record

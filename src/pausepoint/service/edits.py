"""State edits: a thread's values changed by hand (LangGraph's `update_state`, as the
LangGraph API's `POST /threads/{id}/state` asks for it), under the thread's lease.

Only the thread's owner edits it, and only while it waits: a running thread is a Conflict, a
finished one too (its end is its audit trail). The new checkpoint carries who made it
(`updated_by` in its metadata, as history shows it), and the thread's status and pause index
follow it: an edit that leaves a step to take (`as_node` the paused node, say) runs the thread
on from there, as an answer would; one that leaves it paused keeps it waiting.

An edit at an earlier checkpoint (`checkpoint_id`, LangGraph's time travel) is a fork: its new
checkpoint becomes the thread's latest, so the thread's status and pause index follow the fork
(a pause the fork left behind leaves the inbox; one it reaches again is a new pause, with a new
interrupt id, so no decision logged for the old one can ever be applied to it). A fork may start
from a waiting, completed or failed thread; a running or cancelled one is a Conflict. The thread
is set running while an edit is written, so a process that dies before recording where the edit
left it leaves the thread to recovery, which brings it into step with its latest checkpoint.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.errors import InvalidUpdateError

from pausepoint.domain import ThreadStatus, ThreadView
from pausepoint.errors import Conflict, Forbidden, InvalidInput, NotFound
from pausepoint.service.leases import Leases
from pausepoint.service.outcomes import Outcome
from pausepoint.service.pool import Acknowledge, RunPool
from pausepoint.service.runs import RunLoop

#: The key of the stored input of a thread whose state is being edited (by whom).
EDITED_BY = "pausepoint_edited_by"


@dataclass(frozen=True, slots=True)
class Edit:
    """`values` written as if node `as_node` had returned them, at checkpoint `checkpoint_id`
    (None: the latest)."""

    values: Any
    as_node: str | None = None
    checkpoint_id: str | None = None


def update_job(
    runs: RunLoop,
    leases: Leases,
    pool: RunPool,
    thread_id: str,
    edit: Edit,
    actor: str,
    written: list[RunnableConfig],
) -> Callable[[Acknowledge], Awaitable[ThreadView]]:
    """The run pool's job for an edit: write it (its new checkpoint's config appended to
    `written`, then acknowledged), then, when it left the thread with a step to take and
    nothing to wait for, run on from it, as an answer would."""

    async def job(acknowledge: Acknowledge) -> ThreadView:
        async with leases.hold(thread_id):
            config, outcome = await update_state(runs, thread_id, edit, actor)
            written.append(config)
            acknowledge()
            if outcome.record.status is ThreadStatus.RUNNING:
                async with pool.slot():
                    outcome = await runs.run(outcome.record, None, actor=actor)
        return await runs.outcome_view(outcome)

    return job


async def update_state(
    runs: RunLoop, thread_id: str, edit: Edit, actor: str
) -> tuple[RunnableConfig, Outcome]:
    """Write the edit (as if node `as_node`, LangGraph's choice when None, had returned its
    values) under the thread's lease (the caller holds it); the new checkpoint's config and
    where the thread stands after it."""
    record = await runs.thread(thread_id)
    as_node = edit.as_node
    if actor != record.owner:
        raise Forbidden(f"only the thread's owner {record.owner!r} may change its state")
    forks = edit.checkpoint_id is not None
    if record.status in (ThreadStatus.RUNNING, ThreadStatus.CANCELLED) or (
        record.status.is_final and not forks
    ):
        raise Conflict(
            f"thread {thread_id!r} is {record.status}: its state changes while it waits, or "
            "once it has ended at an earlier checkpoint (a fork)"
        )
    _, graph = runs.workflow(record)
    config = runs.config(thread_id, actor)
    config["metadata"] = {"updated_by": actor}
    if edit.checkpoint_id is not None:
        config["configurable"].update(checkpoint_ns="", checkpoint_id=edit.checkpoint_id)
        if await runs.db.saver.aget_tuple(config) is None:
            raise NotFound(f"thread {thread_id!r} has no checkpoint {edit.checkpoint_id!r}")
    # running while the edit is written: should the process die before its end is recorded,
    # recovery brings the thread into step with whichever checkpoint is its latest by then
    edited = {EDITED_BY: actor, "checkpoint_id": edit.checkpoint_id}
    if not await runs.store.reopen_thread(thread_id, edited, runs.clock(), record.status):
        raise Conflict(f"thread {thread_id!r} changed meanwhile; try again")
    try:
        written = await graph.aupdate_state(config, edit.values, as_node=as_node)
    except (InvalidUpdateError, ValueError, KeyError) as exc:
        await runs.store.set_status(thread_id, record.status, runs.clock(), record.error)
        raise InvalidInput(
            f"invalid state update: {exc}",
            fields=[{"loc": "as_node" if as_node else "values", "message": str(exc)}],
        ) from exc
    outcome = await runs.sync(record)
    runs.publish("state_updated", outcome.record, actor=actor, data={"as_node": as_node})
    return written, outcome

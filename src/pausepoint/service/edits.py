"""State edits: a thread's values changed by hand (LangGraph's `update_state`, as the
LangGraph API's `POST /threads/{id}/state` asks for it), under the thread's lease.

Only the thread's owner edits it, and only while it waits: a running thread is a Conflict, a
finished one too (its end is its audit trail). The new checkpoint carries who made it
(`updated_by` in its metadata, as history shows it), and the thread's status and pause index
follow it: an edit that leaves a step to take (`as_node` the paused node, say) runs the thread
on from there, as an answer would; one that leaves it paused keeps it waiting.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.errors import InvalidUpdateError

from pausepoint.domain import ThreadStatus, ThreadView
from pausepoint.errors import Conflict, Forbidden, InvalidInput
from pausepoint.service.leases import Leases
from pausepoint.service.outcomes import Outcome
from pausepoint.service.pool import Acknowledge, RunPool
from pausepoint.service.runs import RunLoop


def update_job(
    runs: RunLoop,
    leases: Leases,
    pool: RunPool,
    thread_id: str,
    values: Any,
    actor: str,
    as_node: str | None,
    written: list[RunnableConfig],
) -> Callable[[Acknowledge], Awaitable[ThreadView]]:
    """The run pool's job for an edit: write it (its new checkpoint's config appended to
    `written`, then acknowledged), then, when it left the thread with a step to take and
    nothing to wait for, run on from it, as an answer would."""

    async def job(acknowledge: Acknowledge) -> ThreadView:
        async with leases.hold(thread_id):
            config, outcome = await update_state(runs, thread_id, values, actor, as_node=as_node)
            written.append(config)
            acknowledge()
            if outcome.record.status is ThreadStatus.RUNNING:
                async with pool.slot():
                    outcome = await runs.run(outcome.record, None, actor=actor)
        return await runs.outcome_view(outcome)

    return job


async def update_state(
    runs: RunLoop,
    thread_id: str,
    values: Any,
    actor: str,
    *,
    as_node: str | None = None,
) -> tuple[RunnableConfig, Outcome]:
    """Write `values` as if node `as_node` (LangGraph's choice when None) had returned them,
    under the thread's lease (the caller holds it); the new checkpoint's config and where the
    thread stands after it."""
    record = await runs.thread(thread_id)
    if actor != record.owner:
        raise Forbidden(f"only the thread's owner {record.owner!r} may change its state")
    if record.status is ThreadStatus.RUNNING or record.status.is_final:
        raise Conflict(
            f"thread {thread_id!r} is {record.status}: its state changes only while it waits"
        )
    _, graph = runs.workflow(record)
    config = runs.config(thread_id, actor)
    config["metadata"] = {"updated_by": actor}
    try:
        written = await graph.aupdate_state(config, values, as_node=as_node)
    except (InvalidUpdateError, ValueError, KeyError) as exc:
        raise InvalidInput(
            f"invalid state update: {exc}",
            fields=[{"loc": "as_node" if as_node else "values", "message": str(exc)}],
        ) from exc
    outcome = await runs.sync(record)
    runs.publish("state_updated", outcome.record, actor=actor, data={"as_node": as_node})
    return written, outcome

"""A new run on a thread whose run goes on: the LangGraph API's `multitask_strategy`.

`supersede` stops the run going on (in this process, or, on Postgres, in the one that runs it)
without ending the thread, and gives the thread new input: from the checkpoint the stopped run
reached (`interrupt`), or from the one the thread had before that run began (`rollback`: the
stopped run's checkpoints are left behind, on a branch; the thread goes on from a copy of the
earlier one). `bind` checks an answer that waits its turn (`enqueue`) against the pause
pending when it arrives, and names that pause, so the answer is applied to it or refused
(ThreadService.resume), never to a pause its sender never saw.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from pausepoint.domain import ThreadStatus, ThreadView
from pausepoint.errors import (
    AlreadyAnswered,
    Conflict,
    Forbidden,
    InvalidAnswer,
    ThreadNotFound,
)
from pausepoint.jsontext import json_or_none
from pausepoint.persistence.records import ThreadRecord
from pausepoint.service.answers import Waiting, decide, pending_of
from pausepoint.service.leases import Leases
from pausepoint.service.outcomes import Known
from pausepoint.service.pauses import checkpoint_of
from pausepoint.service.pool import Acknowledge, RunPool
from pausepoint.service.runs import CONTINUE, RunLoop

logger = logging.getLogger(__name__)


class Multitask:
    """A thread's new run while another goes on (ThreadService.multitask)."""

    def __init__(self, runs: RunLoop, leases: Leases, pool: RunPool) -> None:
        self._runs = runs
        self._leases = leases
        self._pool = pool

    async def bind(
        self, thread_id: str, answer: Any, actor: str, *, by_id: bool = False
    ) -> dict[str, Any]:
        """The answers, keyed by interrupt id, that `answer` makes to the pause pending on the
        thread's latest checkpoint now (`by_id`: `answer` maps pending interrupt ids to
        answers), checked as ThreadService.resume checks them; nothing is written. Conflict
        when nothing is pending, AlreadyAnswered when the run going on applies an answer to
        it, InvalidAnswer when the answer fails its schema or several pauses are pending and
        it names none."""
        state = await self._runs.store.thread_state(thread_id)
        if state is None:
            raise ThreadNotFound(f"no thread {thread_id!r}")
        record = state.record
        snapshot = await self._runs.snapshot(record)
        pending = pending_of(record, snapshot)
        if by_id and isinstance(answer, Mapping) and answer and set(answer) <= set(pending):
            answers = dict(answer)
        elif len(pending) > 1:
            raise InvalidAnswer(
                f"thread {thread_id!r} has {len(pending)} pending pauses; name the one you "
                f"answer (one of: {', '.join(sorted(pending))})"
            )
        else:
            answers = {next(iter(pending)): answer}
        answered = sorted(set(answers) & {d.interrupt_id for d in state.unapplied})
        if answered:  # its answer is being applied by the run going on
            raise AlreadyAnswered(
                f"pause {answered[0]!r} has already been answered; nothing was queued"
            )
        pauses = await self._runs.indexed(record, list(pending.values()), state.pauses)
        waiting = Waiting(
            pauses={p.interrupt_id: p for p in pauses},
            checkpoints=dict.fromkeys(pending, checkpoint_of(snapshot)),
            snapshot=snapshot,
        )
        decide(record, waiting, answers, actor, self._runs.clock())
        return answers

    async def supersede(
        self,
        thread_id: str,
        input: Mapping[str, Any],
        actor: str,
        *,
        back_to: datetime | None = None,
        wait: float | None = None,
    ) -> ThreadView:
        """Stop the thread's run going on and run `input` (its owner only): from where the
        stopped run got, or (`back_to`) from the thread's latest checkpoint written before
        that time (none: the thread starts again from nothing). Returns as `start` does."""
        record = await self._runs.thread(thread_id)
        if actor != record.owner:
            raise Forbidden(f"only the thread's owner {record.owner!r} may stop its run")
        if record.status.is_final and record.status is not ThreadStatus.COMPLETED:
            raise Conflict(f"thread {thread_id!r} is {record.status}: it takes no new run")
        workflow, _ = self._runs.workflow(record)
        payload = workflow.parse_input(input)
        await self.stop(record, actor)

        async def job(acknowledge: Acknowledge) -> ThreadView:
            async with self._leases.hold(thread_id):
                current = await self._runs.thread(thread_id)
                if back_to is not None:
                    await self._roll_back(current, back_to)
                snapshot = await self._runs.snapshot(current)
                marker: Any = json_or_none(input)
                if snapshot.created_at is not None:
                    after = checkpoint_of(snapshot)
                    marker = {CONTINUE: after, "input": marker, "actor": actor}
                # stopped where its checkpoint is, then given the input (reopen: completed only)
                stopped = await self._runs.set_status(
                    current, ThreadStatus.COMPLETED, None, [], notices=[]
                )
                now = self._runs.clock()
                if not await self._runs.store.reopen_thread(thread_id, marker, now):
                    raise Conflict(f"thread {thread_id!r} changed meanwhile; try again")
                running = replace(stopped, status=ThreadStatus.RUNNING, updated_at=now)
                self._runs.publish("started", running, actor=actor)
                acknowledge()
                async with self._pool.slot():
                    outcome = await self._runs.run(
                        running, payload, known=Known(pending=frozenset()), actor=actor
                    )
            return await self._runs.outcome_view(outcome)

        task = await self._pool.submit(thread_id, job)
        view = await self._pool.outcome(task, wait)
        return (
            view
            if view is not None
            else await self._runs.current_view(await self._runs.thread(thread_id))
        )

    async def stop(self, record: ThreadRecord, actor: str) -> None:
        """Stop the thread's run going on here, or ask the process that runs it to (on
        Postgres); the thread stays as its last checkpoint has it."""
        stopped = await self._pool.cancel(record.thread_id)
        if not stopped and record.status is ThreadStatus.RUNNING:
            self._runs.publish("cancel_requested", record, actor=actor, data={"superseded": True})
            await asyncio.sleep(0)  # the request goes out; the lease says when it has stopped

    async def _roll_back(self, record: ThreadRecord, before: datetime) -> None:
        """Make the thread's latest checkpoint a copy of its latest one written before
        `before`; with none, delete its checkpoints (it starts again from nothing)."""
        _, graph = self._runs.workflow(record)
        async for snapshot in graph.aget_state_history(self._runs.config(record.thread_id)):
            created = snapshot.created_at
            if created is not None and datetime.fromisoformat(created) < before:
                await graph.aupdate_state(snapshot.config, None, as_node="__copy__")
                return
        await self._runs.db.saver.adelete_thread(record.thread_id)

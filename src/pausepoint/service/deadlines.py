"""Deadlines: a pause whose deadline passes unanswered gets its `on_timeout` (an answer, an
escalation, or failing the thread), as `system:deadline`."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from langgraph.types import StateSnapshot

from pausepoint.domain import SYSTEM_DEADLINE, OnTimeout, Pause, ThreadStatus, ThreadView, digest
from pausepoint.errors import Conflict, PausepointError
from pausepoint.persistence.records import ThreadRecord
from pausepoint.service.decisions import decision
from pausepoint.service.leases import Leases
from pausepoint.service.pauses import checkpoint_of, pauses_of
from pausepoint.service.runs import RunLoop

logger = logging.getLogger(__name__)

Resume = Callable[[str, Mapping[str, Any], str], Awaitable[ThreadView]]


class Deadlines:
    """Sweeps the pause index for pauses past their deadline; `resume` answers one as the
    service does for a person."""

    def __init__(self, runs: RunLoop, leases: Leases, resume: Resume) -> None:
        self._runs = runs
        self._leases = leases
        self._resume = resume

    async def sweep(self, *, limit: int = 500) -> int:
        """Apply the `on_timeout` of every pause whose deadline has passed; return how many.

        Safe to run from several processes at once: an answer goes through `resume` as
        `system:deadline`, so the decision log's unique key lets exactly one sweep (or the
        human who answered first) win; the others get Conflict and do nothing.
        """
        handled = 0
        for thread_id, interrupt_id in await self._runs.store.due_pauses(self._runs.clock(), limit):
            try:
                handled += await self._time_out(thread_id, interrupt_id)
            except Conflict:
                logger.debug("deadline of %s/%s: already answered", thread_id, interrupt_id)
            except PausepointError as exc:
                logger.error("deadline of %s/%s: %s", thread_id, interrupt_id, exc.detail)
        return handled

    async def _time_out(self, thread_id: str, interrupt_id: str) -> int:
        runs = self._runs
        record = await runs.thread(thread_id)
        snapshot = await runs.snapshot(record)
        pause = {p.interrupt_id: p for p in pauses_of(snapshot)}.get(interrupt_id)
        if pause is None or record.status.is_final:
            async with self._leases.hold(thread_id):  # the index is behind the checkpoint: resync
                if not (await runs.thread(thread_id)).status.is_final:
                    await runs.sync(await runs.thread(thread_id))
            return 0
        rule = pause.on_timeout or OnTimeout(action="fail")
        if rule.action == "answer":
            await self._resume(thread_id, {interrupt_id: rule.answer}, SYSTEM_DEADLINE)
        elif rule.action == "escalate" and rule.assignee:
            notices = runs.notices.escalated(record, pause, rule.assignee)
            await runs.store.escalate(thread_id, interrupt_id, rule.assignee, notifications=notices)
            moved = pause.model_copy(update={"assignee": rule.assignee, "deadline": None})
            runs.publish("paused", record, pause=moved, actor=SYSTEM_DEADLINE)
        else:
            await self._fail(record, pause, snapshot)
        return 1

    async def _fail(self, record: ThreadRecord, pause: Pause, snapshot: StateSnapshot) -> None:
        runs = self._runs
        failed = decision(
            record.thread_id,
            pause,
            checkpoint_of(snapshot),
            SYSTEM_DEADLINE,
            runs.clock(),
            {"on_timeout": "fail"},
            pause.payload_digest or digest(pause.context),
        )
        await runs.store.record_decisions([failed])
        async with self._leases.hold(record.thread_id):
            error = f"pause {pause.title!r} passed its deadline unanswered"
            record = await runs.set_status(
                record, ThreadStatus.FAILED, error, [], [pause.interrupt_id]
            )
            runs.publish("failed", record, actor=SYSTEM_DEADLINE, data={"error": error})

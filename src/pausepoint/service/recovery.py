"""Recovery: decisions recorded but never applied, and runs a dead process left behind."""

from __future__ import annotations

import contextlib

from pausepoint.domain import ThreadStatus
from pausepoint.errors import InvalidAnswer
from pausepoint.service import commands
from pausepoint.service.leases import Leases
from pausepoint.service.pool import Acknowledge, RunPool
from pausepoint.service.runs import RunLoop


async def needing_recovery(runs: RunLoop) -> list[str]:
    """The threads with decisions not applied or left running."""
    return await runs.store.threads_needing_recovery()


async def recover_thread(runs: RunLoop, leases: Leases, thread_id: str) -> bool:
    """Bring one thread back into step: finish the run a dead process left (from its last
    checkpoint, or its stored input), then apply its decisions not yet applied. False when
    another live task or process holds it (that one will finish it) or it was cancelled."""
    async with leases.hold(thread_id, wait=False) as held:
        if not held:
            return False
        record = await runs.thread(thread_id)
        if record.status is ThreadStatus.CANCELLED:
            return False
        if record.status is ThreadStatus.RUNNING:
            snapshot = await runs.snapshot(record)
            # a command acknowledged that no run took the thread past its checkpoint with
            with contextlib.suppress(InvalidAnswer):  # refused: its decisions taken back
                if await commands.rerun(runs, record, snapshot) is not None:
                    return True
            # A decision whose pause is no longer pending was consumed by the run that died
            # (which may finish the thread now: drain skips a finished one).
            pending = {i.id for i in snapshot.interrupts}
            consumed = [
                d.interrupt_id
                for d in await runs.store.unapplied_decisions(thread_id)
                if d.interrupt_id not in pending
            ]
            record = (await runs.settle(record, snapshot, applied=consumed)).record
        with contextlib.suppress(InvalidAnswer):
            await runs.drain(record)
        return True


async def recover(runs: RunLoop, leases: Leases) -> int:
    """Recover every thread that needs it, one after another; how many were brought back."""
    recovered = 0
    for thread_id in await needing_recovery(runs):
        recovered += await recover_thread(runs, leases, thread_id)
    return recovered


async def recover_in(pool: RunPool, runs: RunLoop, leases: Leases) -> int:
    """Recover every thread that needs it, each as a job of `pool` (not waited for: a live
    server's sweep is not held up by a long run); how many were taken up."""
    taken = 0
    for thread_id in await needing_recovery(runs):
        if pool.running(thread_id) or pool.handed_over(thread_id):
            continue

        async def job(acknowledge: Acknowledge, thread_id: str = thread_id) -> bool:
            acknowledge()
            async with pool.slot():
                return await recover_thread(runs, leases, thread_id)

        await pool.submit(thread_id, job)
        taken += 1
    return taken

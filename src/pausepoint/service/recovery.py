"""Recovery: decisions recorded but never applied, and runs a dead process left behind."""

from __future__ import annotations

import contextlib

from pausepoint.domain import ThreadStatus
from pausepoint.errors import InvalidAnswer
from pausepoint.service.leases import Leases
from pausepoint.service.runs import RunLoop


async def recover(runs: RunLoop, leases: Leases) -> int:
    """Apply decisions recorded but not applied, and finish runs a dead process left.

    Threads another live process holds are skipped (it will finish them). Returns the number
    of threads brought back into step.
    """
    recovered = 0
    for thread_id in await runs.store.threads_needing_recovery():
        async with leases.hold(thread_id, wait=False) as held:
            if not held:
                continue
            record = await runs.thread(thread_id)
            if record.status is ThreadStatus.CANCELLED:
                continue
            if record.status is ThreadStatus.RUNNING:
                record = (await runs.settle(record, await runs.snapshot(record))).record
            with contextlib.suppress(InvalidAnswer):
                await runs.drain(record)
            recovered += 1
    return recovered

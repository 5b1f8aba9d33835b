"""What a ThreadService does besides answering its callers: recovery (applying decisions a dead
process recorded, finishing the runs it left) and the deadline sweeper, which also recovers, so
that a live server takes up what a dead one left without waiting for a restart."""

from __future__ import annotations

import asyncio
import logging

from pausepoint.service.deadlines import Deadlines
from pausepoint.service.leases import Leases
from pausepoint.service.pool import RunPool
from pausepoint.service.recovery import recover, recover_in
from pausepoint.service.runs import RunLoop

logger = logging.getLogger(__name__)


class Upkeep:
    """Recovery and the deadline sweeper, as part of ThreadService."""

    _pool: RunPool
    _runs: RunLoop
    _leases: Leases
    _deadlines: Deadlines

    async def recover(self, *, background: bool = False) -> int:
        """Apply decisions recorded but not applied, and finish runs a dead process left
        (service/recovery.py); how many threads were taken up (in the `background`: as jobs
        of the run pool, not waited for, as a live server's sweep does)."""
        if background:
            return await recover_in(self._pool, self._runs, self._leases)
        return await recover(self._runs, self._leases)

    async def sweep_deadlines(self, *, limit: int = 500) -> int:
        """Apply the `on_timeout` of every pause whose deadline has passed; return how many
        (service/deadlines.py)."""
        return await self._deadlines.sweep(limit=limit)

    async def run_sweeper(self, interval: float = 5.0) -> None:
        """Sweep deadlines now (catching up on any that fell due while down), then forever.

        Each sweep also runs `recover()`: with several servers on one database, a decision
        another server recorded before it died is applied by a live one (under the thread's
        lease, so by one server only), without waiting for a restart.
        """
        while True:
            try:
                await self.sweep_deadlines()
                await self.recover(background=True)
            except Exception:
                logger.exception("deadline sweep failed; retrying")
            await asyncio.sleep(interval)

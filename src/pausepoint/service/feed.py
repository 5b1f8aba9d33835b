"""What other processes do to threads, heard where no bus carries it: on SQLite, a thread
answered with the CLI, or run by another server on the same file, changes only rows.

A server looks at the threads whose rows changed since its last look, about once a second
(one indexed query), and publishes on its own bus what each change means — `paused` (a pause
each), `completed`, `failed`, `cancelled`, or `resumed` (an answer being run elsewhere) — so
that its push doors (the page, SSE, WebSocket) hear it within a second or two. A change this
process made itself was published when it was made (the bus remembers which row version it
announced), and a thread this process is running is left to that run. On Postgres, LISTEN/NOTIFY
already carries every process's events (service/pg_events.py), so no feed runs there.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta

from pausepoint.domain import ThreadStatus
from pausepoint.persistence.records import ThreadRecord
from pausepoint.persistence.store import Store
from pausepoint.service.events import EventType
from pausepoint.service.runs import RunLoop

logger = logging.getLogger(__name__)

#: How far back each look reaches before the last: a row is stamped before its commit, so a
#: change committed just after a look may carry a time before it.
OVERLAP = timedelta(seconds=5)
#: The most changes one look takes (the next look takes the rest).
BATCH = 500

MEANS: dict[ThreadStatus, EventType] = {
    ThreadStatus.WAITING: "paused",
    ThreadStatus.COMPLETED: "completed",
    ThreadStatus.FAILED: "failed",
    ThreadStatus.CANCELLED: "cancelled",
    ThreadStatus.RUNNING: "resumed",
}


class ChangeFeed:
    """Publishes the thread changes other processes made (see the module's docstring)."""

    def __init__(
        self, store: Store, runs: RunLoop, running: Callable[[str], bool], every: float = 1.0
    ) -> None:
        self._store = store
        self._runs = runs
        self._running = running
        self._every = every
        self._since = runs.clock()

    async def run(self) -> None:
        """Look every `every` seconds until cancelled."""
        while True:
            await asyncio.sleep(self._every)
            try:
                await self.look()
            except Exception:  # a failed look is tried again at the next
                logger.warning("could not look for other processes' changes", exc_info=True)

    async def look(self) -> int:
        """Publish the changes made elsewhere since the last look; how many there were."""
        changed = await self._store.changed_threads(self._since - OVERLAP, BATCH)
        told = 0
        for record in changed:
            heard = self._runs.events.version(record.thread_id)
            if heard is not None and heard >= record.updated_at:
                continue  # announced here already (made here, or heard at an earlier look)
            if self._running(record.thread_id):
                continue  # this process runs it: the run announces where it stops
            await self._tell(record)
            told += 1
        if changed:
            self._since = max(self._since, changed[-1].updated_at)
        self._runs.events.forget_versions(before=self._since - OVERLAP)
        return told

    async def _tell(self, record: ThreadRecord) -> None:
        kind = MEANS[record.status]
        if kind == "paused":
            view = await self._runs.current_view(record)
            for pause in view.pauses:
                self._runs.publish("paused", record, pause=pause)
            if not view.pauses:  # answered again by now: the next look tells where it went
                return
        elif kind == "failed":
            self._runs.publish("failed", record, data={"error": record.error})
        else:
            self._runs.publish(kind, record)
        logger.info("heard thread %s %s in another process", record.thread_id, record.status)

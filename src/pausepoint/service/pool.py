"""The runs of this process: each in a task of its own, at most `limit` running at once.

A start or an answer is a job in two parts. Its first part makes the request durable (the
thread's row with its input; the decision row) and is acknowledged: the caller hears of any
refusal (a taken id, a wrong answer, a conflict) from it. Its second part runs the graph to
its next stop, in the background, under a slot of the pool; the caller may wait for it as
long as it likes (`wait`), and a caller that stops waiting (a timeout, a client that went
away) leaves it running. Closing the pool cancels what still runs: each such thread stays
`running` with its lease released, and the next process to start (or a live server's sweep)
finishes it from its last checkpoint (service/recovery.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from pausepoint.service.events import EventBus

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: How long a thread whose run was stopped here for another process's new run is left to that
#: process (this process's recovery does not take it up meanwhile).
HANDOVER_SECONDS = 30.0

#: What a job calls once its request is durable.
Acknowledge = Callable[[], None]


class RunPool:
    """Background jobs by thread, and the slots their runs take."""

    def __init__(self, limit: int) -> None:
        self._slots = asyncio.Semaphore(limit)
        self._jobs: dict[str, set[asyncio.Task[object]]] = {}
        self._handed: dict[str, float] = {}

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the pool's run slots (waiting for one if all are taken)."""
        async with self._slots:
            yield

    async def submit(
        self, thread_id: str, job: Callable[[Acknowledge], Awaitable[T]]
    ) -> asyncio.Task[T]:
        """Start `job` in its own task and return once it has acknowledged (or raise what
        it raised before that); the task runs on."""
        acked: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def acknowledge() -> None:
            if not acked.done():
                acked.set_result(None)

        async def run() -> T:
            try:
                return await job(acknowledge)
            except BaseException as exc:
                if not acked.done():
                    if isinstance(exc, asyncio.CancelledError):
                        acked.cancel()
                    else:
                        acked.set_exception(exc)
                raise
            finally:
                acknowledge()  # a job that ended without acknowledging has nothing to say

        task: asyncio.Task[T] = asyncio.create_task(run(), name=f"run {thread_id}")
        jobs = self._jobs.setdefault(thread_id, set())
        jobs.add(task)
        task.add_done_callback(lambda t: self._done(thread_id, t))
        try:
            await asyncio.shield(acked)
        except asyncio.CancelledError:
            if not acked.done():  # the caller gave up before the acknowledgement
                task.cancel()
            raise
        return task

    def _done(self, thread_id: str, task: asyncio.Task[object]) -> None:
        jobs = self._jobs.get(thread_id, set())
        jobs.discard(task)
        if not jobs:
            self._jobs.pop(thread_id, None)
        if not task.cancelled() and (exc := task.exception()) is not None:
            logger.info("a job on thread %s ended with %r", thread_id, exc)

    @staticmethod
    async def outcome(task: asyncio.Task[T], wait: float | None) -> T | None:
        """The job's result once it is done, waiting at most `wait` seconds (None: until
        done); None if it is still running then. A job's error is raised here."""
        if wait is None:
            return await asyncio.shield(task)
        if not task.done():
            await asyncio.wait([task], timeout=wait)
        if not task.done():
            return None
        return task.result()

    def running(self, thread_id: str) -> bool:
        return bool(self._jobs.get(thread_id))

    def handed_over(self, thread_id: str) -> bool:
        """Whether the thread's run was stopped here, lately, for another process's run."""
        now = time.monotonic()
        self._handed = {t: until for t, until in self._handed.items() if until > now}
        return thread_id in self._handed

    async def settled(self, thread_id: str) -> None:
        """Return once no job of this process runs on the thread (however they end)."""
        while jobs := list(self._jobs.get(thread_id, ())):
            await asyncio.wait(jobs)

    async def cancel(self, thread_id: str) -> bool:
        """Cancel this process's jobs on the thread and wait for them to end; whether there
        were any."""
        jobs = list(self._jobs.get(thread_id, ()))
        for task in jobs:
            task.cancel()
        for task in jobs:
            with contextlib.suppress(BaseException):
                await task
        return bool(jobs)

    async def hear_cancels(self, events: EventBus) -> None:
        """Stop the runs here of threads cancelled in another process (`cancel_requested`,
        heard on a bus other processes publish to: Postgres's). Runs until cancelled."""
        if not events.shared:
            return
        async with events.subscribe() as queue:
            while True:
                event = await queue.get()
                if event.type == "cancel_requested" and self.running(event.thread_id):
                    logger.info("thread %s cancelled by %s elsewhere", event.thread_id, event.actor)
                    if event.data.get("superseded"):  # a new run there goes on with it
                        self._handed[event.thread_id] = time.monotonic() + HANDOVER_SECONDS
                    await self.cancel(event.thread_id)

    async def close(self) -> None:
        """Cancel every job still running and wait for each to end."""
        jobs = [t for tasks in self._jobs.values() for t in tasks]
        for task in jobs:
            task.cancel()
        for task in jobs:
            with contextlib.suppress(BaseException):
                await task

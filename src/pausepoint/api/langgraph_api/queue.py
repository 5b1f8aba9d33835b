"""Runs that wait their turn on a busy thread (`multitask_strategy="enqueue"`).

A queued run is a row of `api_runs` with status `pending`, written before the run is
acknowledged, with its request as it will run (an answer already bound to the pause it was
checked against: multitask.py). This process runs a thread's queued runs one after the other,
oldest first, each once the thread is free: no run of the API going on here, no job of the
thread in this process, the thread not running anywhere. A run is claimed (`pending` to
`running`, in one conditional write) before it runs, so it runs once, whichever server takes
it; a server that starts, and every server now and then, takes up the queued runs a stopped
server left. A queued run that is refused when its turn comes (its pause was answered
meanwhile, the thread ended) ends `error`, saying why; the thread stays as it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import replace
from typing import Any

from pausepoint.api.langgraph_api.checkpoints import Checkpoints
from pausepoint.api.langgraph_api.launch import Action, Launcher
from pausepoint.api.langgraph_api.live import LiveRun, LiveRuns
from pausepoint.api.langgraph_api.run_bodies import RunCreate
from pausepoint.api.langgraph_api.visible import VisibleThreads
from pausepoint.domain import ThreadStatus, ThreadView
from pausepoint.errors import PausepointError
from pausepoint.persistence.records import ApiRunRecord
from pausepoint.service.doors import Door
from pausepoint.service.threads import ThreadService

logger = logging.getLogger(__name__)

#: How often a queued run looks again whether its thread, running in another process, is free.
POLL_SECONDS = 0.1
#: How often this process looks for queued runs no process runs (a stopped server's).
PICKUP_SECONDS = 5.0
#: How long a queued run found that way waits once its thread is free, for the server that
#: queued it (if alive) to take it first: that server streams it to its caller.
GRACE_SECONDS = 2.0


class RunQueue:
    """This process's runners of queued runs, one task per thread."""

    def __init__(self, service: ThreadService, reader: Checkpoints, live: LiveRuns) -> None:
        self.service = service
        self.reader = reader
        self.live = live
        self._store = reader.store
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()

    def launcher(self, actor: str) -> Launcher:
        """Runs as `actor` makes them (a queued run runs as the person who made it)."""
        return Launcher(VisibleThreads(Door(self.service, actor), self.reader), self.live)

    async def busy(self, thread_id: str) -> bool:
        """Whether a new run on the thread would not start now: a run goes on, or waits."""
        record = await self.reader.record(thread_id)
        if record is not None and record.status is ThreadStatus.RUNNING:
            return True
        return bool(await self._store.list_api_runs(thread_id, limit=1, status="pending"))

    def kick(self, thread_id: str, *, found: bool = False) -> None:
        """Run the thread's queued runs (a runner already at it looks again); `found`: runs
        found queued, maybe by another server, which they are left to for a while."""
        self._again.add(thread_id)
        if thread_id not in self._workers:
            work = self._work(thread_id, GRACE_SECONDS if found else 0.0)
            self._workers[thread_id] = asyncio.create_task(work, name=f"queued {thread_id}")

    async def pick_up(self) -> None:
        """Run the queued runs no runner here has (a stopped server's), forever."""
        while True:
            try:
                for record in await self._store.pending_api_runs():
                    if record.thread_id not in self._workers:
                        self.kick(record.thread_id, found=True)
            except Exception:
                logger.exception("could not look for queued runs; looking again later")
            await asyncio.sleep(PICKUP_SECONDS)

    async def close(self) -> None:
        workers = list(self._workers.values())
        for task in workers:
            task.cancel()
        for task in workers:
            with contextlib.suppress(BaseException):
                await task

    async def _work(self, thread_id: str, grace: float) -> None:
        try:
            while True:
                self._again.discard(thread_id)
                pending = await self._store.list_api_runs(thread_id, limit=1000, status="pending")
                if not pending:
                    if thread_id in self._again:
                        continue
                    return
                await self._until_free(thread_id)
                record = pending[-1]  # the oldest
                if grace and self.live.get(record.run_id) is None:
                    await asyncio.sleep(grace)  # the server that queued it takes it first
                    stored = await self._store.get_api_run(record.run_id)
                    if stored is None or stored.status != "pending":
                        continue
                now = self.reader.now()
                if await self._store.set_api_run_status(
                    record.run_id, "running", now, only_from="pending"
                ):
                    await self._run(replace(record, status="running", updated_at=now))
                elif (live := self.live.get(record.run_id)) is not None:
                    live.finish()  # stopped, or taken by another server: not streamed here
        except Exception:
            logger.exception("queued runs of thread %s", thread_id)
        finally:
            self._workers.pop(thread_id, None)

    async def _until_free(self, thread_id: str) -> None:
        while True:
            for running in await self._store.list_api_runs(thread_id, status="running"):
                live = self.live.get(running.run_id)
                if live is not None:
                    await live.ended()
            await self.service.settled(thread_id)
            record = await self.reader.record(thread_id)
            if record is None or record.status is not ThreadStatus.RUNNING:
                return
            await asyncio.sleep(POLL_SECONDS)

    async def _run(self, record: ApiRunRecord) -> None:
        """Run the claimed `record` to its end (or record why it was refused)."""
        body = RunCreate.model_validate(record.kwargs)
        live = self.live.get(record.run_id)
        if live is None:  # queued in a process since stopped
            live = self.live.add(LiveRun(record.run_id, record.thread_id, frozenset(body.modes)))
        launcher = self.launcher(record.owner)
        try:
            act = await self._action(launcher, record, body)
            await launcher.go(record, _telling(act, live), body, False, live)
        except PausepointError as exc:
            now = self.reader.now()
            await self._store.set_api_run_status(record.run_id, "error", now)
            if not live.done:
                live.push("error", _error(exc))
                live.finish()
            return
        await live.ended()

    async def _action(self, launcher: Launcher, record: ApiRunRecord, body: RunCreate) -> Action:
        thread_id = record.thread_id
        command = body.command
        if command is not None and command.resumes:
            answers: dict[str, Any] = command.resume  # bound when it was queued
            return lambda wait: launcher.door.resume(thread_id, answers, wait=wait)
        found = await launcher.thread(thread_id, body)
        graph_id = str(record.metadata.get("graph_id") or record.assistant_id)
        return await launcher._action(found, graph_id, body)


def _error(exc: PausepointError) -> dict[str, str]:
    return {"error": type(exc).__name__, "message": str(exc)}


def _telling(act: Action, live: LiveRun) -> Action:
    """`act`, whose refusal its run's stream tells before it ends."""

    async def told(wait: float | None) -> ThreadView:
        try:
            return await act(wait)
        except PausepointError as exc:
            live.push("error", _error(exc))
            raise

    return told


def run_queue(state: Any, service: ThreadService) -> RunQueue:
    """The app's run queue (made with its live runs and checkpoints reader, once)."""
    queue = getattr(state, "langgraph_run_queue", None)
    if isinstance(queue, RunQueue):
        return queue
    live = getattr(state, "langgraph_live_runs", None)
    if not isinstance(live, LiveRuns):
        live = state.langgraph_live_runs = LiveRuns()
    reader = getattr(state, "langgraph_checkpoints", None)
    if not isinstance(reader, Checkpoints):
        reader = state.langgraph_checkpoints = Checkpoints(service)
    queue = state.langgraph_run_queue = RunQueue(service, reader, live)
    return queue

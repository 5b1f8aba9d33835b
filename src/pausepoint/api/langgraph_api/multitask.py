"""A run on a busy thread, as its `multitask_strategy` says (langgraph-api's four).

* `reject`: 409, nothing written.
* `enqueue` (the default): the run is queued (`pending`) and runs once the runs before it have
  ended (queue.py). An answer (`command.resume`) is checked now, against the pause pending
  now (422 or 409 now, nothing queued), and bound to it: should that pause be answered first,
  the queued run ends `error` when its turn comes, never answering a later pause.
* `interrupt`: the run going on is stopped (`interrupted`); the thread keeps what its last
  checkpoint has and runs the new input from there.
* `rollback`: the run going on is stopped and its record deleted; the thread runs the new input
  from the checkpoint it had before that run began (none: from nothing).

Runs waiting in the queue are stopped too by `interrupt` (`interrupted`) and `rollback`
(deleted). Stopping a run goes through ThreadService (service/multitask.py), so a run going on
in another server is stopped there.
"""

from __future__ import annotations

from pausepoint.api.langgraph_api.launch import INTERRUPT_ID, Launched, Launcher
from pausepoint.api.langgraph_api.live import LiveRun, LiveRuns
from pausepoint.api.langgraph_api.queue import RunQueue
from pausepoint.api.langgraph_api.run_bodies import RunCommand, RunCreate
from pausepoint.api.langgraph_api.visible import Found, VisibleThreads
from pausepoint.domain import ThreadView
from pausepoint.errors import Conflict, InvalidInput
from pausepoint.persistence.records import ApiRunRecord


class Multitasking(Launcher):
    """A Launcher that, on a busy thread, does what the run's `multitask_strategy` says."""

    def __init__(self, threads: VisibleThreads, live: LiveRuns, queue: RunQueue) -> None:
        super().__init__(threads, live)
        self.queue = queue

    async def launch(
        self, thread_id: str, graph_id: str, body: RunCreate, *, until_done: bool
    ) -> Launched:
        found = await self.thread(thread_id, body)
        if found.record is None or not await self.queue.busy(thread_id):
            return await super().launch(thread_id, graph_id, body, until_done=until_done)
        found = await self.threads.get(thread_id)  # a busy thread: only for who may see it
        strategy = body.multitask_strategy
        if strategy == "reject":
            raise Conflict(
                f"thread {thread_id!r} is busy: a run is going on, and multitask_strategy "
                "'reject' refuses a new one (wait for it, or choose 'enqueue', 'interrupt' "
                "or 'rollback')"
            )
        if strategy == "enqueue":
            return await self._enqueue(found, graph_id, body, until_done)
        return await self._supersede(found, graph_id, body, until_done)

    async def _enqueue(
        self, found: Found, graph_id: str, body: RunCreate, until_done: bool
    ) -> Launched:
        thread_id = found.thread_id
        command = body.command
        if command is not None and command.resumes:
            value = command.resume
            by_id = (
                isinstance(value, dict) and bool(value) and all(map(INTERRUPT_ID.fullmatch, value))
            )
            answers = await self.door.bind(thread_id, value, by_id=by_id)
            body = body.model_copy(update={"command": RunCommand(resume=answers)})
        elif body.input is not None and not isinstance(body.input, dict):
            raise InvalidInput(
                "`input` must be an object", fields=[{"loc": "input", "message": "not an object"}]
            )
        record = self.record(thread_id, graph_id, body, status="pending")
        modes = frozenset() if until_done else frozenset(body.modes)
        live = self.live.add(LiveRun(record.run_id, thread_id, modes))
        await self.threads.reader.store.put_api_run(record)
        self.queue.kick(thread_id)
        if until_done:
            await live.ended()
        return Launched(record, live, await self.door.get(thread_id))

    async def _supersede(
        self, found: Found, graph_id: str, body: RunCreate, until_done: bool
    ) -> Launched:
        thread_id, record = found.thread_id, found.record
        assert record is not None
        if body.command is not None and body.command.resumes:
            raise Conflict(
                f"thread {thread_id!r} is busy: a run is going on, with no interrupt to resume "
                "(queue the answer with multitask_strategy 'enqueue')"
            )
        if record.workflow != graph_id:
            wrong = f"thread {thread_id!r} runs graph {record.workflow!r}, not {graph_id!r}"
            raise InvalidInput(wrong, fields=[{"loc": "assistant_id", "message": wrong}])
        if not isinstance(body.input, dict):
            raise InvalidInput(
                "a run that stops another needs `input` (an object)",
                fields=[{"loc": "input", "message": "required"}],
            )
        store = self.threads.reader.store
        running = await store.list_api_runs(thread_id, limit=1000, status="running")
        rollback = body.multitask_strategy == "rollback"
        # back to before the oldest run going on (no run of the API: as `interrupt`)
        back_to = running[-1].created_at if rollback and running else None
        pending = await store.list_api_runs(thread_id, limit=1000, status="pending")
        await self._stop(pending, rollback)
        payload = body.input

        async def act(wait: float | None) -> ThreadView:
            view = await self.door.supersede(thread_id, payload, back_to=back_to, wait=0)
            await self._stop(running, rollback)  # stopped by now: say so before its own end does
            if wait is None:
                await self.service.settled(thread_id)
                view = await self.door.get(thread_id)
            return view

        return await self.go(self.record(thread_id, graph_id, body), act, body, until_done)

    async def _stop(self, runs: list[ApiRunRecord], rollback: bool) -> None:
        """Record that `runs` were stopped: `interrupted`, or deleted by a `rollback`."""
        store = self.threads.reader.store
        now = self.threads.reader.now()
        for run in runs:
            if rollback:
                await store.delete_api_run(run.run_id)
            else:
                await store.set_api_run_status(run.run_id, "interrupted", now, only_from=run.status)
            live = self.live.get(run.run_id)
            if live is not None:
                live.finish()

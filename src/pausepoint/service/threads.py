"""ThreadService: the only code that runs graphs, reads their state and resumes them.

Every door is a thin adapter over this class through `Door` (service/doors.py, door policy).

Resume is exactly-once (DESIGN.md): the answers are validated against the pending pauses, then
written to the decision log under a unique key (the loser of a race gets Conflict), and only
then applied with `Command(resume=...)`. Decisions written but not applied (the process died in
between) are applied by `recover()`, which `open()` runs at start-up. One process runs a thread
at a time, under a lease (service/leases.py); the run loop is service/runs.py."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig

from pausepoint.agents.cards import AgentCard
from pausepoint.agents.models import make_chat_model
from pausepoint.domain import Decision, InboxItem, ThreadStatus, ThreadSummary, ThreadView
from pausepoint.errors import InvalidAnswer, ThreadNotFound
from pausepoint.jsontext import json_or_none
from pausepoint.orchestrator.workflow import directory_agents
from pausepoint.persistence.database import Database, open_database
from pausepoint.persistence.records import ThreadRecord
from pausepoint.persistence.serde import make_serializer
from pausepoint.service import commands, edits, lifecycle, statefiles
from pausepoint.service.answers import decide, only_pause, pending_pause, waiting_on
from pausepoint.service.catalog import bundled
from pausepoint.service.commands import GraphCommand
from pausepoint.service.deadlines import Deadlines
from pausepoint.service.events import EventBus
from pausepoint.service.feed import ChangeFeed
from pausepoint.service.ids import check_thread_id
from pausepoint.service.leases import Leases
from pausepoint.service.multitask import Multitask
from pausepoint.service.notifications.sender import Sender
from pausepoint.service.outcomes import Known, Outcome
from pausepoint.service.pg_events import open_event_bus
from pausepoint.service.pool import Acknowledge, RunPool
from pausepoint.service.run_options import NO_OPTIONS, RunOptions
from pausepoint.service.runs import Clock, RunLoop
from pausepoint.service.upkeep import Upkeep
from pausepoint.settings import Settings
from pausepoint.workflows.registry import BuildContext, WorkflowRegistry

logger = logging.getLogger(__name__)

_UNSET: Any = object()

__all__ = ["Clock", "ThreadService", "utcnow"]


def utcnow() -> datetime:
    return datetime.now(UTC)


class ThreadService(Upkeep):
    """Start, inspect, answer and cancel threads of the registered workflows."""

    def __init__(
        self,
        *,
        db: Database,
        settings: Settings,
        workflows: WorkflowRegistry,
        build: BuildContext,
        clock: Clock = utcnow,
        events: EventBus | None = None,
    ) -> None:
        self._store = db.store
        self.workflows = workflows
        self.events = events or EventBus()
        self._clock = clock
        self._build = build
        self._cards: list[AgentCard] | None = None
        self._runs = RunLoop(
            db=db,
            settings=settings,
            workflows=workflows,
            build=build,
            clock=clock,
            events=self.events,
        )
        self._leases = Leases(db.store, settings.lease_seconds)
        self._pool = RunPool(settings.max_runs)
        self._deadlines = Deadlines(self._runs, self._leases, self.resume)
        #: the graph's own stream parts of this process's runs, for a door that hands them on
        self.taps = self._runs.taps
        #: a new run while one goes on: stop it and go on, or an answer that waits its turn
        self.multitask = Multitask(self._runs, self._leases, self._pool)

    @classmethod
    @asynccontextmanager
    async def open(
        cls,
        settings: Settings,
        *,
        workflows: WorkflowRegistry | None = None,
        chat_model: BaseChatModel | None = _UNSET,
        clock: Clock = utcnow,
        recover: bool = True,
        send: bool = False,
    ) -> AsyncIterator[ThreadService]:
        """Open the database, compile the workflows, run recovery (by default); with `send` (a
        server), deliver notifications and, on SQLite, hear other processes (service/feed.py)."""
        workflows = workflows if workflows is not None else bundled(settings)
        model = make_chat_model(settings.model) if chat_model is _UNSET else chat_model
        types = [t for wf in workflows for t in wf.state_types]
        async with (
            open_database(settings, make_serializer(types)) as db,
            open_event_bus(db, settings.database_url) as events,
        ):
            service = cls(
                db=db,
                settings=settings,
                workflows=workflows,
                build=BuildContext(chat_model=model, settings=settings),
                clock=clock,
                events=events,
            )
            tasks = [asyncio.create_task(service._pool.hear_cancels(events), name="cancels")]
            if send and service._runs.notices.enabled:
                sender = Sender(db.store, settings, clock).run(events)
                tasks.append(asyncio.create_task(sender, name="notifications"))
            if send and not events.shared:  # a server on SQLite: hear the other processes
                feed = ChangeFeed(db.store, service._runs, service._pool.running).run()
                tasks.append(asyncio.create_task(feed, name="changes"))
            try:
                if recover:
                    await service.recover()
                yield service
            finally:
                for task in tasks:
                    task.cancel()
                await service.close()

    async def close(self) -> None:
        """Stop the runs going on here: each stays running, for the next process to finish."""
        await self._pool.close()

    async def get(self, thread_id: str) -> ThreadView:
        """The thread's status, pending pauses (with schemas and actions) and result."""
        return await self._runs.current_view(await self._runs.thread(thread_id))

    async def list_threads(
        self,
        status: ThreadStatus | None = None,
        *,
        limit: int = 50,
        offset: int = 0,
        owner: str | None = None,
    ) -> list[ThreadSummary]:
        """Threads (of `status`, started by `owner`, when given), most recently updated first."""
        records = await self._store.list_threads(status, limit, offset, owner)
        return [r.summary() for r in records]

    async def inbox(
        self, actor: str, *, limit: int = 50, offset: int = 0, others: bool = False
    ) -> list[InboxItem]:
        """Every pending pause `actor` may answer, newest first (an indexed query); with
        `others`, also those waiting on someone else in threads `actor` may see."""
        return await self._store.inbox(actor, limit, offset, others=others)

    def agents(self) -> list[AgentCard]:
        """The agent directory the orchestrator plans with: local tools and every workflow."""
        if self._cards is None:
            agents = directory_agents(self.workflows, self._build)
            self._cards = [a.card for a in agents]
        return self._cards

    async def decisions(self, thread_id: str) -> list[Decision]:
        """The decision log of one thread, oldest first."""
        await self._runs.thread(thread_id)
        return await self._store.decisions(thread_id)

    # starting

    async def start(
        self,
        workflow: str,
        input: Mapping[str, Any],
        actor: str,
        *,
        thread_id: str | None = None,
        wait: float | None = None,
        options: RunOptions = NO_OPTIONS,
    ) -> ThreadView:
        """Start `workflow` on `input` as `actor` (its run with `options`); return when it
        stops, or after `wait` seconds with the thread running on (stored by then; None waits
        however long)."""
        wf = self.workflows.get(workflow)
        payload = wf.parse_input(input)
        thread_id = check_thread_id(thread_id) if thread_id is not None else uuid.uuid4().hex
        stored = json_or_none(input)

        async def job(acknowledge: Acknowledge) -> ThreadView:
            assert thread_id is not None
            async with self._leases.hold(thread_id):
                now = self._clock()
                record = ThreadRecord(thread_id, wf.name, actor, ThreadStatus.RUNNING, now, now)
                await self._store.create_thread(record, stored)
                self._runs.publish("started", record, actor=actor)
                acknowledge()
                await self._runs.failpoints.soon("before_first_checkpoint")
                async with self._pool.slot():
                    outcome = await self._runs.run(
                        record,
                        payload,
                        known=Known(pending=frozenset()),
                        actor=actor,
                        options=options,
                    )
            return await self._runs.outcome_view(outcome)

        return await self._until(thread_id, await self._pool.submit(thread_id, job), wait)

    async def _until(
        self, thread_id: str, task: asyncio.Task[ThreadView], wait: float | None
    ) -> ThreadView:
        """The view the job gives when it ends within `wait` seconds (None: however long it
        takes), else the thread as it is now (running)."""
        view = await self._pool.outcome(task, wait)
        return view if view is not None else await self.get(thread_id)

    # answering

    async def answer(
        self,
        thread_id: str,
        answer: Any,
        actor: str,
        *,
        interrupt_id: str | None = None,
        wait: float | None = None,
    ) -> ThreadView:
        """Answer one pause; `interrupt_id` may be left out when exactly one is pending.

        An answer that does not name its pause is bound to the pause pending when it arrives
        (read before waiting for the thread): should someone answer that pause first, this
        answer is refused (Conflict), never applied to the pause that came after it.
        """
        if interrupt_id is not None:
            return await self.resume(thread_id, {interrupt_id: answer}, actor, wait=wait)

        async def job(acknowledge: Acknowledge) -> ThreadView:
            # With the lease free now, nothing changes the thread before it is read under it
            async with self._leases.hold(thread_id, wait=False) as held:
                if held:
                    outcome = await self._apply(thread_id, None, answer, actor, acknowledge)
            if not held:
                bound = await self.pending_pause(thread_id)  # before waiting for the lease
                return await self._resume(thread_id, {bound: answer}, actor, acknowledge)
            return await self._runs.outcome_view(outcome)

        return await self._until(thread_id, await self._pool.submit(thread_id, job), wait)

    async def pending_pause(self, thread_id: str) -> str:
        """The thread's one pending pause's id (InvalidAnswer if several, Conflict if none)."""
        return await pending_pause(self._runs, thread_id)

    async def resume(
        self,
        thread_id: str,
        answers: Mapping[str, Any],
        actor: str,
        *,
        wait: float | None = None,
    ) -> ThreadView:
        """Apply `answers` (keyed by interrupt id) exactly once, then run to the next stop
        (waiting for it at most `wait` seconds, as `start` does; the answers are recorded by
        the time this returns).

        Raises Conflict for unknown, stale or already answered pauses, InvalidAnswer when an
        answer fails its schema, Forbidden when `actor` may not answer. On any error nothing
        is written and the thread still waits exactly as it was.
        """
        if not answers:
            raise InvalidAnswer("no answer given")

        async def job(acknowledge: Acknowledge) -> ThreadView:
            return await self._resume(thread_id, answers, actor, acknowledge)

        return await self._until(thread_id, await self._pool.submit(thread_id, job), wait)

    async def _resume(
        self, thread_id: str, answers: Mapping[str, Any], actor: str, acknowledge: Acknowledge
    ) -> ThreadView:
        async with self._leases.hold(thread_id):
            outcome = await self._apply(thread_id, answers, None, actor, acknowledge)
        return await self._runs.outcome_view(outcome)

    async def _apply(
        self,
        thread_id: str,
        answers: Mapping[str, Any] | None,
        answer: Any,
        actor: str,
        acknowledge: Acknowledge,
    ) -> Outcome:
        """Under the thread's lease: record `answers` (None: `answer` to the one pending
        pause), then run on. The whole answer happens under the lease, so the state read
        here is the state the answers are applied to; the decision log's unique key stays the
        last word should two processes ever both believe they hold the thread."""
        state = await self._store.thread_state(thread_id)
        if state is None:
            raise ThreadNotFound(f"no thread {thread_id!r}")
        record = state.record
        waiting = await waiting_on(self._runs, state)
        pending = waiting.pauses
        if answers is None:
            answers = {only_pause(thread_id, pending): answer}
        decisions = decide(record, waiting, answers, actor, self._clock())
        await self._store.record_decisions(decisions, running_since=self._clock())
        self._runs.failpoints.hit("after_decision")
        for d in decisions:
            data = {"interrupt_id": d.interrupt_id}
            self._runs.publish("answered", record, actor=actor, data=data)
        # Read from the index, the thread had nothing unapplied: now exactly these are.
        known = Known(
            snapshot=waiting.snapshot,
            pending=frozenset(pending),
            unapplied=tuple(decisions) if waiting.snapshot is None else None,
        )
        acknowledge()
        async with self._pool.slot():
            return await self._runs.drain(record, known)

    async def settled(self, thread_id: str) -> None:
        """Return once the runs this process has going on the thread have stopped."""
        await self._pool.settled(thread_id)

    # state files

    async def export_state(self, thread_id: str) -> dict[str, Any]:
        """The thread as an editable state file (workflow, context, steps, decisions)."""
        record = await self._runs.thread(thread_id)
        return await statefiles.export(self._runs, record, await self._runs.snapshot(record))

    async def import_state(self, state: Any, actor: str) -> ThreadView:
        """Resume a thread from an edited state file, checked first, then logged as `actor`'s
        decision and applied exactly once (service/statefiles.py)."""
        outcome = await statefiles.resume_from(self._runs, self._leases, state, actor)
        return await self._runs.outcome_view(outcome)

    async def update_state(
        self,
        thread_id: str,
        values: Any,
        actor: str,
        *,
        as_node: str | None = None,
        checkpoint_id: str | None = None,
    ) -> RunnableConfig:
        """Change a thread's state as its owner, at `checkpoint_id` a fork (service/edits.py);
        the new checkpoint's config, once written (a run it starts goes on)."""
        written: list[RunnableConfig] = []
        edit = edits.Edit(values, as_node, checkpoint_id)
        job = edits.update_job(
            self._runs, self._leases, self._pool, thread_id, edit, actor, written
        )
        await self._pool.submit(thread_id, job)
        return written[0]

    async def run_command(
        self, command: GraphCommand, actor: str, *, wait: float | None = None
    ) -> ThreadView:
        """Run a thread with LangGraph's `Command` or from an earlier checkpoint, as `actor`
        (service/commands.py); returns as `start` does."""
        job = await commands.command_job(self._runs, self._leases, self._pool, command, actor)
        return await self._until(
            command.thread_id, await self._pool.submit(command.thread_id, job), wait
        )

    async def cancel(self, thread_id: str, actor: str) -> ThreadView:
        """Cancel a thread that has not finished: its run is stopped (on Postgres in any
        process, else this one's), its pauses leave every inbox."""
        record = await lifecycle.cancel(self._runs, self._leases, self._pool, thread_id, actor)
        return await self._runs.current_view(record)

    async def go_on(
        self,
        thread_id: str,
        input: Mapping[str, Any],
        actor: str,
        *,
        wait: float | None = None,
    ) -> ThreadView:
        """New input for a completed thread, as its owner (a conversation's next turn); it
        runs on from its last checkpoint, and returns as `start` does (service/lifecycle.py)."""
        job = lifecycle.continue_job(self._runs, self._leases, self._pool, thread_id, input, actor)
        return await self._until(thread_id, await self._pool.submit(thread_id, job), wait)

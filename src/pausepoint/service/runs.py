"""The run loop: run a thread's graph to its next stop and record where it stands.

Only code under the thread's lease (service/leases.py) calls in here. A run ends by writing the
thread's status, its pause-index rows and the decisions it consumed in one transaction; a view
is then built from what the run already knows, reading back only what it does not.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.errors import is_invalid_resume
from langgraph.pregel import Pregel
from langgraph.types import Command, GraphOutput, StateSnapshot
from pydantic import ValidationError

from pausepoint.domain import Pause, ThreadStatus, ThreadView, outcome_of
from pausepoint.errors import InvalidAnswer, ThreadNotFound
from pausepoint.persistence.database import Database
from pausepoint.persistence.records import NotificationRow, PauseRow, ThreadRecord
from pausepoint.service.breakpoints import ends_with_its_state, is_breakpoint, with_breakpoint
from pausepoint.service.events import EventBus
from pausepoint.service.failpoints import Failpoints
from pausepoint.service.notifications.notices import Notices
from pausepoint.service.outcomes import NOTHING_KNOWN, Known, Outcome
from pausepoint.service.pauses import Stop, checkpoint_of, indexed, pauses_from, row_of
from pausepoint.service.run_events import RunEvents
from pausepoint.service.run_options import NO_OPTIONS, RunOptions
from pausepoint.service.streaming import RunStream, monotonic
from pausepoint.service.taps import Taps
from pausepoint.settings import Settings
from pausepoint.workflows.registry import BuildContext, Workflow, WorkflowRegistry

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]

#: The key of a thread's stored input that says which checkpoint new input goes on from
#: (service/lifecycle.py): recovery runs it again while the thread is still there.
CONTINUE = "pausepoint_continue_after"

#: The configurable key LangGraph (and its API server) uses for the authenticated caller.
ACTOR_KEY = "langgraph_auth_user_id"


class RunLoop(RunEvents):
    """The compiled graphs of the registered workflows, and the loop that runs them."""

    def __init__(
        self,
        *,
        db: Database,
        settings: Settings,
        workflows: WorkflowRegistry,
        build: BuildContext,
        clock: Clock,
        events: EventBus,
    ) -> None:
        self.db = db
        self.store = db.store
        self.settings = settings
        self.workflows = workflows
        self.events = events
        self.clock = clock
        self._graphs: dict[str, Pregel[Any, Any, Any, Any]] = {
            wf.name: wf.runnable(build, db.saver) for wf in workflows
        }
        #: test only: where to kill this process (service/failpoints.py)
        self.failpoints = Failpoints(settings.failpoint)
        #: the notifications each change makes (service/notifications/notices.py)
        self.notices = Notices(settings, clock)
        self.taps = Taps()

    # reading

    @staticmethod
    def config(thread_id: str, actor: str | None = None) -> RunnableConfig:
        """The run config; `actor` (who started the run, or gave the answers it applies) under
        LangGraph's own key for the caller, so a node can say who decided."""
        configurable: dict[str, Any] = {"thread_id": thread_id}
        if actor is not None:
            configurable[ACTOR_KEY] = actor
        return {"configurable": configurable}

    async def thread(self, thread_id: str) -> ThreadRecord:
        record = await self.store.get_thread(thread_id)
        if record is None:
            raise ThreadNotFound(f"no thread {thread_id!r}")
        return record

    def workflow(self, record: ThreadRecord) -> tuple[Workflow, Pregel[Any, Any, Any, Any]]:
        return self.workflows.get(record.workflow), self._graphs[record.workflow]

    async def snapshot(self, record: ThreadRecord) -> StateSnapshot:
        workflow, graph = self.workflow(record)
        snapshot = await graph.aget_state(self.config(record.thread_id))
        snapshot = await with_breakpoint(graph, self.db.saver, snapshot)
        if workflow.inspect is not None:
            saved = await self.db.saver.aget_tuple(snapshot.config)
            values = snapshot.values if isinstance(snapshot.values, dict) else {}
            snapshot = snapshot._replace(values={**values, **workflow.inspect(snapshot, saved)})
        return snapshot

    async def indexed(
        self, record: ThreadRecord, pauses: Sequence[Pause], rows: Sequence[PauseRow] | None
    ) -> list[Pause]:
        """The pauses with their effective assignee and absolute deadline from the index
        (`rows`, when just read or written; else read now)."""
        if rows is None:
            rows = await self.store.pause_rows(record.thread_id)
        return indexed(pauses, rows)

    async def view(
        self, record: ThreadRecord, stop: Stop, rows: Sequence[PauseRow] | None = None
    ) -> ThreadView:
        workflow, _ = self.workflow(record)
        values = stop.state
        waiting = record.status is ThreadStatus.WAITING
        pauses = await self.indexed(record, stop.pauses, rows) if waiting else []
        completed = record.status is ThreadStatus.COMPLETED
        result = workflow.result(stop.values) if completed else None
        return ThreadView(
            thread_id=record.thread_id,
            workflow=record.workflow,
            status=record.status,
            owner=record.owner,
            created_at=record.created_at,
            updated_at=record.updated_at,
            pauses=pauses,
            result=result,
            error=record.error,
            steps=dict(values.get("steps", {})) if isinstance(values.get("steps"), dict) else {},
            progress=(
                self.events.progress(record.thread_id, record.progress)
                if record.status is ThreadStatus.RUNNING
                else None
            ),
            outcome=outcome_of(record.status, result),
        )

    async def current_view(self, record: ThreadRecord) -> ThreadView:
        return await self.view(record, Stop.of(await self.snapshot(record)))

    async def outcome_view(self, outcome: Outcome) -> ThreadView:
        stop = outcome.stop or Stop.of(await self.snapshot(outcome.record))
        return await self.view(outcome.record, stop, outcome.rows)

    # applying decisions

    async def drain(
        self, record: ThreadRecord, known: Known = NOTHING_KNOWN, options: RunOptions = NO_OPTIONS
    ) -> Outcome:
        """Apply every unapplied decision whose pause is pending (in a run with `options`).

        One pass is enough: a decision recorded while we hold the lease belongs to a caller
        that waits for the lease and drains after us.
        """
        decisions = known.unapplied
        if decisions is None:
            decisions = tuple(await self.store.unapplied_decisions(record.thread_id))
        snapshot = known.snapshot
        if record.status.is_final or not decisions:
            return Outcome(record, Stop.of(snapshot) if snapshot else None)
        pending = known.pending
        if pending is None:
            snapshot = snapshot or await self.snapshot(record)
            pending = frozenset(i.id for i in snapshot.interrupts)
        live = [d for d in decisions if d.interrupt_id in pending]
        # The others were consumed by a run that died before it could mark them applied.
        done = [d.interrupt_id for d in decisions if d.interrupt_id not in pending]
        if not live:
            snapshot = snapshot or await self.snapshot(record)
            return await self.settle(record, snapshot, applied=done)
        resume = {d.interrupt_id: d.answer for d in live}
        # A static breakpoint is passed by running on with no input.
        payload: Command[Any] | None = (
            None if all(map(is_breakpoint, resume)) else Command(resume=resume)
        )
        try:
            return await self.run(
                record,
                payload,
                applied=[*resume, *done],
                known=Known(pending=pending),
                actor=live[-1].actor,
                options=options,
            )
        except InvalidAnswer:
            await self.store.delete_decisions(record.thread_id, list(resume))
            raise

    async def settle(
        self, record: ThreadRecord, snapshot: StateSnapshot, applied: Sequence[str] = ()
    ) -> Outcome:
        """Bring a thread a dead process left behind into step with its checkpoint: finish
        a superstep it was in the middle of, or just record where it stands."""
        if snapshot.created_at is None:  # stopped before its first checkpoint: start again
            stored = await self.store.thread_input(record.thread_id)
            if stored is not None:
                logger.info("starting thread %s again from its input", record.thread_id)
                payload = self.workflows.get(record.workflow).parse_input(stored)
                return await self.run(
                    record, payload, known=Known(pending=frozenset()), actor=record.owner
                )
            error = "the process stopped before the thread's first checkpoint; start it again"
            record = await self.set_status(record, ThreadStatus.FAILED, error, [], applied)
            self.publish("failed", record, data={"error": error})
            return Outcome(record, None)
        if snapshot.tasks and not snapshot.interrupts:
            logger.info("continuing thread %s where a stopped run left it", record.thread_id)
            options = RunOptions.of(snapshot.metadata)  # the stopped run's
            return await self.run(record, None, applied=applied, options=options)
        stored = await self.store.thread_input(record.thread_id) if not snapshot.tasks else None
        if isinstance(stored, dict) and stored.get(CONTINUE) == checkpoint_of(snapshot):
            # new input was acknowledged, and no run took it from this checkpoint: run it again
            logger.info("giving thread %s the new input it was given again", record.thread_id)
            payload = self.workflows.get(record.workflow).parse_input(stored["input"])
            actor = str(stored.get("actor") or record.owner)
            return await self.run(record, payload, known=Known(pending=frozenset()), actor=actor)
        return await self.sync(record, applied, Known(snapshot=snapshot))

    # running

    async def run(
        self,
        record: ThreadRecord,
        payload: Any,
        *,
        applied: Sequence[str] = (),
        known: Known = NOTHING_KNOWN,
        actor: str | None = None,
        options: RunOptions = NO_OPTIONS,
    ) -> Outcome:
        """Run the graph (with `options`) until it stops (as `actor`, when known); record the
        status, the pause index and which decisions (`applied`) it consumed, in one write."""
        workflow, graph = self.workflow(record)
        error: str | None = None
        if record.status is not ThreadStatus.RUNNING:
            self.publish("resumed", replace(record, status=ThreadStatus.RUNNING))
        try:
            # named as langgraph-api names a run: by its graph; the options kept with checkpoints
            config = self.config(record.thread_id, actor)
            config = {**config, "run_name": record.workflow, "metadata": options.metadata()}
            stream = RunStream(
                self._run_event(record, actor),
                self._store_progress(record),
                monotonic,
                self.taps.of(record.thread_id),
            )
            async with asyncio.timeout(self.settings.run_timeout):
                output: GraphOutput[Any] = await stream.run(graph, payload, config, options)
        except TimeoutError:
            error = (
                f"the run took longer than PAUSEPOINT_RUN_TIMEOUT ({self.settings.run_timeout:g} s)"
            )
            logger.warning("thread %s: %s", record.thread_id, error)
        except ValidationError as exc:
            if not is_invalid_resume(exc):
                raise
            problems = exc.errors()
            fields = [{"loc": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in problems]
            raise InvalidAnswer(
                f"invalid answer: {exc.error_count()} problem(s)", fields=fields
            ) from exc
        except Exception as exc:
            logger.exception("thread %s failed", record.thread_id)
            error = f"{type(exc).__name__}: {exc}"
        if error is not None:  # (a timeout's too)
            record = await self.set_status(record, ThreadStatus.FAILED, error, [], applied)
            self.publish("failed", record, data={"error": error})
            return Outcome(record, None)
        pauses = pauses_from(output.interrupts)
        if len(pauses) == 1 and workflow.inspect is None and isinstance(output.value, dict):
            # stopped at one pause: its output holds the values and the interrupt that the
            # checkpoint it just wrote does, so no need to read that checkpoint back
            stop = Stop(output.value, pauses)
            return await self.record_stop(record, ThreadStatus.WAITING, stop, applied, known)
        if not pauses and workflow.inspect is None and ends_with_its_state(graph, options):
            stop = Stop(output.value, [])  # what the checkpoint holds: no need to read it
            return await self.record_stop(record, ThreadStatus.COMPLETED, stop, applied, known)
        return await self.sync(record, applied, Known(pending=known.pending))

    async def sync(
        self, record: ThreadRecord, applied: Sequence[str] = (), known: Known = NOTHING_KNOWN
    ) -> Outcome:
        """Make the thread's status and pause-index rows match its checkpoint."""
        snapshot = known.snapshot or await self.snapshot(record)
        stop = Stop.of(snapshot)
        if stop.pauses:
            status = ThreadStatus.WAITING
        elif snapshot.tasks:  # tasks left to run (or whose writes are not yet applied)
            status = ThreadStatus.RUNNING
        else:
            status = ThreadStatus.COMPLETED
        return await self.record_stop(record, status, stop, applied, known)

    async def record_stop(
        self,
        record: ThreadRecord,
        status: ThreadStatus,
        stop: Stop,
        applied: Sequence[str],
        known: Known,
    ) -> Outcome:
        """Record where the thread stands: its status, its pause-index rows and the
        decisions (`applied`) its last run consumed, in one transaction.

        A pause already pending before the run (`known.pending`) keeps its row (an escalation
        and its deadline stay) and is not announced again; with that unknown, every pause is
        announced.
        """
        pauses = stop.pauses
        now = self.clock()
        rows = tuple(row_of(p, now) for p in pauses)
        kept = known.pending or frozenset()
        stopped = replace(record, status=status)
        done = status is ThreadStatus.COMPLETED
        outcome = outcome_of(status, self.workflow(record)[0].result(stop.values)) if done else None
        if status is ThreadStatus.WAITING:
            fresh = [p for p in pauses if p.interrupt_id not in kept]
            notices = self.notices.paused(stopped, fresh, rows)
        else:
            notices = self.notices.ended(stopped) if done else []
        record = await self.set_status(record, status, None, rows, applied, notices, outcome)
        if status is ThreadStatus.WAITING:
            self.failpoints.hit("after_pause")
            for pause in pauses:
                if pause.interrupt_id not in kept:
                    self.publish("paused", record, pause=pause)
        elif status is ThreadStatus.COMPLETED:
            self.publish("completed", record)
        if known.pending is None or any(p.interrupt_id in kept for p in pauses):
            return Outcome(record, stop)  # rows kept from before: the view reads them
        return Outcome(record, stop, rows)

    async def set_status(
        self,
        record: ThreadRecord,
        status: ThreadStatus,
        error: str | None,
        pauses: Sequence[PauseRow] | None,
        applied: Sequence[str] = (),
        notices: Sequence[NotificationRow] | None = None,
        outcome: str | None = None,
    ) -> ThreadRecord:
        """Record the thread's status (and outcome), pause rows, applied decisions and
        notifications (a failure's unless `notices` are given) in one transaction."""
        now = self.clock()
        updated = replace(record, status=status, updated_at=now, error=error, outcome=outcome)
        if notices is None:
            failed = status is ThreadStatus.FAILED and error is not None
            notices = self.notices.ended(updated, error) if failed else ()
        await self.store.set_status(
            record.thread_id,
            status,
            now,
            error,
            pauses,
            applied,
            notifications=notices,
            outcome=outcome,
        )
        return updated

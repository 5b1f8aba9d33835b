"""ThreadService: the only code that runs graphs, reads their state and resumes them.

Every door (CLI, HTTP, WebSocket, A2A, the web page) is a thin adapter over this class.

Resume is exactly-once (DESIGN.md): the answers are validated against the pending pauses,
then written to the decision log under a unique key (the loser of a race gets Conflict),
and only then applied with `Command(resume=...)`. Decisions written but not applied (the
process died in between) are applied by `recover()`, which `open()` runs at start-up.

Only one process runs a given thread at a time: runs happen under a lease row in the
database (renewed while held, taken over when it expires or its process is gone).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import signal
import socket
import time
import uuid
import weakref
from collections.abc import AsyncIterator, Callable, Collection, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig
from langgraph.errors import is_invalid_resume
from langgraph.pregel import Pregel
from langgraph.types import Command, GraphOutput, Interrupt, StateSnapshot
from pydantic import ValidationError

from pausepoint.agents.cards import AgentCard
from pausepoint.agents.models import make_chat_model
from pausepoint.domain import (
    SYSTEM_DEADLINE,
    Decision,
    InboxItem,
    OnTimeout,
    Pause,
    ThreadStatus,
    ThreadSummary,
    ThreadView,
    digest,
)
from pausepoint.errors import (
    Conflict,
    Forbidden,
    InvalidAnswer,
    InvalidInput,
    NothingToAnswer,
    PausepointError,
    ThreadNotFound,
)
from pausepoint.forms import summary, validate_answer
from pausepoint.orchestrator.workflow import directory_agents
from pausepoint.persistence.database import Database, open_database
from pausepoint.persistence.records import PauseRow, ThreadRecord, ThreadState
from pausepoint.persistence.serde import make_serializer
from pausepoint.service.approvals import decided_digest
from pausepoint.service.catalog import bundled
from pausepoint.service.events import EventBus, EventType, ThreadEvent
from pausepoint.service.pg_events import open_event_bus
from pausepoint.settings import Settings
from pausepoint.workflows.dag.pauses import imported
from pausepoint.workflows.registry import BuildContext, Workflow, WorkflowRegistry

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]

_UNSET: Any = object()

#: A thread id a caller may choose: it goes into URLs and the databases as it is.
THREAD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@~-]{0,127}")


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Stop:
    """What a thread's latest checkpoint holds, as far as a view needs it."""

    values: Mapping[str, Any]
    pauses: list[Pause]
    #: The pauses already carry their pause-index assignee and deadline (as just written).
    indexed: bool = False

    @classmethod
    def of(cls, snapshot: StateSnapshot) -> Stop:
        values = snapshot.values if isinstance(snapshot.values, dict) else {}
        return cls(values, pauses_of(snapshot))


@dataclass(frozen=True, slots=True)
class Waiting:
    """The pauses an answer may go to, by interrupt id, each with the checkpoint it is
    pending on; `snapshot` when the checkpoint was read to find them."""

    pauses: dict[str, Pause]
    checkpoints: dict[str, str]
    snapshot: StateSnapshot | None


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where a run left a thread: its record and, when already known, its checkpoint's stop."""

    record: ThreadRecord
    stop: Stop | None


def pause_from_interrupt(interrupt_id: str, value: Any, schema: Any) -> Pause:
    """Build the Pause every door shows from a LangGraph interrupt."""
    schema = schema if isinstance(schema, dict) else None
    if isinstance(value, dict) and "title" in value:
        return Pause.model_validate(
            {**value, "interrupt_id": interrupt_id, "response_schema": schema}
        )
    return Pause(
        interrupt_id=interrupt_id,
        kind="question",
        title=str(value) if isinstance(value, str) else "Input needed",
        context={} if isinstance(value, str) else {"value": value},
        response_schema=schema,
    )


def pauses_of(snapshot: StateSnapshot) -> list[Pause]:
    """The pending pauses of a checkpoint."""
    return pauses_from(snapshot.interrupts)


def pauses_from(interrupts: Sequence[Interrupt]) -> list[Pause]:
    """The pauses, once each: a pause deep in nested subgraphs (a workflow's task inside the
    orchestrator) can be listed more than once."""
    unique = {i.id: i for i in interrupts}
    return [pause_from_interrupt(i.id, i.value, i.response_schema) for i in unique.values()]


def _effective(row: PauseRow) -> Pause:
    """The indexed pause with the assignee and absolute deadline it has now (an escalation
    moves both)."""
    assert row.pause is not None
    return row.pause.model_copy(update={"assignee": row.assignee, "deadline": row.deadline})


def _in_utc(moment: datetime | None) -> datetime | None:
    """`moment` as the stores give it back: in UTC (a naive one taken to be UTC already)."""
    if moment is None or moment.tzinfo is None:
        return moment.replace(tzinfo=UTC) if moment else None
    return moment.astimezone(UTC)


def _answerer(pause: Pause, owner: str) -> str:
    return pause.assignee or owner


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ThreadService:
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
        self._db = db
        self._store = db.store
        self._settings = settings
        self.workflows = workflows
        self.events = events or EventBus()
        self._clock = clock
        self._graphs: dict[str, Pregel[Any, Any, Any, Any]] = {
            wf.name: wf.runnable(build, db.saver) for wf in workflows
        }
        self._build = build
        self._cards: list[AgentCard] | None = None
        self._holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

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
    ) -> AsyncIterator[ThreadService]:
        """Open the database, compile the workflows, and (by default) run recovery."""
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
            if recover:
                await service.recover()
            yield service

    # reading

    def _config(self, thread_id: str) -> RunnableConfig:
        return {"configurable": {"thread_id": thread_id}}

    async def _thread(self, thread_id: str) -> ThreadRecord:
        record = await self._store.get_thread(thread_id)
        if record is None:
            raise ThreadNotFound(f"no thread {thread_id!r}")
        return record

    def _workflow(self, record: ThreadRecord) -> tuple[Workflow, Pregel[Any, Any, Any, Any]]:
        return self.workflows.get(record.workflow), self._graphs[record.workflow]

    async def _snapshot(self, record: ThreadRecord) -> StateSnapshot:
        workflow, graph = self._workflow(record)
        snapshot = await graph.aget_state(self._config(record.thread_id))
        if workflow.inspect is not None:
            saved = await self._db.saver.aget_tuple(snapshot.config)
            values = snapshot.values if isinstance(snapshot.values, dict) else {}
            snapshot = snapshot._replace(values={**values, **workflow.inspect(snapshot, saved)})
        return snapshot

    async def _view(self, record: ThreadRecord, stop: Stop) -> ThreadView:
        workflow, _ = self._workflow(record)
        values = stop.values
        waiting = record.status is ThreadStatus.WAITING
        pauses = stop.pauses if stop.indexed else await self._indexed(record, stop.pauses)
        pauses = pauses if waiting else []
        return ThreadView(
            thread_id=record.thread_id,
            workflow=record.workflow,
            status=record.status,
            owner=record.owner,
            created_at=record.created_at,
            updated_at=record.updated_at,
            pauses=pauses,
            result=workflow.result(values) if record.status is ThreadStatus.COMPLETED else None,
            error=record.error,
            steps=dict(values.get("steps", {})) if isinstance(values.get("steps"), dict) else {},
        )

    async def _indexed(
        self, record: ThreadRecord, pauses: list[Pause], rows: list[PauseRow] | None = None
    ) -> list[Pause]:
        """The pauses with their effective assignee and absolute deadline from the index
        (`rows`, when the caller has just read them)."""
        if rows is None:
            rows = await self._store.pause_rows(record.thread_id)
        by_id = {r.interrupt_id: r for r in rows}
        out = []
        for pause in pauses:
            row = by_id.get(pause.interrupt_id)
            if row is not None:
                pause = pause.model_copy(
                    update={"assignee": row.assignee, "deadline": row.deadline}
                )
            out.append(pause)
        return out

    async def _outcome_view(self, outcome: Outcome) -> ThreadView:
        stop = outcome.stop or Stop.of(await self._snapshot(outcome.record))
        return await self._view(outcome.record, stop)

    async def get(self, thread_id: str) -> ThreadView:
        """The thread's status, pending pauses (with schemas and actions) and result."""
        record = await self._thread(thread_id)
        return await self._view(record, Stop.of(await self._snapshot(record)))

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
        return [
            ThreadSummary(
                thread_id=r.thread_id,
                workflow=r.workflow,
                status=r.status,
                owner=r.owner,
                created_at=r.created_at,
                updated_at=r.updated_at,
                error=r.error,
            )
            for r in records
        ]

    async def inbox(self, actor: str, *, limit: int = 50, offset: int = 0) -> list[InboxItem]:
        """Every pending pause `actor` may answer, newest first (an indexed query)."""
        return await self._store.inbox(actor, limit, offset)

    def agents(self) -> list[AgentCard]:
        """The agent directory the orchestrator plans with: local tools and every workflow."""
        if self._cards is None:
            agents = directory_agents(self.workflows, self._build)
            self._cards = [a.card for a in agents]
        return self._cards

    async def decisions(self, thread_id: str) -> list[Decision]:
        """The decision log of one thread, oldest first."""
        await self._thread(thread_id)
        return await self._store.decisions(thread_id)

    # starting

    async def start(
        self,
        workflow: str,
        input: Mapping[str, Any],
        actor: str,
        *,
        thread_id: str | None = None,
    ) -> ThreadView:
        """Start `workflow` on `input` as `actor`; return when it pauses, completes or fails."""
        wf = self.workflows.get(workflow)
        payload = wf.parse_input(input)
        if thread_id is not None and not THREAD_ID.fullmatch(thread_id):
            raise InvalidInput(
                f"thread id {thread_id!r} is not 1-128 letters, digits and ._:@~- "
                "(starting with a letter or digit)",
                fields=[{"loc": "thread_id", "message": "not a valid thread id"}],
            )
        thread_id = thread_id or uuid.uuid4().hex
        now = self._clock()
        async with self._hold(thread_id):
            record = ThreadRecord(thread_id, wf.name, actor, ThreadStatus.RUNNING, now, now)
            await self._store.create_thread(record)
            self._publish("started", record, actor=actor)
            outcome = await self._run(record, payload, before=())
        return await self._outcome_view(outcome)

    # answering

    async def answer(
        self, thread_id: str, answer: Any, actor: str, *, interrupt_id: str | None = None
    ) -> ThreadView:
        """Answer one pause; `interrupt_id` may be left out when exactly one is pending."""
        if interrupt_id is not None:
            return await self.resume(thread_id, {interrupt_id: answer}, actor)
        return await self._resume(thread_id, None, answer, actor)

    def _pending(self, record: ThreadRecord, snapshot: StateSnapshot) -> dict[str, Pause]:
        if record.status.is_final:
            raise Conflict(f"thread {record.thread_id!r} is {record.status}; nothing to answer")
        pending = {p.interrupt_id: p for p in pauses_of(snapshot)}
        if not pending:
            raise NothingToAnswer(f"thread {record.thread_id!r} is not waiting for an answer")
        return pending

    async def resume(self, thread_id: str, answers: Mapping[str, Any], actor: str) -> ThreadView:
        """Apply `answers` (keyed by interrupt id) exactly once, then run to the next stop.

        Raises Conflict for unknown, stale or already answered pauses, InvalidAnswer when an
        answer fails its schema, Forbidden when `actor` may not answer. On any error nothing
        is written and the thread still waits exactly as it was.
        """
        if not answers:
            raise InvalidAnswer("no answer given")
        return await self._resume(thread_id, answers, None, actor)

    async def _resume(
        self, thread_id: str, answers: Mapping[str, Any] | None, single: Any, actor: str
    ) -> ThreadView:
        # The whole answer happens under the thread's lease, so the state read here is the
        # state the answers are applied to; the decision log's unique key stays the last
        # word should two processes ever both believe they hold the thread.
        async with self._hold(thread_id):
            state = await self._store.thread_state(thread_id)
            if state is None:
                raise ThreadNotFound(f"no thread {thread_id!r}")
            record = state.record
            waiting = await self._waiting_on(state)
            pending = waiting.pauses
            if answers is None:
                if len(pending) > 1:
                    raise InvalidAnswer(
                        f"thread {thread_id!r} has {len(pending)} pending pauses; name the "
                        f"one you answer (one of: {', '.join(sorted(pending))})"
                    )
                answers = {next(iter(pending)): single}
            decisions = self._decide(record, waiting, answers, actor)
            await self._store.record_decisions(decisions)
            self._failpoint("after_decision")
            for d in decisions:
                self._publish(
                    "answered", record, actor=actor, data={"interrupt_id": d.interrupt_id}
                )
            # Read from the index, the thread had nothing unapplied: now exactly these are.
            known = decisions if waiting.snapshot is None else None
            outcome = await self._drain(
                record, waiting.snapshot, pending=pending.keys(), decisions=known
            )
        return await self._outcome_view(outcome)

    async def _waiting_on(self, state: ThreadState) -> Waiting:
        """The pauses an answer to `state`'s thread may go to (Conflict if there are none).

        While a thread waits with no decision unapplied, its pause-index rows hold exactly
        the pauses of its latest checkpoint: both change only in a run, and the run's end
        writes the rows, the status and the decisions it consumed in one transaction (a run
        that died before that left its decisions unapplied, or its status running). So the
        rows are read instead of the checkpoint; rows written before they kept the whole
        pause, and every other state, read the checkpoint.
        """
        record = state.record
        if record.status is ThreadStatus.WAITING and not state.unapplied:
            rows = state.pauses
            kept = [r for r in rows if r.pause is not None and r.checkpoint_id is not None]
            if kept and len(kept) == len(rows):
                return Waiting(
                    pauses={r.interrupt_id: _effective(r) for r in kept},
                    checkpoints={r.interrupt_id: str(r.checkpoint_id) for r in kept},
                    snapshot=None,
                )
        snapshot = await self._snapshot(record)
        pending = self._pending(record, snapshot)
        checkpoint_id = str(snapshot.config["configurable"]["checkpoint_id"])
        return Waiting(
            pauses={
                p.interrupt_id: p
                for p in await self._indexed(record, list(pending.values()), state.pauses)
            },
            checkpoints=dict.fromkeys(pending, checkpoint_id),
            snapshot=snapshot,
        )

    def _decide(
        self,
        record: ThreadRecord,
        waiting: Waiting,
        answers: Mapping[str, Any],
        actor: str,
    ) -> list[Decision]:
        """Check every answer against its pending pause; the decisions to record."""
        now = self._clock()
        decisions: list[Decision] = []
        for interrupt_id, answer in answers.items():
            pause = waiting.pauses.get(interrupt_id)
            if pause is None:
                raise Conflict(
                    f"pause {interrupt_id!r} is not pending on thread {record.thread_id!r} "
                    f"(pending: {', '.join(sorted(waiting.pauses))})"
                )
            answerer = _answerer(pause, record.owner)
            if actor not in (answerer, SYSTEM_DEADLINE):
                raise Forbidden(f"{actor!r} may not answer this pause; it waits for {answerer!r}")
            errors = validate_answer(pause.response_schema, answer)
            if errors:
                raise InvalidAnswer(
                    f"invalid answer to {pause.title!r}: {summary(errors, 'answer')}",
                    fields=errors,
                )
            payload_digest = decided_digest(pause, answer)
            decisions.append(
                Decision(
                    thread_id=record.thread_id,
                    interrupt_id=interrupt_id,
                    checkpoint_id=waiting.checkpoints[interrupt_id],
                    actor=actor,
                    decided_at=now,
                    answer=answer,
                    payload_digest=payload_digest,
                )
            )
        return decisions

    # state files

    async def export_state(self, thread_id: str) -> dict[str, Any]:
        """The thread as an editable state file (workflow, context, steps, decisions)."""
        record = await self._thread(thread_id)
        return await self._export(record, await self._snapshot(record))

    async def _export(self, record: ThreadRecord, snapshot: StateSnapshot) -> dict[str, Any]:
        workflow, _ = self._workflow(record)
        if workflow.state_file is None:
            raise Conflict(f"workflow {workflow.name!r} has no state file")
        values = snapshot.values if isinstance(snapshot.values, dict) else {}
        view = await self._view(record, Stop.of(snapshot))
        decisions = await self._store.decisions(record.thread_id)
        return workflow.state_file.export(view, values, decisions)

    async def import_state(self, state: Any, actor: str) -> ThreadView:
        """Resume a thread from an edited state file: paused steps marked completed take the
        outputs the file gives them. The edit is checked first (InvalidInput names the field;
        nothing is written), then logged as `actor`'s decision and applied exactly once.
        """
        thread_id = state.get("thread_id") if isinstance(state, dict) else None
        if not isinstance(thread_id, str):
            raise InvalidInput(
                "invalid state file: thread_id missing",
                fields=[{"loc": "thread_id", "message": "field required"}],
            )
        async with self._hold(thread_id):
            record = await self._thread(thread_id)
            snapshot = await self._snapshot(record)
            pending = self._pending(record, snapshot)
            current = await self._export(record, snapshot)
            workflow, _ = self._workflow(record)
            assert workflow.state_file is not None  # _export checked it
            plan = workflow.state_file.plan_import(current, state, pending)
            indexed = {
                p.interrupt_id: p for p in await self._indexed(record, list(pending.values()))
            }
            decisions = []
            for interrupt_id, output in plan:
                answerer = _answerer(indexed[interrupt_id], record.owner)
                if actor != answerer:
                    raise Forbidden(
                        f"{actor!r} may not answer this pause; it waits for {answerer!r}"
                    )
                decisions.append(
                    Decision(
                        thread_id=thread_id,
                        interrupt_id=interrupt_id,
                        checkpoint_id=str(snapshot.config["configurable"]["checkpoint_id"]),
                        actor=actor,
                        decided_at=self._clock(),
                        answer=imported(output),
                        payload_digest=digest(output),
                    )
                )
            await self._store.record_decisions(decisions)
            for d in decisions:
                data = {"interrupt_id": d.interrupt_id, "via": "state_file"}
                self._publish("answered", record, actor=actor, data=data)
            outcome = await self._drain(record, snapshot)
        return await self._outcome_view(outcome)

    async def _drain(
        self,
        record: ThreadRecord,
        snapshot: StateSnapshot | None = None,
        *,
        pending: Collection[str] | None = None,
        decisions: Sequence[Decision] | None = None,
    ) -> Outcome:
        """Under the thread's lease: apply every unapplied decision whose pause is pending.

        `snapshot`, or else `pending` (the ids of the pending pauses), and `decisions` (the
        unapplied ones), when given, must have been read or written under the same lease.
        One pass is enough: a decision recorded while we hold the lease belongs to a caller
        that waits for the lease and drains after us.
        """
        if decisions is None:
            decisions = await self._store.unapplied_decisions(record.thread_id)
        if record.status.is_final or not decisions:
            return Outcome(record, Stop.of(snapshot) if snapshot else None)
        if snapshot is not None or pending is None:
            snapshot = snapshot or await self._snapshot(record)
            pending = {i.id for i in snapshot.interrupts}
        live = [d for d in decisions if d.interrupt_id in pending]
        # The others were consumed by a run that died before it could mark them applied.
        done = [d.interrupt_id for d in decisions if d.interrupt_id not in pending]
        if not live:
            snapshot = snapshot or await self._snapshot(record)
            return await self._settle(record, snapshot, applied=done)
        resume = {d.interrupt_id: d.answer for d in live}
        try:
            return await self._run(
                record, Command(resume=resume), applied=[*resume, *done], before=pending
            )
        except InvalidAnswer:
            await self._store.delete_decisions(record.thread_id, list(resume))
            raise

    async def _settle(
        self, record: ThreadRecord, snapshot: StateSnapshot, applied: Sequence[str] = ()
    ) -> Outcome:
        """Bring a thread a dead process left behind into step with its checkpoint: finish
        a superstep it was in the middle of, or just record where it stands."""
        if snapshot.created_at is None:  # killed before its first checkpoint: input lost
            error = "the process stopped before the thread's first checkpoint; start it again"
            record = await self._set_status(record, ThreadStatus.FAILED, error, [], applied)
            self._publish("failed", record, data={"error": error})
            return Outcome(record, None)
        if snapshot.tasks and not snapshot.interrupts:
            logger.info("continuing thread %s where a stopped run left it", record.thread_id)
            return await self._run(record, None, applied=applied)
        return await self._sync(record, applied, snapshot)

    # running

    async def _run(
        self,
        record: ThreadRecord,
        payload: Any,
        *,
        applied: Sequence[str] = (),
        before: Collection[str] | None = None,
    ) -> Outcome:
        """Run the graph until it stops; record the status, the pause index and which
        decisions (`applied`) the run consumed, in one transaction. `before`: the ids of the
        pauses pending when the run began, when known."""
        workflow, graph = self._workflow(record)
        config = self._config(record.thread_id)
        error: str | None = None
        if record.status is not ThreadStatus.RUNNING:
            self._publish("resumed", replace(record, status=ThreadStatus.RUNNING))
        try:
            output: GraphOutput[Any] = await graph.ainvoke(payload, config, version="v2")
        except ValidationError as exc:
            if not is_invalid_resume(exc):
                raise
            fields = [
                {"loc": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                for e in exc.errors()
            ]
            raise InvalidAnswer(
                f"invalid answer: {exc.error_count()} problem(s)", fields=fields
            ) from exc
        except Exception as exc:
            logger.exception("thread %s failed", record.thread_id)
            error = f"{type(exc).__name__}: {exc}"
        if error is not None:
            record = await self._set_status(record, ThreadStatus.FAILED, error, [], applied)
            self._publish("failed", record, data={"error": error})
            return Outcome(record, None)
        pauses = pauses_from(output.interrupts)
        if len(pauses) == 1 and workflow.inspect is None and isinstance(output.value, dict):
            # The run stopped at one pause, and its output holds the values and the interrupt
            # the checkpoint it just wrote does: no need to read that checkpoint back. (Several
            # pauses come out in the order they were raised; the checkpoint lists them in
            # task order, which is the order a view shows.)
            stop = Stop(output.value, pauses)
            return await self._record_stop(record, ThreadStatus.WAITING, stop, applied, before)
        return await self._sync(record, applied, before=before)

    async def _sync(
        self,
        record: ThreadRecord,
        applied: Sequence[str] = (),
        snapshot: StateSnapshot | None = None,
        *,
        before: Collection[str] | None = None,
    ) -> Outcome:
        """Make the thread's status and pause-index rows match its checkpoint."""
        snapshot = snapshot or await self._snapshot(record)
        stop = Stop.of(snapshot)
        if stop.pauses:
            status = ThreadStatus.WAITING
        elif snapshot.tasks:  # tasks left to run (or whose writes are not yet applied)
            status = ThreadStatus.RUNNING
        else:
            status = ThreadStatus.COMPLETED
        return await self._record_stop(record, status, stop, applied, before)

    async def _record_stop(
        self,
        record: ThreadRecord,
        status: ThreadStatus,
        stop: Stop,
        applied: Sequence[str],
        before: Collection[str] | None = None,
    ) -> Outcome:
        """Record where the thread stands: its status, its pause-index rows and the
        decisions (`applied`) its last run consumed, in one transaction.

        A pause already pending `before` keeps its row (an escalation and its deadline stay)
        and is not announced again; with `before` unknown, every pause is announced.
        """
        pauses = stop.pauses
        now = self._clock()
        rows = [
            PauseRow(p.interrupt_id, p.kind, p.title, p.assignee, _in_utc(p.deadline_from(now)), p)
            for p in pauses
        ]
        record = await self._set_status(record, status, None, rows, applied)
        kept = set(before or ())
        if status is ThreadStatus.WAITING:
            for pause in pauses:
                if pause.interrupt_id not in kept:
                    self._publish("paused", record, pause=pause)
        elif status is ThreadStatus.COMPLETED:
            self._publish("completed", record)
        if before is None or any(p.interrupt_id in kept for p in pauses):
            return Outcome(record, stop)  # rows kept from before: the view reads them
        indexed = [_effective(r) for r in rows]  # as a read of the new rows would give them
        return Outcome(record, Stop(stop.values, indexed, indexed=True))

    async def _set_status(
        self,
        record: ThreadRecord,
        status: ThreadStatus,
        error: str | None,
        pauses: Sequence[PauseRow] | None,
        applied: Sequence[str] = (),
    ) -> ThreadRecord:
        now = self._clock()
        await self._store.set_status(record.thread_id, status, now, error, pauses, applied)
        return replace(record, status=status, updated_at=now, error=error)

    # cancelling

    async def cancel(self, thread_id: str, actor: str) -> ThreadView:
        """Cancel a thread that has not finished; its pauses leave every inbox."""
        async with self._hold(thread_id):
            record = await self._thread(thread_id)
            if actor != record.owner:
                raise Forbidden(f"only the thread's owner {record.owner!r} may cancel it")
            if record.status.is_final:
                raise Conflict(f"thread {thread_id!r} is already {record.status}")
            record = await self._set_status(record, ThreadStatus.CANCELLED, None, [])
            self._publish("cancelled", record, actor=actor)
        return await self._view(record, Stop.of(await self._snapshot(record)))

    # recovery

    async def recover(self) -> int:
        """Apply decisions recorded but not applied, and finish runs a dead process left.

        Threads another live process holds are skipped (it will finish them). Returns the
        number of threads brought back into step.
        """
        recovered = 0
        for thread_id in await self._store.threads_needing_recovery():
            async with self._hold(thread_id, wait=False) as held:
                if not held:
                    continue
                record = await self._thread(thread_id)
                if record.status is ThreadStatus.CANCELLED:
                    continue
                if record.status is ThreadStatus.RUNNING:
                    record = (await self._settle(record, await self._snapshot(record))).record
                with contextlib.suppress(InvalidAnswer):
                    await self._drain(record)
                recovered += 1
        return recovered

    # deadlines

    async def sweep_deadlines(self, *, limit: int = 500) -> int:
        """Apply the `on_timeout` of every pause whose deadline has passed; return how many.

        Safe to run from several processes at once: an answer goes through `resume` as
        `system:deadline`, so the decision log's unique key lets exactly one sweep (or the
        human who answered first) win; the others get Conflict and do nothing.
        """
        handled = 0
        for thread_id, interrupt_id in await self._store.due_pauses(self._clock(), limit):
            try:
                handled += await self._time_out(thread_id, interrupt_id)
            except Conflict:
                logger.debug("deadline of %s/%s: already answered", thread_id, interrupt_id)
            except PausepointError as exc:
                logger.error("deadline of %s/%s: %s", thread_id, interrupt_id, exc.detail)
        return handled

    async def _time_out(self, thread_id: str, interrupt_id: str) -> int:
        record = await self._thread(thread_id)
        snapshot = await self._snapshot(record)
        pause = {p.interrupt_id: p for p in pauses_of(snapshot)}.get(interrupt_id)
        if pause is None or record.status.is_final:
            async with self._hold(thread_id):  # the index is behind the checkpoint: resync
                if not (await self._thread(thread_id)).status.is_final:
                    await self._sync(await self._thread(thread_id))
            return 0
        rule = pause.on_timeout or OnTimeout(action="fail")
        if rule.action == "answer":
            await self.resume(thread_id, {interrupt_id: rule.answer}, SYSTEM_DEADLINE)
        elif rule.action == "escalate" and rule.assignee:
            await self._store.escalate(thread_id, interrupt_id, rule.assignee)
            moved = pause.model_copy(update={"assignee": rule.assignee, "deadline": None})
            self._publish("paused", record, pause=moved, actor=SYSTEM_DEADLINE)
        else:
            await self._fail_on_timeout(record, pause, snapshot)
        return 1

    async def _fail_on_timeout(
        self, record: ThreadRecord, pause: Pause, snapshot: StateSnapshot
    ) -> None:
        decision = Decision(
            thread_id=record.thread_id,
            interrupt_id=pause.interrupt_id,
            checkpoint_id=str(snapshot.config["configurable"]["checkpoint_id"]),
            actor=SYSTEM_DEADLINE,
            decided_at=self._clock(),
            answer={"on_timeout": "fail"},
            payload_digest=pause.payload_digest or digest(pause.context),
        )
        await self._store.record_decisions([decision])
        async with self._hold(record.thread_id):
            error = f"pause {pause.title!r} passed its deadline unanswered"
            record = await self._set_status(
                record, ThreadStatus.FAILED, error, [], [pause.interrupt_id]
            )
            self._publish("failed", record, actor=SYSTEM_DEADLINE, data={"error": error})

    async def run_sweeper(self, interval: float = 5.0) -> None:
        """Sweep deadlines now (catching up on any that fell due while down), then forever.

        Each sweep also runs `recover()`: with several servers on one database, a decision
        another server recorded before it died is applied by a live one (under the thread's
        lease, so by one server only), without waiting for a restart.
        """
        while True:
            try:
                await self.sweep_deadlines()
                await self.recover()
            except Exception:
                logger.exception("deadline sweep failed; retrying")
            await asyncio.sleep(interval)

    # leases

    @asynccontextmanager
    async def _hold(self, thread_id: str, *, wait: bool = True) -> AsyncIterator[bool]:
        """Hold the thread: one task in this process, one process in the database."""
        lock = self._locks.get(thread_id)
        if lock is None:
            lock = self._locks[thread_id] = asyncio.Lock()
        if not wait and lock.locked():
            yield False
            return
        async with lock:
            if not await self._take_lease(thread_id, wait=wait):
                yield False
                return
            renew = asyncio.create_task(self._renew_lease(thread_id))
            try:
                yield True
            finally:
                renew.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renew
                await self._store.release_lease(thread_id, self._holder)

    async def _take_lease(self, thread_id: str, *, wait: bool) -> bool:
        ttl = self._settings.lease_seconds
        while True:
            now = time.time()
            if await self._store.try_lease(thread_id, self._holder, now + ttl, now):
                return True
            current = await self._store.lease_holder(thread_id)
            if current is not None and self._is_orphan(current[0]):
                logger.warning("taking over thread %s from dead holder %s", thread_id, current[0])
                await self._store.release_lease(thread_id, current[0])
                continue
            if not wait:
                return False
            await asyncio.sleep(0.05)

    def _is_orphan(self, holder: str) -> bool:
        host, _, rest = holder.partition(":")
        pid = rest.partition(":")[0]
        return host == socket.gethostname() and pid.isdigit() and not _pid_alive(int(pid))

    async def _renew_lease(self, thread_id: str) -> None:
        ttl = self._settings.lease_seconds
        while True:
            await asyncio.sleep(ttl / 3)
            now = time.time()
            await self._store.try_lease(thread_id, self._holder, now + ttl, now)

    # events and test hooks

    def _publish(
        self,
        type: EventType,
        record: ThreadRecord,
        *,
        pause: Pause | None = None,
        actor: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        self.events.publish(
            ThreadEvent(
                type=type,
                thread_id=record.thread_id,
                workflow=record.workflow,
                status=record.status,
                owner=record.owner,
                at=self._clock(),
                pause=pause,
                actor=actor,
                data=data or {},
            )
        )

    def _failpoint(self, name: str) -> None:
        if self._settings.failpoint == name:
            logger.error("failpoint %s: killing this process", name)
            os.kill(os.getpid(), signal.SIGKILL)

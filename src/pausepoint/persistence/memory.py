"""The `Store` contract in plain Python dicts: the SQL stores' twin, for one process.

Same semantics as `SqlStore` (tests/persistence/test_store_contract.py runs one set of tests
on all three), nothing kept across processes. Values come back as a SQL store gives them:
times as aware UTC datetimes (a naive one is taken as UTC), answers and pauses as their
JSON round trip. Each method's changes happen with no `await` between them, so on the event
loop every method is one transaction.

Where a SQL store reads the checkpointer's `checkpoints` table (a new pause-index row records
the thread's latest checkpoint), this one asks the checkpointer it is given, through
`aget_tuple`; without one that id stays None, as a SQL store's does for a thread with no
checkpoint.

The outbox's twin is `MemoryOutbox` (`pausepoint.persistence.memory_outbox`), which this store
is; `set_status` and `escalate` write its rows as their first change.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from pausepoint.domain import Decision, InboxItem, Pause, ThreadStatus
from pausepoint.errors import AlreadyAnswered, Conflict
from pausepoint.persistence.memory_api import MemoryApiTables
from pausepoint.persistence.memory_outbox import MemoryOutbox
from pausepoint.persistence.records import (
    NotificationRow,
    PauseRow,
    ThreadRecord,
    ThreadState,
)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _maybe_utc(value: datetime | None) -> datetime | None:
    return _utc(value) if value is not None else None


def _stored_pause(pause: Pause | None) -> Pause | None:
    return Pause.model_validate_json(pause.model_dump_json()) if pause is not None else None


@dataclass(frozen=True, slots=True)
class _Indexed:
    """A pause-index row with the columns PauseRow leaves out."""

    row: PauseRow
    answerer: str
    created_at: datetime


class MemoryStore(MemoryApiTables, MemoryOutbox):
    """Threads, decision log, pause index, leases and outbox in dicts (see the module)."""

    def __init__(self, checkpointer: BaseCheckpointSaver[Any] | None = None) -> None:
        super().__init__()  # the outbox, the LangGraph API's tables
        self._checkpointer = checkpointer
        self._threads: dict[str, ThreadRecord] = {}
        # Insertion order is record order (a SQL store's rowid or seq).
        self._decisions: dict[tuple[str, str, str], Decision] = {}
        self._pauses: dict[tuple[str, str], _Indexed] = {}
        self._leases: dict[str, tuple[str, float]] = {}
        self._inputs: dict[str, Any] = {}

    async def close(self) -> None:
        """Nothing to let go of."""

    # threads

    async def create_thread(self, record: ThreadRecord, input: Any = None) -> None:
        if record.thread_id in self._threads:
            raise Conflict(f"thread {record.thread_id!r} already exists")
        self._threads[record.thread_id] = replace(
            record,
            created_at=_utc(record.created_at),
            updated_at=_utc(record.updated_at),
            progress=None,
        )
        if input is not None:
            self._inputs[record.thread_id] = json.loads(json.dumps(input))

    async def thread_input(self, thread_id: str) -> Any:
        return self._inputs.get(thread_id)

    async def reopen_thread(
        self, thread_id: str, input: Any, now: datetime, was: ThreadStatus = ThreadStatus.COMPLETED
    ) -> bool:
        record = self._threads.get(thread_id)
        if record is None or record.status is not was:
            return False
        running = replace(record, status=ThreadStatus.RUNNING, updated_at=_utc(now), error=None)
        self._threads[thread_id] = replace(running, progress=None, outcome=None)
        self._inputs[thread_id] = json.loads(json.dumps(input))
        return True

    async def set_progress(self, thread_id: str, progress: dict[str, Any]) -> None:
        record = self._threads.get(thread_id)
        if record is not None and record.status is ThreadStatus.RUNNING:
            stored = json.loads(json.dumps(progress))
            self._threads[thread_id] = replace(record, progress=stored)

    async def get_thread(self, thread_id: str) -> ThreadRecord | None:
        return self._threads.get(thread_id)

    async def thread_state(self, thread_id: str) -> ThreadState | None:
        record = self._threads.get(thread_id)
        if record is None:
            return None
        return ThreadState(record, self._pause_rows(thread_id), self._unapplied(thread_id))

    async def list_threads(
        self, status: ThreadStatus | None, limit: int, offset: int, owner: str | None = None
    ) -> list[ThreadRecord]:
        found = [
            t
            for t in self._threads.values()
            if (not status or t.status == status) and (not owner or t.owner == owner)
        ]
        found.sort(key=lambda t: t.updated_at, reverse=True)
        return found[offset : offset + limit]

    async def changed_threads(self, since: datetime, limit: int) -> list[ThreadRecord]:
        found = sorted(
            (t for t in self._threads.values() if t.updated_at > since), key=lambda t: t.updated_at
        )
        return found[:limit]

    async def set_status(
        self,
        thread_id: str,
        status: ThreadStatus,
        now: datetime,
        error: str | None = None,
        pauses: Sequence[PauseRow] | None = None,
        applied: Sequence[str] = (),
        *,
        notifications: Sequence[NotificationRow] = (),
        outcome: str | None = None,
    ) -> None:
        at = _utc(now)
        new = [p for p in pauses or () if (thread_id, p.interrupt_id) not in self._pauses]
        checkpoint_id = await self._latest_checkpoint_id(thread_id) if new else None
        # From here on no await: the whole change is one step on the event loop.
        self._notify(notifications)
        record = self._threads.get(thread_id)
        if record is not None:
            record = replace(
                record, status=status, updated_at=at, error=error, progress=None, outcome=outcome
            )
            self._threads[thread_id] = record
        for logged, d in list(self._decisions.items()):
            if logged[0] == thread_id and logged[1] in applied and d.applied_at is None:
                self._decisions[logged] = d.model_copy(update={"applied_at": at})
        if pauses is None:
            return
        keep = {p.interrupt_id for p in pauses}
        for key in [k for k in self._pauses if k[0] == thread_id and k[1] not in keep]:
            del self._pauses[key]
        if record is None:
            return  # a SQL store takes the answerer from the thread's row: none, no row
        for p in pauses:
            key = (thread_id, p.interrupt_id)
            if key in self._pauses:
                continue
            row = replace(
                p,
                deadline=_maybe_utc(p.deadline),
                pause=_stored_pause(p.pause),
                checkpoint_id=checkpoint_id,
            )
            answerer = p.assignee if p.assignee is not None else record.owner
            self._pauses[key] = _Indexed(row, answerer, at)

    async def _latest_checkpoint_id(self, thread_id: str) -> str | None:
        """What the SQL stores read from the `checkpoints` table, asked of the checkpointer."""
        if self._checkpointer is None:
            return None
        config: Any = {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}
        found = await self._checkpointer.aget_tuple(config)
        return str(found.config["configurable"]["checkpoint_id"]) if found else None

    # decision log

    async def record_decisions(
        self, decisions: Sequence[Decision], running_since: datetime | None = None
    ) -> None:
        keys = [(d.thread_id, d.interrupt_id, d.checkpoint_id) for d in decisions]
        if len(set(keys)) < len(keys) or any(key in self._decisions for key in keys):
            raise AlreadyAnswered("this pause has already been answered; nothing was recorded")
        if running_since is not None and decisions:
            thread_id = decisions[0].thread_id
            record = self._threads.get(thread_id)
            if record is not None:
                self._threads[thread_id] = replace(
                    record,
                    status=ThreadStatus.RUNNING,
                    updated_at=_utc(running_since),
                    progress=None,
                )
            for d in decisions:
                self._pauses.pop((thread_id, d.interrupt_id), None)
        for key, d in zip(keys, decisions, strict=True):
            self._decisions[key] = d.model_copy(
                update={
                    "decided_at": _utc(d.decided_at),
                    "answer": json.loads(json.dumps(d.answer)),
                    "applied_at": None,
                }
            )

    async def decisions(self, thread_id: str) -> list[Decision]:
        found = [d for d in self._decisions.values() if d.thread_id == thread_id]
        return sorted(found, key=lambda d: d.decided_at)

    async def unapplied_decisions(self, thread_id: str) -> list[Decision]:
        return self._unapplied(thread_id)

    def _unapplied(self, thread_id: str) -> list[Decision]:
        return [
            d for d in self._decisions.values() if d.thread_id == thread_id and d.applied_at is None
        ]

    async def threads_needing_recovery(self) -> list[str]:
        found = {d.thread_id for d in self._decisions.values() if d.applied_at is None}
        found.update(
            t.thread_id for t in self._threads.values() if t.status is ThreadStatus.RUNNING
        )
        return sorted(found)

    async def delete_decisions(self, thread_id: str, interrupt_ids: Sequence[str]) -> None:
        for key in [
            key
            for key, d in self._decisions.items()
            if key[0] == thread_id and key[1] in interrupt_ids and d.applied_at is None
        ]:
            del self._decisions[key]

    # pause index

    async def inbox(
        self, actor: str, limit: int, offset: int, *, others: bool = False
    ) -> list[InboxItem]:
        answers = {key[0] for key, indexed in self._pauses.items() if indexed.answerer == actor}
        found = [
            (key[0], indexed)
            for key, indexed in self._pauses.items()
            if key[0] in self._threads
            and (
                indexed.answerer == actor
                if not others
                else key[0] in answers or self._threads[key[0]].owner == actor
            )
        ]
        found.sort(key=lambda item: (item[0], item[1].row.interrupt_id))
        found.sort(key=lambda item: item[1].created_at, reverse=True)
        return [
            InboxItem(
                thread_id=thread_id,
                interrupt_id=indexed.row.interrupt_id,
                workflow=self._threads[thread_id].workflow,
                kind=indexed.row.kind,
                title=indexed.row.title,
                summary=indexed.row.summary,
                assignee=indexed.row.assignee,
                owner=self._threads[thread_id].owner,
                deadline=indexed.row.deadline,
                created_at=indexed.created_at,
            )
            for thread_id, indexed in found[offset : offset + limit]
        ]

    async def pause_rows(self, thread_id: str) -> list[PauseRow]:
        return self._pause_rows(thread_id)

    def _pause_rows(self, thread_id: str) -> list[PauseRow]:
        return sorted(
            (indexed.row for key, indexed in self._pauses.items() if key[0] == thread_id),
            key=lambda row: row.interrupt_id,
        )

    async def due_pauses(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        at = _utc(now)
        due = [
            (indexed.row.deadline, key)
            for key, indexed in self._pauses.items()
            if indexed.row.deadline is not None and indexed.row.deadline <= at
        ]
        due.sort(key=lambda item: item[0])
        return [key for _, key in due[:limit]]

    async def escalate(
        self,
        thread_id: str,
        interrupt_id: str,
        assignee: str,
        *,
        notifications: Sequence[NotificationRow] = (),
    ) -> None:
        self._notify(notifications)
        key = (thread_id, interrupt_id)
        indexed = self._pauses.get(key)
        if indexed is not None:
            row = replace(indexed.row, assignee=assignee, deadline=None)
            self._pauses[key] = replace(indexed, row=row, answerer=assignee)

    # leases

    async def try_lease(self, thread_id: str, holder: str, until: float, now: float) -> bool:
        current = self._leases.get(thread_id)
        if current is not None and current[0] != holder and not current[1] < now:
            return False
        self._leases[thread_id] = (holder, float(until))
        return True

    async def lease_holder(self, thread_id: str) -> tuple[str, float] | None:
        return self._leases.get(thread_id)

    async def release_lease(self, thread_id: str, holder: str) -> None:
        if self._leases.get(thread_id, (None,))[0] == holder:
            del self._leases[thread_id]

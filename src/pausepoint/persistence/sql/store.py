"""The `Store` contract in SQL, written once for SQLite and PostgreSQL.

`SqlStore` holds every query (those several methods share are in `queries.py`) and the row
mapping. Queries are written with `?` placeholders (SQLite's own; the Postgres dialect renders
them as `%s`). A dialect subclass (`pausepoint.persistence.sql.sqlite`, `...sql.postgres`)
supplies only what differs: how a statement or a transaction runs on its connection, how a time
and a JSON value are stored and read back, how "column is one of these values" is spelled, which
column keeps the order decisions were recorded in, and which driver error is a duplicate key.

Every write is one statement or one transaction, so the database, not this process, enforces
exactly-once: the decision log's primary key makes the second answer to a pause lose its
insert (`AlreadyAnswered`), the threads table's a second thread with one id (`Conflict`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar, Protocol

from pausepoint.domain import Decision, InboxItem, Pause, ThreadStatus
from pausepoint.errors import AlreadyAnswered, Conflict
from pausepoint.persistence.records import NotificationRow, PauseRow, ThreadRecord, ThreadState
from pausepoint.persistence.sql.api_runs import ApiRunsSql
from pausepoint.persistence.sql.api_threads import ApiThreadsSql
from pausepoint.persistence.sql.checkpoints import LATEST_CHECKPOINT
from pausepoint.persistence.sql.outbox import OutboxSql
from pausepoint.persistence.sql.queries import (
    DECISIONS_SQL,
    INBOX_SQL,
    INSERT_PAUSE_SQL,
    PAUSE_ROWS_SQL,
    THREAD_SQL,
    TRY_LEASE_SQL,
    UNAPPLIED_SQL,
    WAITING_SQL,
)
from pausepoint.persistence.sql.thread_rows import ThreadRowsSql


class Row(Protocol):
    """A result row, read by column name (sqlite3.Row, psycopg's dict rows)."""

    def __getitem__(self, key: str, /) -> Any: ...


#: A statement and its arguments.
Step = tuple[str, Sequence[Any]]


class SqlStore(ThreadRowsSql, ApiThreadsSql, ApiRunsSql, OutboxSql, ABC):
    """Threads, decision log, pause index, leases and outbox in a SQL database (see the module)."""

    #: The column that orders a thread's decisions as they were recorded.
    RECORDED_ORDER: ClassVar[str]
    #: The driver's error for a duplicate key.
    DUPLICATE: ClassVar[type[Exception]]

    _unapplied_sql: ClassVar[str]
    _decisions_sql: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Render the queries that name the dialect's `RECORDED_ORDER`, once per dialect."""
        super().__init_subclass__(**kwargs)
        cls._unapplied_sql = UNAPPLIED_SQL.format(order=cls.RECORDED_ORDER)
        cls._decisions_sql = DECISIONS_SQL.format(order=cls.RECORDED_ORDER)

    # what a dialect supplies

    @abstractmethod
    async def _execute(
        self, sql: str, args: Sequence[Any] = (), *, scan: bool = False
    ) -> Sequence[Row]:
        """One statement (atomic on its own) and its rows, none if it returns none. `scan`
        marks a read that may visit many rows (lists, the inbox, sweeps)."""

    @abstractmethod
    async def _write(self, steps: Sequence[Step]) -> None:
        """Run `steps` as one transaction."""

    @abstractmethod
    async def _read(self, steps: Sequence[Step]) -> list[Sequence[Row]] | None:
        """The rows of each of `steps`, all read from one snapshot; None (and the rest not
        read) when the first finds none."""

    @staticmethod
    @abstractmethod
    def _time(value: datetime) -> Any:
        """A time as stored (a naive one is taken as UTC)."""

    @staticmethod
    @abstractmethod
    def _read_time(value: Any) -> datetime:
        """A stored time back as an aware UTC datetime."""

    @staticmethod
    @abstractmethod
    def _json(value: Any) -> Any:
        """A JSON value as stored."""

    @staticmethod
    @abstractmethod
    def _read_json(value: Any) -> Any:
        """A stored JSON value back as Python values."""

    @staticmethod
    @abstractmethod
    def _among(column: str, values: Sequence[str]) -> tuple[str, Sequence[Any]]:
        """SQL for "`column` is one of `values`" and the arguments it takes."""

    # row mapping

    def _maybe_time(self, value: datetime | None) -> Any:
        return self._time(value) if value is not None else None

    def _read_maybe_time(self, value: Any) -> datetime | None:
        return self._read_time(value) if value is not None else None

    def _decision(self, row: Row) -> Decision:
        return Decision(
            thread_id=row["thread_id"],
            interrupt_id=row["interrupt_id"],
            checkpoint_id=row["checkpoint_id"],
            actor=row["actor"],
            decided_at=self._read_time(row["decided_at"]),
            answer=self._read_json(row["answer"]),
            payload_digest=row["payload_digest"],
            applied_at=self._read_maybe_time(row["applied_at"]),
        )

    def _pause_row(self, row: Row) -> PauseRow:
        return PauseRow(
            row["interrupt_id"],
            row["kind"],
            row["title"],
            row["assignee"],
            self._read_maybe_time(row["deadline"]),
            Pause.model_validate_json(row["pause"]) if row["pause"] else None,
            row["checkpoint_id"],
            row["summary"],
        )

    def _inbox_item(self, row: Row) -> InboxItem:
        return InboxItem(
            thread_id=row["thread_id"],
            interrupt_id=row["interrupt_id"],
            workflow=row["workflow"],
            kind=row["kind"],
            title=row["title"],
            summary=row["summary"],
            assignee=row["assignee"],
            owner=row["owner"],
            deadline=self._read_maybe_time(row["deadline"]),
            created_at=self._read_time(row["created_at"]),
        )

    # threads

    async def create_thread(self, record: ThreadRecord, input: Any = None) -> None:
        row = (
            record.thread_id,
            record.workflow,
            record.owner,
            record.status.value,
            self._time(record.created_at),
            self._time(record.updated_at),
            record.error,
            self._json(input) if input is not None else None,
        )
        try:
            await self._execute(
                "INSERT INTO threads (thread_id, workflow, owner, status, created_at, "
                "updated_at, error, input) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
        except self.DUPLICATE as exc:
            raise Conflict(f"thread {record.thread_id!r} already exists") from exc

    async def thread_input(self, thread_id: str) -> Any:
        rows = await self._execute("SELECT input FROM threads WHERE thread_id = ?", (thread_id,))
        value = rows[0]["input"] if rows else None
        return self._read_json(value) if value is not None else None

    async def reopen_thread(
        self, thread_id: str, input: Any, now: datetime, was: ThreadStatus = ThreadStatus.COMPLETED
    ) -> bool:
        rows = await self._execute(
            "UPDATE threads SET status = 'running', updated_at = ?, error = NULL, "
            "progress = NULL, outcome = NULL, input = ? WHERE thread_id = ? AND status = ? RETURNING thread_id",
            (self._time(now), self._json(input), thread_id, was.value),
        )
        return bool(rows)

    async def set_progress(self, thread_id: str, progress: dict[str, Any]) -> None:
        await self._execute(
            "UPDATE threads SET progress = ? WHERE thread_id = ? AND status = 'running'",
            (self._json(progress), thread_id),
        )

    async def get_thread(self, thread_id: str) -> ThreadRecord | None:
        rows = await self._execute(THREAD_SQL, (thread_id,))
        return self._thread(rows[0]) if rows else None

    async def thread_state(self, thread_id: str) -> ThreadState | None:
        found = await self._read(
            [
                (THREAD_SQL, (thread_id,)),
                (PAUSE_ROWS_SQL, (thread_id,)),
                (self._unapplied_sql, (thread_id,)),
            ]
        )
        if found is None:
            return None
        thread, pauses, unapplied = found
        return ThreadState(
            self._thread(thread[0]),
            [self._pause_row(r) for r in pauses],
            [self._decision(r) for r in unapplied],
        )

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
        at = self._time(now)
        steps: list[Step] = [
            (
                "UPDATE threads SET status = ?, updated_at = ?, error = ?, progress = NULL, "
                "outcome = ? WHERE thread_id = ?",
                (status.value, at, error, outcome, thread_id),
            )
        ]
        if applied:
            among, ids = self._among("interrupt_id", applied)
            steps.append(
                (
                    "UPDATE decisions SET applied_at = ? "
                    f"WHERE thread_id = ? AND {among} AND applied_at IS NULL",
                    (at, thread_id, *ids),
                )
            )
        if pauses is not None:
            among, ids = self._among("interrupt_id", [p.interrupt_id for p in pauses])
            steps.append(
                (f"DELETE FROM pauses WHERE thread_id = ? AND NOT ({among})", (thread_id, *ids))
            )
            steps.extend(
                (
                    INSERT_PAUSE_SQL,
                    (
                        thread_id,
                        p.interrupt_id,
                        p.kind,
                        p.title,
                        p.assignee,
                        p.assignee,
                        self._maybe_time(p.deadline),
                        at,
                        p.pause.model_dump_json() if p.pause is not None else None,
                        thread_id,
                        p.summary,
                        thread_id,
                    ),
                )
                for p in pauses
            )
        await self._write_notifying(steps, notifications)

    async def latest_checkpoint_id(self, thread_id: str) -> str | None:
        """The id of the thread's latest root checkpoint (what a new pause-index row records)."""
        rows = await self._execute(f"SELECT {LATEST_CHECKPOINT} AS checkpoint_id", (thread_id,))
        return rows[0]["checkpoint_id"] if rows else None

    # decision log

    async def record_decisions(
        self, decisions: Sequence[Decision], running_since: datetime | None = None
    ) -> None:
        insert = (
            "INSERT INTO decisions (thread_id, interrupt_id, checkpoint_id, actor, decided_at, "
            "answer, payload_digest) VALUES (?, ?, ?, ?, ?, ?, ?)"
        )
        steps: list[Step] = [
            (
                insert,
                (
                    d.thread_id,
                    d.interrupt_id,
                    d.checkpoint_id,
                    d.actor,
                    self._time(d.decided_at),
                    self._json(d.answer),
                    d.payload_digest,
                ),
            )
            for d in decisions
        ]
        if running_since is not None and decisions:
            thread_id = decisions[0].thread_id
            among, ids = self._among("interrupt_id", [d.interrupt_id for d in decisions])
            steps.append(
                (
                    "UPDATE threads SET status = 'running', updated_at = ?, progress = NULL "
                    "WHERE thread_id = ?",
                    (self._time(running_since), thread_id),
                )
            )
            steps.append((f"DELETE FROM pauses WHERE thread_id = ? AND {among}", (thread_id, *ids)))
        try:
            await self._write(steps)
        except self.DUPLICATE as exc:
            raise AlreadyAnswered(
                "this pause has already been answered; nothing was recorded"
            ) from exc

    async def decisions(self, thread_id: str) -> list[Decision]:
        return [self._decision(r) for r in await self._execute(self._decisions_sql, (thread_id,))]

    async def unapplied_decisions(self, thread_id: str) -> list[Decision]:
        return [self._decision(r) for r in await self._execute(self._unapplied_sql, (thread_id,))]

    async def threads_needing_recovery(self) -> list[str]:
        rows = await self._execute(
            "SELECT DISTINCT thread_id FROM decisions WHERE applied_at IS NULL "
            "UNION SELECT thread_id FROM threads WHERE status = 'running'",
            scan=True,
        )
        return [r["thread_id"] for r in rows]

    async def delete_decisions(self, thread_id: str, interrupt_ids: Sequence[str]) -> None:
        among, ids = self._among("interrupt_id", interrupt_ids)
        await self._execute(
            f"DELETE FROM decisions WHERE thread_id = ? AND {among} AND applied_at IS NULL",
            (thread_id, *ids),
        )

    # pause index

    async def inbox(
        self, actor: str, limit: int, offset: int, *, others: bool = False
    ) -> list[InboxItem]:
        if others:
            rows = await self._execute(WAITING_SQL, (actor, actor, limit, offset), scan=True)
        else:
            rows = await self._execute(INBOX_SQL, (actor, limit, offset), scan=True)
        return [self._inbox_item(r) for r in rows]

    async def pause_rows(self, thread_id: str) -> list[PauseRow]:
        return [self._pause_row(r) for r in await self._execute(PAUSE_ROWS_SQL, (thread_id,))]

    async def due_pauses(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        rows = await self._execute(
            "SELECT thread_id, interrupt_id FROM pauses "
            "WHERE deadline IS NOT NULL AND deadline <= ? ORDER BY deadline LIMIT ?",
            (self._time(now), limit),
            scan=True,
        )
        return [(r["thread_id"], r["interrupt_id"]) for r in rows]

    # (`escalate`, which notifies as it moves a pause, is in `OutboxSql`)

    # leases

    async def try_lease(self, thread_id: str, holder: str, until: float, now: float) -> bool:
        rows = await self._execute(TRY_LEASE_SQL, (thread_id, holder, until, now))
        return bool(rows) and rows[0]["holder"] == holder

    async def lease_holder(self, thread_id: str) -> tuple[str, float] | None:
        rows = await self._execute(
            "SELECT holder, expires_at FROM leases WHERE thread_id = ?", (thread_id,)
        )
        return (rows[0]["holder"], float(rows[0]["expires_at"])) if rows else None

    async def release_lease(self, thread_id: str, holder: str) -> None:
        await self._execute(
            "DELETE FROM leases WHERE thread_id = ? AND holder = ?", (thread_id, holder)
        )

"""The shared store: Pausepoint's tables in PostgreSQL, for several server processes or hosts.

Same semantics as `SqliteStore`, on a psycopg 3 connection pool shared with the
checkpointer. Every write is one transaction; the database, not this process, enforces
exactly-once: the decision log's primary key makes the second answer to a pause lose its
insert (psycopg's `UniqueViolation` becomes `AlreadyAnswered` right here).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeAlias, overload

from psycopg import AsyncConnection, errors
from psycopg.rows import DictRow
from psycopg.types.json import Json
from psycopg_pool import AsyncConnectionPool

from pausepoint.domain import Decision, InboxItem, Pause, ThreadStatus
from pausepoint.errors import AlreadyAnswered, Conflict
from pausepoint.persistence import migrations
from pausepoint.persistence.records import PauseRow, ThreadRecord, ThreadState

Pool: TypeAlias = AsyncConnectionPool[AsyncConnection[DictRow]]

#: Key of the advisory lock that serialises schema set-up between processes starting together.
SETUP_LOCK = 0x5A05E901

MIGRATIONS: list[str] = [
    """
    CREATE TABLE threads (
        thread_id TEXT PRIMARY KEY,
        workflow TEXT NOT NULL,
        owner TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        error TEXT
    );
    CREATE INDEX threads_by_status ON threads (status, updated_at);
    CREATE TABLE decisions (
        seq BIGSERIAL,
        thread_id TEXT NOT NULL,
        interrupt_id TEXT NOT NULL,
        checkpoint_id TEXT NOT NULL,
        actor TEXT NOT NULL,
        decided_at TIMESTAMPTZ NOT NULL,
        answer JSON NOT NULL,
        payload_digest TEXT NOT NULL,
        applied_at TIMESTAMPTZ,
        PRIMARY KEY (thread_id, interrupt_id, checkpoint_id)
    );
    CREATE INDEX decisions_unapplied ON decisions (thread_id) WHERE applied_at IS NULL;
    CREATE TABLE pauses (
        thread_id TEXT NOT NULL,
        interrupt_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        assignee TEXT,
        answerer TEXT NOT NULL,
        deadline TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (thread_id, interrupt_id)
    );
    CREATE INDEX pauses_by_answerer ON pauses (answerer, created_at);
    CREATE INDEX pauses_by_deadline ON pauses (deadline) WHERE deadline IS NOT NULL;
    CREATE TABLE leases (
        thread_id TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at DOUBLE PRECISION NOT NULL
    );
    CREATE TABLE event_bodies (
        id BIGSERIAL PRIMARY KEY,
        body TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    """,
    """
    ALTER TABLE pauses ADD COLUMN pause TEXT;
    ALTER TABLE pauses ADD COLUMN checkpoint_id TEXT;
    """,
    """
    CREATE INDEX threads_by_owner ON threads (owner, updated_at);
    """,
]

#: The thread's latest checkpoint (the checkpointer's own table; its ids sort by time).
LATEST_CHECKPOINT = (
    "(SELECT MAX(checkpoint_id) FROM checkpoints WHERE thread_id = %s AND checkpoint_ns = '')"
)


@overload
def _at(value: datetime) -> datetime: ...


@overload
def _at(value: None) -> None: ...


def _at(value: datetime | None) -> datetime | None:
    """A time to store: naive values are taken as UTC (as the SQLite store does)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def _thread(row: DictRow) -> ThreadRecord:
    return ThreadRecord(
        thread_id=row["thread_id"],
        workflow=row["workflow"],
        owner=row["owner"],
        status=ThreadStatus(row["status"]),
        created_at=row["created_at"].astimezone(UTC),
        updated_at=row["updated_at"].astimezone(UTC),
        error=row["error"],
    )


def _pause_row(row: DictRow) -> PauseRow:
    return PauseRow(
        row["interrupt_id"],
        row["kind"],
        row["title"],
        row["assignee"],
        _utc(row["deadline"]),
        Pause.model_validate_json(row["pause"]) if row["pause"] else None,
        row["checkpoint_id"],
    )


THREAD_SQL = "SELECT * FROM threads WHERE thread_id = %s"
PAUSE_ROWS_SQL = "SELECT * FROM pauses WHERE thread_id = %s ORDER BY interrupt_id"
UNAPPLIED_SQL = "SELECT * FROM decisions WHERE thread_id = %s AND applied_at IS NULL ORDER BY seq"


def _decision(row: DictRow) -> Decision:
    return Decision(
        thread_id=row["thread_id"],
        interrupt_id=row["interrupt_id"],
        checkpoint_id=row["checkpoint_id"],
        actor=row["actor"],
        decided_at=row["decided_at"].astimezone(UTC),
        answer=row["answer"],
        payload_digest=row["payload_digest"],
        applied_at=_utc(row["applied_at"]),
    )


class PostgresStore:
    """Threads, decision log, pause index and leases in PostgreSQL.

    Leases: `try_lease` is a single `INSERT ... ON CONFLICT (thread_id) DO UPDATE ... WHERE
    holder = me OR expired ... RETURNING`. PostgreSQL guarantees that statement an atomic
    insert-or-update outcome: a concurrent caller blocks on the row lock and then re-checks the
    WHERE against the committed row, so of two processes racing for a free or expired lease
    exactly one gets a row back. Recovery (and every run) happens under that lease, so two
    servers never apply one thread's decisions at once. We use the lease row rather than
    `pg_advisory_lock` because an advisory lock belongs to one session: it would pin a pool
    connection for the whole graph run, and it cannot be renewed, inspected or taken over
    by the orphan check the way a row with a holder and an expiry can.
    """

    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def close(self) -> None:
        """The pool belongs to whoever opened it (`open_database`); nothing to do here."""

    async def _fetch(self, sql: str, args: Sequence[Any] = ()) -> list[DictRow]:
        async with self._pool.connection() as conn:
            cur = await conn.execute(sql, args)
            return await cur.fetchall()

    async def _write(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> int:
        """Run `statements` in one transaction; return the rows the last one touched."""
        count = 0
        async with self._pool.connection() as conn, conn.transaction():
            for sql, args in statements:
                cur = await conn.execute(sql, args)
                count = cur.rowcount
        return count

    async def migrate(self, *also: Callable[[], Awaitable[None]]) -> None:
        """Apply pending migrations, then `also` (e.g. the checkpointer's own set-up).

        All under one advisory lock, so processes that start together set up once, in turn.
        The lock is polled with `pg_try_advisory_lock`, never waited on inside the server: the
        checkpointer's set-up runs `CREATE INDEX CONCURRENTLY`, which waits for every open
        transaction in the database, and a session blocked in `pg_advisory_lock` is one of
        them (a deadlock the server does not detect).
        """
        async with self._pool.connection() as conn:
            while True:
                cur = await conn.execute("SELECT pg_try_advisory_lock(%s) AS ok", (SETUP_LOCK,))
                row = await cur.fetchone()
                if row is not None and row["ok"]:
                    break
                await asyncio.sleep(0.1)
            try:
                async with conn.transaction():
                    await conn.execute(
                        f"CREATE TABLE IF NOT EXISTS {migrations.TABLE} "
                        "(version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"
                    )
                    cur = await conn.execute(
                        f"SELECT COALESCE(MAX(version), 0) AS v FROM {migrations.TABLE}"
                    )
                    row = await cur.fetchone()
                    current = int(row["v"]) if row else 0
                    for version, script in migrations.pending(MIGRATIONS, current):
                        for statement in script:
                            await conn.execute(statement)
                        await conn.execute(
                            f"INSERT INTO {migrations.TABLE} VALUES (%s, now())", (version,)
                        )
                for step in also:
                    await step()
            finally:
                await conn.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK,))

    # threads

    async def create_thread(self, record: ThreadRecord) -> None:
        row = (
            record.thread_id,
            record.workflow,
            record.owner,
            record.status.value,
            _at(record.created_at),
            _at(record.updated_at),
            record.error,
        )
        try:
            await self._write([("INSERT INTO threads VALUES (%s, %s, %s, %s, %s, %s, %s)", row)])
        except errors.UniqueViolation as exc:
            raise Conflict(f"thread {record.thread_id!r} already exists") from exc

    async def get_thread(self, thread_id: str) -> ThreadRecord | None:
        rows = await self._fetch(THREAD_SQL, (thread_id,))
        return _thread(rows[0]) if rows else None

    async def thread_state(self, thread_id: str) -> ThreadState | None:
        async with self._pool.connection() as conn, conn.transaction():
            cur = await conn.execute(THREAD_SQL, (thread_id,))
            found = await cur.fetchall()
            if not found:
                return None
            pauses = await (await conn.execute(PAUSE_ROWS_SQL, (thread_id,))).fetchall()
            unapplied = await (await conn.execute(UNAPPLIED_SQL, (thread_id,))).fetchall()
        return ThreadState(
            _thread(found[0]), [_pause_row(r) for r in pauses], [_decision(r) for r in unapplied]
        )

    async def list_threads(
        self, status: ThreadStatus | None, limit: int, offset: int, owner: str | None = None
    ) -> list[ThreadRecord]:
        where = [
            (column, value) for column, value in (("status", status), ("owner", owner)) if value
        ]
        sql = "SELECT * FROM threads"
        if where:
            sql += " WHERE " + " AND ".join(f"{column} = %s" for column, _ in where)
        sql += " ORDER BY updated_at DESC LIMIT %s OFFSET %s"
        args = (*(str(value) for _, value in where), limit, offset)
        return [_thread(r) for r in await self._fetch(sql, args)]

    async def set_status(
        self,
        thread_id: str,
        status: ThreadStatus,
        now: datetime,
        error: str | None = None,
        pauses: Sequence[PauseRow] | None = None,
        applied: Sequence[str] = (),
    ) -> None:
        steps: list[tuple[str, Sequence[Any]]] = [
            (
                "UPDATE threads SET status = %s, updated_at = %s, error = %s WHERE thread_id = %s",
                (status.value, _at(now), error, thread_id),
            )
        ]
        if applied:
            steps.append(
                (
                    "UPDATE decisions SET applied_at = %s WHERE thread_id = %s "
                    "AND interrupt_id = ANY(%s::text[]) AND applied_at IS NULL",
                    (_at(now), thread_id, list(applied)),
                )
            )
        if pauses is not None:
            keep = [p.interrupt_id for p in pauses]
            steps.append(
                (
                    "DELETE FROM pauses WHERE thread_id = %s AND NOT (interrupt_id = ANY(%s::text[]))",
                    (thread_id, keep),
                )
            )
            steps.extend(
                (
                    "INSERT INTO pauses "
                    "SELECT %s, %s, %s, %s, %s, COALESCE(%s, owner), %s, %s, %s, "
                    f"{LATEST_CHECKPOINT} FROM threads WHERE thread_id = %s "
                    "ON CONFLICT DO NOTHING",
                    (
                        thread_id,
                        p.interrupt_id,
                        p.kind,
                        p.title,
                        p.assignee,
                        p.assignee,
                        _at(p.deadline),
                        _at(now),
                        p.pause.model_dump_json() if p.pause is not None else None,
                        thread_id,
                        thread_id,
                    ),
                )
                for p in pauses
            )
        await self._write(steps)

    # decision log

    async def record_decisions(self, decisions: Sequence[Decision]) -> None:
        try:
            await self._write(
                [
                    (
                        "INSERT INTO decisions (thread_id, interrupt_id, checkpoint_id, actor, "
                        "decided_at, answer, payload_digest) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                        (
                            d.thread_id,
                            d.interrupt_id,
                            d.checkpoint_id,
                            d.actor,
                            _at(d.decided_at),
                            Json(d.answer),
                            d.payload_digest,
                        ),
                    )
                    for d in decisions
                ]
            )
        except errors.UniqueViolation as exc:
            raise AlreadyAnswered(
                "this pause has already been answered; nothing was recorded"
            ) from exc

    async def decisions(self, thread_id: str) -> list[Decision]:
        rows = await self._fetch(
            "SELECT * FROM decisions WHERE thread_id = %s ORDER BY decided_at, seq", (thread_id,)
        )
        return [_decision(r) for r in rows]

    async def unapplied_decisions(self, thread_id: str) -> list[Decision]:
        return [_decision(r) for r in await self._fetch(UNAPPLIED_SQL, (thread_id,))]

    async def threads_needing_recovery(self) -> list[str]:
        rows = await self._fetch(
            "SELECT DISTINCT thread_id FROM decisions WHERE applied_at IS NULL "
            "UNION SELECT thread_id FROM threads WHERE status = 'running'"
        )
        return [r["thread_id"] for r in rows]

    async def delete_decisions(self, thread_id: str, interrupt_ids: Sequence[str]) -> None:
        await self._write(
            [
                (
                    "DELETE FROM decisions WHERE thread_id = %s "
                    "AND interrupt_id = ANY(%s::text[]) AND applied_at IS NULL",
                    (thread_id, list(interrupt_ids)),
                )
            ]
        )

    # pause index

    async def inbox(self, actor: str, limit: int, offset: int) -> list[InboxItem]:
        rows = await self._fetch(
            "SELECT p.thread_id, p.interrupt_id, p.kind, p.title, p.assignee, p.deadline, "
            "p.created_at, t.workflow, t.owner FROM pauses p JOIN threads t USING (thread_id) "
            "WHERE p.answerer = %s ORDER BY p.created_at DESC, p.thread_id LIMIT %s OFFSET %s",
            (actor, limit, offset),
        )
        return [
            InboxItem(
                thread_id=r["thread_id"],
                interrupt_id=r["interrupt_id"],
                workflow=r["workflow"],
                kind=r["kind"],
                title=r["title"],
                assignee=r["assignee"],
                owner=r["owner"],
                deadline=_utc(r["deadline"]),
                created_at=r["created_at"].astimezone(UTC),
            )
            for r in rows
        ]

    async def pause_rows(self, thread_id: str) -> list[PauseRow]:
        return [_pause_row(r) for r in await self._fetch(PAUSE_ROWS_SQL, (thread_id,))]

    async def due_pauses(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        rows = await self._fetch(
            "SELECT thread_id, interrupt_id FROM pauses "
            "WHERE deadline IS NOT NULL AND deadline <= %s ORDER BY deadline LIMIT %s",
            (_at(now), limit),
        )
        return [(r["thread_id"], r["interrupt_id"]) for r in rows]

    async def escalate(self, thread_id: str, interrupt_id: str, assignee: str) -> None:
        await self._write(
            [
                (
                    "UPDATE pauses SET assignee = %s, answerer = %s, deadline = NULL "
                    "WHERE thread_id = %s AND interrupt_id = %s",
                    (assignee, assignee, thread_id, interrupt_id),
                )
            ]
        )

    # leases

    async def try_lease(self, thread_id: str, holder: str, until: float, now: float) -> bool:
        """Take or renew the lease in one atomic upsert (see the class docstring)."""
        rows = await self._fetch(
            "INSERT INTO leases VALUES (%s, %s, %s) ON CONFLICT (thread_id) DO UPDATE "
            "SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at "
            "WHERE leases.holder = EXCLUDED.holder OR leases.expires_at < %s "
            "RETURNING holder",
            (thread_id, holder, until, now),
        )
        return bool(rows)

    async def lease_holder(self, thread_id: str) -> tuple[str, float] | None:
        rows = await self._fetch(
            "SELECT holder, expires_at FROM leases WHERE thread_id = %s", (thread_id,)
        )
        return (rows[0]["holder"], float(rows[0]["expires_at"])) if rows else None

    async def release_lease(self, thread_id: str, holder: str) -> None:
        await self._write(
            [("DELETE FROM leases WHERE thread_id = %s AND holder = %s", (thread_id, holder))]
        )

"""The embedded store: Pausepoint's tables in the same SQLite file as the checkpoints.

Its own connection in autocommit mode, in one worker thread; every write is one statement or
one `BEGIN IMMEDIATE` transaction, so that concurrent processes queue on the busy timeout
instead of failing. (`connect` opens the aiosqlite connection the checkpointer uses.)
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from pausepoint.domain import Decision, InboxItem, Pause, ThreadStatus
from pausepoint.errors import AlreadyAnswered, Conflict
from pausepoint.persistence import migrations
from pausepoint.persistence.records import PauseRow, ThreadRecord, ThreadState

T = TypeVar("T")

MIGRATIONS: list[str] = [
    """
    CREATE TABLE threads (
        thread_id TEXT PRIMARY KEY,
        workflow TEXT NOT NULL,
        owner TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        error TEXT
    );
    CREATE INDEX threads_by_status ON threads (status, updated_at);
    CREATE TABLE decisions (
        thread_id TEXT NOT NULL,
        interrupt_id TEXT NOT NULL,
        checkpoint_id TEXT NOT NULL,
        actor TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        answer TEXT NOT NULL,
        payload_digest TEXT NOT NULL,
        applied_at TEXT,
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
        deadline TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (thread_id, interrupt_id)
    );
    CREATE INDEX pauses_by_answerer ON pauses (answerer, created_at);
    CREATE INDEX pauses_by_deadline ON pauses (deadline) WHERE deadline IS NOT NULL;
    CREATE TABLE leases (
        thread_id TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at REAL NOT NULL
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
    "(SELECT MAX(checkpoint_id) FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = '')"
)


#: One page of an actor's inbox: `pauses_by_answerer` serves the WHERE and the created_at order
#: (bench/inbox.py prints its EXPLAIN QUERY PLAN).
INBOX_SQL = (
    "SELECT p.thread_id, p.interrupt_id, p.kind, p.title, p.assignee, p.deadline, "
    "p.created_at, t.workflow, t.owner FROM pauses p JOIN threads t USING (thread_id) "
    "WHERE p.answerer = ? ORDER BY p.created_at DESC, p.thread_id LIMIT ? OFFSET ?"
)


def _ts(value: datetime | None) -> str | None:
    """A fixed-width UTC text form, so that text order is time order."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def _thread(row: sqlite3.Row) -> ThreadRecord:
    return ThreadRecord(
        thread_id=row["thread_id"],
        workflow=row["workflow"],
        owner=row["owner"],
        status=ThreadStatus(row["status"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        error=row["error"],
    )


def _decision(row: sqlite3.Row) -> Decision:
    return Decision(
        thread_id=row["thread_id"],
        interrupt_id=row["interrupt_id"],
        checkpoint_id=row["checkpoint_id"],
        actor=row["actor"],
        decided_at=datetime.fromisoformat(row["decided_at"]),
        answer=json.loads(row["answer"]),
        payload_digest=row["payload_digest"],
        applied_at=_dt(row["applied_at"]),
    )


def _pause_row(row: sqlite3.Row) -> PauseRow:
    return PauseRow(
        row["interrupt_id"],
        row["kind"],
        row["title"],
        row["assignee"],
        _dt(row["deadline"]),
        Pause.model_validate_json(row["pause"]) if row["pause"] else None,
        row["checkpoint_id"],
    )


THREAD_SQL = "SELECT * FROM threads WHERE thread_id = ?"
PAUSE_ROWS_SQL = "SELECT * FROM pauses WHERE thread_id = ? ORDER BY interrupt_id"
UNAPPLIED_SQL = "SELECT * FROM decisions WHERE thread_id = ? AND applied_at IS NULL ORDER BY rowid"


def _thread_state(conn: sqlite3.Connection, thread_id: str) -> ThreadState | None:
    conn.execute("BEGIN")  # one snapshot for the three reads
    try:
        found = conn.execute(THREAD_SQL, (thread_id,)).fetchall()
        if not found:
            return None
        return ThreadState(
            _thread(found[0]),
            [_pause_row(r) for r in conn.execute(PAUSE_ROWS_SQL, (thread_id,))],
            [_decision(r) for r in conn.execute(UNAPPLIED_SQL, (thread_id,))],
        )
    finally:
        conn.execute("COMMIT")


def _open(path: Path, busy_timeout_ms: int) -> sqlite3.Connection:
    """The store's connection: autocommit (transactions are explicit), WAL, busy timeout."""
    conn = sqlite3.connect(
        path, timeout=busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False
    )
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def _transaction(conn: sqlite3.Connection, steps: Sequence[tuple[str, Sequence[Any]]]) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        for sql, args in steps:
            conn.execute(sql, args)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


async def connect(
    path: Path, busy_timeout_ms: int, *, autocommit: bool = False
) -> aiosqlite.Connection:
    """Open `path` in WAL mode with a busy timeout (creating its folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(
        path, timeout=busy_timeout_ms / 1000, isolation_level=None if autocommit else ""
    )
    await conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    await conn.execute("PRAGMA journal_mode=WAL")
    await conn.execute("PRAGMA synchronous=NORMAL")
    await conn.commit()
    return conn


class SqliteStore:
    """Threads, decision log, pause index and leases in SQLite.

    Its own connection, one operation at a time: each method is one statement or one whole
    `BEGIN IMMEDIATE` transaction. A short one is first tried right on the event loop with
    no busy wait (tens of microseconds on a WAL file, where a hop to a thread and back costs
    over a hundred); if another connection holds the write lock it fails at once, having
    done nothing, and runs again in the store's worker thread under the busy timeout. Reads
    that may scan (lists, the inbox, sweeps) always go to the worker thread. The connection
    leaves WAL checkpoints to the checkpointer's, so a commit here never does one.
    """

    def __init__(self, conn: sqlite3.Connection, worker: ThreadPoolExecutor, busy_ms: int) -> None:
        self._conn = conn
        self._worker = worker
        self._busy_ms = busy_ms
        self._turn = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path, busy_timeout_ms: int) -> SqliteStore:
        path.parent.mkdir(parents=True, exist_ok=True)
        worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pausepoint-sqlite")
        loop = asyncio.get_running_loop()
        conn = await loop.run_in_executor(worker, _open, path, busy_timeout_ms)
        conn.execute("PRAGMA busy_timeout=0")
        conn.execute("PRAGMA wal_autocheckpoint=0")
        store = cls(conn, worker, busy_timeout_ms)
        await store.migrate()
        return store

    async def close(self) -> None:
        async with self._turn:
            await asyncio.get_running_loop().run_in_executor(self._worker, self._conn.close)
        self._worker.shutdown()

    async def _call(self, fn: Callable[[sqlite3.Connection], T], *, inline: bool = True) -> T:
        """Run `fn` on the connection: on the loop if it needs no wait, else in the worker."""
        async with self._turn:
            if inline:
                try:
                    return fn(self._conn)
                except sqlite3.OperationalError as exc:
                    if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                        raise
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._worker, self._patiently, fn)

    def _patiently(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        self._conn.execute(f"PRAGMA busy_timeout={self._busy_ms}")
        try:
            return fn(self._conn)
        finally:
            self._conn.execute("PRAGMA busy_timeout=0")

    async def _execute(
        self, sql: str, args: Sequence[Any] = (), *, inline: bool = True
    ) -> list[sqlite3.Row]:
        """One statement (atomic on its own) and its rows; `inline=False` for a scan."""
        return await self._call(lambda conn: conn.execute(sql, args).fetchall(), inline=inline)

    async def _write(self, steps: Sequence[tuple[str, Sequence[Any]]]) -> None:
        """Run `steps` (statement, arguments) as one transaction, in one go."""
        await self._call(lambda conn: _transaction(conn, steps))

    async def migrate(self) -> None:
        """Apply the migrations this database has not seen, in order, each once."""

        def run(conn: sqlite3.Connection) -> None:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS pausepoint_migrations "
                    "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
                )
                row = conn.execute(
                    "SELECT COALESCE(MAX(version), 0) FROM pausepoint_migrations"
                ).fetchone()
                current = int(row[0]) if row else 0
                for version, script in migrations.pending(MIGRATIONS, current):
                    for statement in script:
                        conn.execute(statement)
                    conn.execute(
                        "INSERT INTO pausepoint_migrations VALUES (?, datetime('now'))",
                        (version,),
                    )
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

        await self._call(run, inline=False)

    # threads

    async def create_thread(self, record: ThreadRecord) -> None:
        try:
            await self._execute(
                "INSERT INTO threads VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    record.thread_id,
                    record.workflow,
                    record.owner,
                    record.status.value,
                    _ts(record.created_at),
                    _ts(record.updated_at),
                    record.error,
                ),
            )
        except sqlite3.IntegrityError as exc:
            raise Conflict(f"thread {record.thread_id!r} already exists") from exc

    async def get_thread(self, thread_id: str) -> ThreadRecord | None:
        rows = await self._execute(THREAD_SQL, (thread_id,))
        return _thread(rows[0]) if rows else None

    async def thread_state(self, thread_id: str) -> ThreadState | None:
        return await self._call(lambda conn: _thread_state(conn, thread_id))

    async def list_threads(
        self, status: ThreadStatus | None, limit: int, offset: int, owner: str | None = None
    ) -> list[ThreadRecord]:
        where = [
            (column, value) for column, value in (("status", status), ("owner", owner)) if value
        ]
        sql = "SELECT * FROM threads"
        if where:
            sql += " WHERE " + " AND ".join(f"{column} = ?" for column, _ in where)
        sql += " ORDER BY updated_at DESC LIMIT ? OFFSET ?"
        args = (*(str(value) for _, value in where), limit, offset)
        return [_thread(r) for r in await self._execute(sql, args, inline=False)]

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
                "UPDATE threads SET status = ?, updated_at = ?, error = ? WHERE thread_id = ?",
                (status.value, _ts(now), error, thread_id),
            )
        ]
        steps.extend(
            (
                "UPDATE decisions SET applied_at = ? "
                "WHERE thread_id = ? AND interrupt_id = ? AND applied_at IS NULL",
                (_ts(now), thread_id, iid),
            )
            for iid in applied
        )
        if pauses is not None:
            keep = [p.interrupt_id for p in pauses]
            marks = ",".join("?" * len(keep))
            steps.append(
                (
                    f"DELETE FROM pauses WHERE thread_id = ? AND interrupt_id NOT IN ({marks})",
                    (thread_id, *keep),
                )
            )
            steps.extend(
                (
                    "INSERT OR IGNORE INTO pauses "
                    "SELECT ?, ?, ?, ?, ?, COALESCE(?, owner), ?, ?, ?, "
                    f"{LATEST_CHECKPOINT} FROM threads WHERE thread_id = ?",
                    (
                        thread_id,
                        p.interrupt_id,
                        p.kind,
                        p.title,
                        p.assignee,
                        p.assignee,
                        _ts(p.deadline),
                        _ts(now),
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
        rows = [
            (
                d.thread_id,
                d.interrupt_id,
                d.checkpoint_id,
                d.actor,
                _ts(d.decided_at),
                json.dumps(d.answer),
                d.payload_digest,
            )
            for d in decisions
        ]
        insert = "INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?, NULL)"
        try:
            await self._write([(insert, row) for row in rows])
        except sqlite3.IntegrityError as exc:
            raise AlreadyAnswered(
                "this pause has already been answered; nothing was recorded"
            ) from exc

    async def decisions(self, thread_id: str) -> list[Decision]:
        rows = await self._execute(
            "SELECT * FROM decisions WHERE thread_id = ? ORDER BY decided_at, rowid", (thread_id,)
        )
        return [_decision(r) for r in rows]

    async def unapplied_decisions(self, thread_id: str) -> list[Decision]:
        return [_decision(r) for r in await self._execute(UNAPPLIED_SQL, (thread_id,))]

    async def threads_needing_recovery(self) -> list[str]:
        rows = await self._execute(
            "SELECT DISTINCT thread_id FROM decisions WHERE applied_at IS NULL "
            "UNION SELECT thread_id FROM threads WHERE status = 'running'",
            inline=False,
        )
        return [r[0] for r in rows]

    async def delete_decisions(self, thread_id: str, interrupt_ids: Sequence[str]) -> None:
        await self._write(
            [
                (
                    "DELETE FROM decisions "
                    "WHERE thread_id = ? AND interrupt_id = ? AND applied_at IS NULL",
                    (thread_id, iid),
                )
                for iid in interrupt_ids
            ]
        )

    # pause index

    async def inbox(self, actor: str, limit: int, offset: int) -> list[InboxItem]:
        rows = await self._execute(INBOX_SQL, (actor, limit, offset), inline=False)
        return [
            InboxItem(
                thread_id=r["thread_id"],
                interrupt_id=r["interrupt_id"],
                workflow=r["workflow"],
                kind=r["kind"],
                title=r["title"],
                assignee=r["assignee"],
                owner=r["owner"],
                deadline=_dt(r["deadline"]),
                created_at=datetime.fromisoformat(r["created_at"]),
            )
            for r in rows
        ]

    async def pause_rows(self, thread_id: str) -> list[PauseRow]:
        return [_pause_row(r) for r in await self._execute(PAUSE_ROWS_SQL, (thread_id,))]

    async def due_pauses(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        rows = await self._execute(
            "SELECT thread_id, interrupt_id FROM pauses "
            "WHERE deadline IS NOT NULL AND deadline <= ? ORDER BY deadline LIMIT ?",
            (_ts(now), limit),
            inline=False,
        )
        return [(r[0], r[1]) for r in rows]

    async def escalate(self, thread_id: str, interrupt_id: str, assignee: str) -> None:
        await self._execute(
            "UPDATE pauses SET assignee = ?, answerer = ?, deadline = NULL "
            "WHERE thread_id = ? AND interrupt_id = ?",
            (assignee, assignee, thread_id, interrupt_id),
        )

    # leases

    async def try_lease(self, thread_id: str, holder: str, until: float, now: float) -> bool:
        # One statement, so atomic without an explicit transaction.
        rows = await self._execute(
            "INSERT INTO leases VALUES (?, ?, ?) ON CONFLICT (thread_id) DO UPDATE "
            "SET holder = excluded.holder, expires_at = excluded.expires_at "
            "WHERE leases.holder = excluded.holder OR leases.expires_at < ? RETURNING holder",
            (thread_id, holder, until, now),
        )
        return bool(rows) and rows[0][0] == holder

    async def lease_holder(self, thread_id: str) -> tuple[str, float] | None:
        rows = await self._execute(
            "SELECT holder, expires_at FROM leases WHERE thread_id = ?", (thread_id,)
        )
        return (rows[0]["holder"], float(rows[0]["expires_at"])) if rows else None

    async def release_lease(self, thread_id: str, holder: str) -> None:
        await self._execute(
            "DELETE FROM leases WHERE thread_id = ? AND holder = ?", (thread_id, holder)
        )

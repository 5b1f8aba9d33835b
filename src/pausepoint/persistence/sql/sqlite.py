"""SQLite: Pausepoint's tables in the same file as the checkpoints (the embedded store).

What SQLite does its own way: the store's own connection in autocommit mode and one worker
thread, every write one statement or one `BEGIN IMMEDIATE` transaction (so that concurrent
processes queue on the busy timeout instead of failing), times as fixed-width UTC text, JSON
as text, `IN (?, ?, ...)`, the rowid for record order. `connect` opens the aiosqlite
connection the checkpointer uses.
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

from pausepoint.persistence.sql import schema
from pausepoint.persistence.sql.store import Row, SqlStore, Step

T = TypeVar("T")

MIGRATIONS = schema.render(
    schema.MIGRATIONS, time="TEXT", json="TEXT", float="REAL", seq="", also=""
)


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


def _transaction(conn: sqlite3.Connection, steps: Sequence[Step]) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        for sql, args in steps:
            conn.execute(sql, args)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _snapshot(conn: sqlite3.Connection, steps: Sequence[Step]) -> list[Sequence[Row]] | None:
    conn.execute("BEGIN")  # one snapshot for the reads
    try:
        found: list[Sequence[Row]] = []
        for sql, args in steps:
            rows = conn.execute(sql, args).fetchall()
            if not rows and not found:
                return None
            found.append(rows)
        return found
    finally:
        conn.execute("COMMIT")


def _migrate(conn: sqlite3.Connection) -> None:
    # The write lock of BEGIN IMMEDIATE is the migration lock: processes starting together
    # migrate in turn, and each later one finds nothing left to do.
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(schema.VERSIONS_TABLE.format(time="TEXT"))
        row = conn.execute(schema.CURRENT_VERSION).fetchone()
        current = int(row[0]) if row else 0
        for sql, args in schema.upgrade(MIGRATIONS, current, now="datetime('now')"):
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
    try:
        await conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.commit()
    except BaseException:
        await conn.close()  # its thread would keep the process from exiting
        raise
    return conn


class SqliteStore(SqlStore):
    """Threads, decision log, pause index and leases in SQLite.

    Its own connection, one operation at a time: each method is one statement or one whole
    transaction. A short one is first tried right on the event loop with no busy wait (tens
    of microseconds on a WAL file, where a hop to a thread and back costs over a hundred); if
    another connection holds the write lock it fails at once, having done nothing, and runs
    again in the store's worker thread under the busy timeout. Reads that may scan (lists,
    the inbox, sweeps) always go to the worker thread. The connection leaves WAL checkpoints
    to the checkpointer's, so a commit here never does one.
    """

    RECORDED_ORDER = "rowid"
    DUPLICATE = sqlite3.IntegrityError

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
        try:
            await store.migrate()
        except BaseException:
            await store.close()
            raise
        return store

    async def close(self) -> None:
        async with self._turn:
            await asyncio.get_running_loop().run_in_executor(self._worker, self._conn.close)
        self._worker.shutdown()

    async def migrate(self) -> None:
        """Apply the migrations this database has not seen, in order, each once."""
        await self._call(_migrate, inline=False)

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

    # the dialect

    async def _execute(
        self, sql: str, args: Sequence[Any] = (), *, scan: bool = False
    ) -> list[sqlite3.Row]:
        return await self._call(lambda conn: conn.execute(sql, args).fetchall(), inline=not scan)

    async def _write(self, steps: Sequence[Step]) -> None:
        await self._call(lambda conn: _transaction(conn, steps))

    async def _read(self, steps: Sequence[Step]) -> list[Sequence[Row]] | None:
        return await self._call(lambda conn: _snapshot(conn, steps))

    @staticmethod
    def _time(value: datetime) -> str:
        """A fixed-width UTC text form, so that text order is time order."""
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")

    @staticmethod
    def _read_time(value: Any) -> datetime:
        return datetime.fromisoformat(value)

    @staticmethod
    def _json(value: Any) -> str:
        return json.dumps(value)

    @staticmethod
    def _read_json(value: Any) -> Any:
        return json.loads(value)

    @staticmethod
    def _among(column: str, values: Sequence[str]) -> tuple[str, Sequence[Any]]:
        return f"{column} IN ({','.join('?' * len(values))})", tuple(values)

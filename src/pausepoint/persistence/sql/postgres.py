"""PostgreSQL: Pausepoint's tables shared by several server processes or hosts.

What PostgreSQL does its own way: a psycopg 3 connection pool shared with the checkpointer
(autocommit, so a lone statement is its own transaction), `%s` placeholders, TIMESTAMPTZ and
JSON columns, `= ANY(%s::text[])`, a `seq` column for record order, and an advisory lock
around migrations. `Pool` is the pool's type.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeAlias

from psycopg import AsyncConnection, errors
from psycopg.rows import DictRow
from psycopg.types.json import Json
from psycopg_pool import AsyncConnectionPool

from pausepoint.persistence.sql import schema
from pausepoint.persistence.sql.store import Row, SqlStore, Step

Pool: TypeAlias = AsyncConnectionPool[AsyncConnection[DictRow]]

#: Key of the advisory lock that serialises schema set-up between processes starting together.
SETUP_LOCK = 0x5A05E901

#: The event bridge's table (`pausepoint.service.pg_events`), created with the first tables.
EVENT_BODIES = """
    CREATE TABLE event_bodies (
        id BIGSERIAL PRIMARY KEY,
        body TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );"""

MIGRATIONS = schema.render(
    schema.MIGRATIONS,
    time="TIMESTAMPTZ",
    json="JSON",
    float="DOUBLE PRECISION",
    seq="seq BIGSERIAL,\n        ",
    also=EVENT_BODIES,
)


@functools.lru_cache(maxsize=1024)
def _render(sql: str) -> str:
    """The shared SQL with psycopg's placeholders (it holds no other `?` nor `%`)."""
    return sql.replace("?", "%s")


class PostgresStore(SqlStore):
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

    RECORDED_ORDER = "seq"
    DUPLICATE = errors.UniqueViolation
    CLAIM_LOCK = " FOR UPDATE SKIP LOCKED"

    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def close(self) -> None:
        """The pool belongs to whoever opened it (`open_database`); nothing to do here."""

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
                    await conn.execute(schema.VERSIONS_TABLE.format(time="TIMESTAMPTZ"))
                    cur = await conn.execute(schema.CURRENT_VERSION)
                    row = await cur.fetchone()
                    current = int(row["v"]) if row else 0
                    for sql, args in schema.upgrade(MIGRATIONS, current, now="now()"):
                        await conn.execute(_render(sql), args or None)
                for step in also:
                    await step()
            finally:
                await conn.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK,))

    # the dialect

    async def _execute(
        self, sql: str, args: Sequence[Any] = (), *, scan: bool = False
    ) -> list[DictRow]:
        async with self._pool.connection() as conn:
            cur = await conn.execute(_render(sql), args)
            return await cur.fetchall() if cur.description is not None else []

    async def _write(self, steps: Sequence[Step]) -> None:
        async with self._pool.connection() as conn, conn.transaction():
            for sql, args in steps:
                await conn.execute(_render(sql), args)

    async def _read(self, steps: Sequence[Step]) -> list[Sequence[Row]] | None:
        found: list[Sequence[Row]] = []
        async with self._pool.connection() as conn, conn.transaction():
            for sql, args in steps:
                rows = await (await conn.execute(_render(sql), args)).fetchall()
                if not rows and not found:
                    return None
                found.append(rows)
        return found

    @staticmethod
    def _time(value: datetime) -> datetime:
        """Naive values are taken as UTC (as the SQLite store does)."""
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)

    @staticmethod
    def _read_time(value: Any) -> datetime:
        moment: datetime = value.astimezone(UTC)
        return moment

    @staticmethod
    def _json(value: Any) -> Json:
        return Json(value)

    @staticmethod
    def _read_json(value: Any) -> Any:
        return value  # psycopg has parsed it

    @staticmethod
    def _among(column: str, values: Sequence[str]) -> tuple[str, Sequence[Any]]:
        return f"{column} = ANY(?::text[])", (list(values),)

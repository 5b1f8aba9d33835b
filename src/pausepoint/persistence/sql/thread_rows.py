"""The `threads` table's rows: a row as a `ThreadRecord`, and the lists of threads — the most
recently updated (of a status, of an owner), and those changed since a time.

A mixin of `SqlStore`, written on its dialect hooks (hooks.py).
"""

from __future__ import annotations

from datetime import datetime

from pausepoint.domain import ThreadStatus
from pausepoint.persistence.records import ThreadRecord
from pausepoint.persistence.sql.hooks import DialectHooks, Row


class ThreadRowsSql(DialectHooks):
    """Thread rows and lists, for any dialect `SqlStore` supports."""

    def _thread(self, row: Row) -> ThreadRecord:
        return ThreadRecord(
            thread_id=row["thread_id"],
            workflow=row["workflow"],
            owner=row["owner"],
            status=ThreadStatus(row["status"]),
            created_at=self._read_time(row["created_at"]),
            updated_at=self._read_time(row["updated_at"]),
            error=row["error"],
            progress=self._read_json(row["progress"]) if row["progress"] is not None else None,
            outcome=row["outcome"],
        )

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
        return [self._thread(r) for r in await self._execute(sql, args, scan=True)]

    async def changed_threads(self, since: datetime, limit: int) -> list[ThreadRecord]:
        # every status named, so the (status, updated_at) index serves the query
        statuses, args = self._among("status", [s.value for s in ThreadStatus])
        sql = (
            f"SELECT * FROM threads WHERE {statuses} AND updated_at > ? ORDER BY updated_at LIMIT ?"
        )
        rows = await self._execute(sql, (*args, self._time(since), limit), scan=True)
        return [self._thread(r) for r in rows]

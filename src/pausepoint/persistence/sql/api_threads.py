"""The `api_threads` table in SQL: threads and metadata of the LangGraph API door.

A mixin of `SqlStore`, written on its dialect hooks (hooks.py).
"""

from __future__ import annotations

from pausepoint.persistence.records import ApiThreadRecord
from pausepoint.persistence.sql.hooks import DialectHooks, Row


class ApiThreadsSql(DialectHooks):
    """The LangGraph API's thread rows, for any dialect `SqlStore` supports."""

    def _api_thread(self, row: Row) -> ApiThreadRecord:
        return ApiThreadRecord(
            thread_id=row["thread_id"],
            owner=row["owner"],
            metadata=dict(self._read_json(row["metadata"])),
            created_at=self._read_time(row["created_at"]),
            updated_at=self._read_time(row["updated_at"]),
        )

    async def put_api_thread(self, record: ApiThreadRecord) -> bool:
        rows = await self._execute(
            "INSERT INTO api_threads (thread_id, owner, metadata, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (thread_id) DO NOTHING RETURNING thread_id",
            (
                record.thread_id,
                record.owner,
                self._json(record.metadata),
                self._time(record.created_at),
                self._time(record.updated_at),
            ),
        )
        return bool(rows)

    async def set_api_thread(self, record: ApiThreadRecord) -> None:
        await self._execute(
            "INSERT INTO api_threads (thread_id, owner, metadata, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (thread_id) DO UPDATE SET "
            "metadata = excluded.metadata, updated_at = excluded.updated_at",
            (
                record.thread_id,
                record.owner,
                self._json(record.metadata),
                self._time(record.created_at),
                self._time(record.updated_at),
            ),
        )

    async def get_api_thread(self, thread_id: str) -> ApiThreadRecord | None:
        rows = await self._execute("SELECT * FROM api_threads WHERE thread_id = ?", (thread_id,))
        return self._api_thread(rows[0]) if rows else None

    async def list_api_threads(self, owner: str | None = None) -> list[ApiThreadRecord]:
        sql: str = "SELECT * FROM api_threads"
        args: tuple[str, ...] = ()
        if owner is not None:
            sql, args = sql + " WHERE owner = ?", (owner,)
        rows = await self._execute(sql + " ORDER BY created_at DESC, thread_id", args, scan=True)
        return [self._api_thread(r) for r in rows]

    async def delete_api_thread(self, thread_id: str) -> bool:
        rows = await self._execute(
            "DELETE FROM api_threads WHERE thread_id = ? RETURNING thread_id", (thread_id,)
        )
        return bool(rows)

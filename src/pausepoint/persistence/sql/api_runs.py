"""The `api_runs` table in SQL: runs of the LangGraph API door.

A mixin of `SqlStore`, written on its dialect hooks (hooks.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pausepoint.persistence.records import ApiRunRecord
from pausepoint.persistence.sql.hooks import DialectHooks, Row

#: A thread's runs, newest created first (the index `api_runs_by_thread` serves it).
_NEWEST_FIRST = " ORDER BY created_at DESC, run_id DESC"


class ApiRunsSql(DialectHooks):
    """The LangGraph API's run rows, for any dialect `SqlStore` supports."""

    def _api_run(self, row: Row) -> ApiRunRecord:
        return ApiRunRecord(
            run_id=row["run_id"],
            thread_id=row["thread_id"],
            assistant_id=row["assistant_id"],
            owner=row["owner"],
            status=row["status"],
            metadata=dict(self._read_json(row["metadata"])),
            kwargs=dict(self._read_json(row["kwargs"])),
            multitask_strategy=row["multitask_strategy"],
            created_at=self._read_time(row["created_at"]),
            updated_at=self._read_time(row["updated_at"]),
        )

    async def put_api_run(self, record: ApiRunRecord) -> bool:
        rows = await self._execute(
            "INSERT INTO api_runs (run_id, thread_id, assistant_id, owner, status, metadata, "
            "kwargs, multitask_strategy, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO NOTHING "
            "RETURNING run_id",
            (
                record.run_id,
                record.thread_id,
                record.assistant_id,
                record.owner,
                record.status,
                self._json(record.metadata),
                self._json(record.kwargs),
                record.multitask_strategy,
                self._time(record.created_at),
                self._time(record.updated_at),
            ),
        )
        return bool(rows)

    async def get_api_run(self, run_id: str) -> ApiRunRecord | None:
        rows = await self._execute("SELECT * FROM api_runs WHERE run_id = ?", (run_id,))
        return self._api_run(rows[0]) if rows else None

    async def list_api_runs(
        self, thread_id: str, *, limit: int = 10, offset: int = 0, status: str | None = None
    ) -> list[ApiRunRecord]:
        sql = "SELECT * FROM api_runs WHERE thread_id = ?"
        args: tuple[Any, ...] = (thread_id,)
        if status is not None:
            sql, args = sql + " AND status = ?", (*args, status)
        rows = await self._execute(
            sql + _NEWEST_FIRST + " LIMIT ? OFFSET ?", (*args, limit, offset), scan=True
        )
        return [self._api_run(r) for r in rows]

    async def latest_api_run(self, thread_id: str) -> ApiRunRecord | None:
        rows = await self._execute(
            "SELECT * FROM api_runs WHERE thread_id = ?" + _NEWEST_FIRST + " LIMIT 1",
            (thread_id,),
        )
        return self._api_run(rows[0]) if rows else None

    async def pending_api_runs(self, limit: int = 500) -> list[ApiRunRecord]:
        rows = await self._execute(
            "SELECT * FROM api_runs WHERE status = 'pending' ORDER BY created_at, run_id LIMIT ?",
            (limit,),
            scan=True,
        )
        return [self._api_run(r) for r in rows]

    async def set_api_run_status(
        self, run_id: str, status: str, updated_at: datetime, *, only_from: str | None = None
    ) -> bool:
        sql = "UPDATE api_runs SET status = ?, updated_at = ? WHERE run_id = ?"
        args: tuple[Any, ...] = (status, self._time(updated_at), run_id)
        if only_from is not None:
            sql, args = sql + " AND status = ?", (*args, only_from)
        return bool(await self._execute(sql + " RETURNING run_id", args))

    async def delete_api_run(self, run_id: str) -> bool:
        rows = await self._execute(
            "DELETE FROM api_runs WHERE run_id = ? RETURNING run_id", (run_id,)
        )
        return bool(rows)

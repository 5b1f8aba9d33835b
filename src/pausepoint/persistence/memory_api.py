"""The LangGraph API's tables (`api_threads`, `api_runs`) in dicts: that part of `MemoryStore`.

Same semantics as `pausepoint.persistence.sql.api_threads` and `...sql.api_runs` (the store
contract tests run on all three stores). Each method's changes happen with no `await` between
them, so on the event loop each is one transaction.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from pausepoint.persistence.memory_outbox import _utc
from pausepoint.persistence.records import ApiRunRecord, ApiThreadRecord


class MemoryApiTables:
    """The LangGraph API's threads and runs in dicts, by id (see the module)."""

    def __init__(self) -> None:
        super().__init__()
        self._api_threads: dict[str, ApiThreadRecord] = {}
        self._api_runs: dict[str, ApiRunRecord] = {}

    # the LangGraph API's threads

    async def put_api_thread(self, record: ApiThreadRecord) -> bool:
        if record.thread_id in self._api_threads:
            return False
        self._api_threads[record.thread_id] = replace(
            record,
            metadata=json.loads(json.dumps(record.metadata)),
            created_at=_utc(record.created_at),
            updated_at=_utc(record.updated_at),
        )
        return True

    async def set_api_thread(self, record: ApiThreadRecord) -> None:
        kept = self._api_threads.get(record.thread_id, record)
        self._api_threads[record.thread_id] = replace(
            kept,
            metadata=json.loads(json.dumps(record.metadata)),
            created_at=_utc(kept.created_at),
            updated_at=_utc(record.updated_at),
        )

    async def get_api_thread(self, thread_id: str) -> ApiThreadRecord | None:
        return self._api_threads.get(thread_id)

    async def list_api_threads(self, owner: str | None = None) -> list[ApiThreadRecord]:
        found = [t for t in self._api_threads.values() if owner is None or t.owner == owner]
        found.sort(key=lambda t: t.thread_id)
        found.sort(key=lambda t: t.created_at, reverse=True)
        return found

    async def delete_api_thread(self, thread_id: str) -> bool:
        return self._api_threads.pop(thread_id, None) is not None

    # the LangGraph API's runs

    async def put_api_run(self, record: ApiRunRecord) -> bool:
        if record.run_id in self._api_runs:
            return False
        self._api_runs[record.run_id] = replace(
            record,
            metadata=json.loads(json.dumps(record.metadata)),
            kwargs=json.loads(json.dumps(record.kwargs)),
            created_at=_utc(record.created_at),
            updated_at=_utc(record.updated_at),
        )
        return True

    async def get_api_run(self, run_id: str) -> ApiRunRecord | None:
        return self._api_runs.get(run_id)

    async def list_api_runs(
        self, thread_id: str, *, limit: int = 10, offset: int = 0, status: str | None = None
    ) -> list[ApiRunRecord]:
        found = [
            r
            for r in self._api_runs.values()
            if r.thread_id == thread_id and (status is None or r.status == status)
        ]
        found.sort(key=lambda r: (r.created_at, r.run_id), reverse=True)
        return found[offset : offset + limit]

    async def latest_api_run(self, thread_id: str) -> ApiRunRecord | None:
        found = await self.list_api_runs(thread_id, limit=1)
        return found[0] if found else None

    async def pending_api_runs(self, limit: int = 500) -> list[ApiRunRecord]:
        found = [r for r in self._api_runs.values() if r.status == "pending"]
        found.sort(key=lambda r: (r.created_at, r.run_id))
        return found[:limit]

    async def set_api_run_status(
        self, run_id: str, status: str, updated_at: datetime, *, only_from: str | None = None
    ) -> bool:
        record = self._api_runs.get(run_id)
        if record is None or (only_from is not None and record.status != only_from):
            return False
        self._api_runs[run_id] = replace(record, status=status, updated_at=_utc(updated_at))
        return True

    async def delete_api_run(self, run_id: str) -> bool:
        return self._api_runs.pop(run_id, None) is not None

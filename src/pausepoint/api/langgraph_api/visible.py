"""The threads the LangGraph API shows a caller: Pausepoint's threads they may see (started
from any door) and the threads they created through this API that no run has started yet.

Visibility is the policy of every door: a Pausepoint thread through `Door.get`, a not-yet-run
thread through the same `may_see` (its creator); to anyone else a thread does not exist.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pausepoint.api.langgraph_api import shapes
from pausepoint.api.langgraph_api.bodies import ThreadCount, ThreadCreate, ThreadSearch
from pausepoint.api.langgraph_api.checkpoints import Checkpoints
from pausepoint.errors import Conflict, Forbidden, ThreadNotFound
from pausepoint.persistence.records import ApiThreadRecord, ThreadRecord
from pausepoint.service.decisions import SYSTEM_ACTORS, may_see
from pausepoint.service.doors import Door
from pausepoint.service.ids import check_thread_id

#: How many of Pausepoint's thread rows a search reads per query.
_BATCH = 500


@dataclass(frozen=True, slots=True)
class Found:
    """A thread as this API knows it: Pausepoint's row (None before any run), this API's row
    (None for a thread started from another door)."""

    thread_id: str
    record: ThreadRecord | None
    api: ApiThreadRecord | None

    @property
    def status(self) -> shapes.ApiStatus:
        return shapes.STATUSES[self.record.status] if self.record is not None else "idle"

    @property
    def metadata(self) -> dict[str, Any]:
        """This API's metadata, with the graph and its assistant stamped once a run started."""
        metadata = dict(self.api.metadata) if self.api is not None else {}
        if self.record is not None:
            metadata["graph_id"] = self.record.workflow
            metadata["assistant_id"] = shapes.assistant_id(self.record.workflow)
        return metadata

    def sort_key(self, field: str) -> Any:
        if field == "thread_id":
            return self.thread_id
        if field == "status":
            return self.status
        row = self.record or self.api
        assert row is not None
        return row.created_at if field == "created_at" else row.updated_at


def _contains(whole: Any, part: Mapping[str, Any]) -> bool:
    """`whole` holds every key of `part` with the same value (JSONB `@>` on the top level)."""
    return isinstance(whole, Mapping) and all(whole.get(k) == v for k, v in part.items())


class VisibleThreads:
    """The LangGraph API's threads as `door.actor` may see them."""

    def __init__(self, door: Door, reader: Checkpoints) -> None:
        self.door = door
        self.reader = reader
        self._store = reader.store

    # one thread

    async def get(self, thread_id: str) -> Found:
        """The thread, if the caller may see it; otherwise ThreadNotFound."""
        record = await self.reader.record(thread_id)
        if record is not None:
            await self.door.get(thread_id)
            return Found(thread_id, record, await self._store.get_api_thread(thread_id))
        api = await self._store.get_api_thread(thread_id)
        if api is None or not may_see(self.door.actor, api.owner, []):
            raise ThreadNotFound(f"no thread {thread_id!r}")
        return Found(thread_id, None, api)

    async def state(self, found: Found) -> dict[str, Any]:
        """The thread's latest ThreadState (an empty one before any run)."""
        if found.record is None:
            return shapes.empty_state(found.thread_id)
        return shapes.thread_state(await self.reader.latest(found.record))

    async def thread(self, found: Found) -> dict[str, Any]:
        """The thread as the API's Thread, its values and interrupts from its checkpoint."""
        row = found.record or found.api
        assert row is not None
        return shapes.thread(
            found.thread_id,
            status=found.status,
            metadata=found.metadata,
            created_at=row.created_at,
            updated_at=row.updated_at,
            state=await self.state(found) if found.record is not None else None,
        )

    async def create(self, body: ThreadCreate) -> Found:
        """A new idle thread owned by the caller; with `if_exists="do_nothing"` the existing
        thread of that id (if the caller may see it), else Conflict."""
        thread_id = body.thread_id or str(uuid.uuid4())
        check_thread_id(thread_id)
        now = self.reader.now()
        row = ApiThreadRecord(thread_id, self.door.actor, dict(body.metadata or {}), now, now)
        if await self.reader.record(thread_id) is None and await self._store.put_api_thread(row):
            return Found(thread_id, None, row)
        if body.if_exists == "do_nothing":
            try:
                return await self.get(thread_id)
            except ThreadNotFound:
                pass
        raise Conflict(f"thread {thread_id!r} already exists")

    async def patch(self, thread_id: str, metadata: Mapping[str, Any]) -> Found:
        """Merge `metadata` into the thread's (its owner only; `graph_id` and `assistant_id`
        stay what its runs made them)."""
        found = await self.get(thread_id)
        row = found.record or found.api
        assert row is not None
        if self.door.actor != row.owner:
            raise Forbidden(f"only the thread's owner {row.owner!r} may change its metadata")
        now = self.reader.now()
        merged = {**(found.api.metadata if found.api else {}), **metadata}
        created = found.api.created_at if found.api else row.created_at
        api = ApiThreadRecord(thread_id, row.owner, merged, created, now)
        await self._store.set_api_thread(api)
        return Found(thread_id, found.record, api)

    async def delete(self, thread_id: str) -> None:
        """Delete a thread no run has started. A thread a run started keeps its checkpoints
        and its decision log (the audit trail): Conflict."""
        found = await self.get(thread_id)
        if found.record is not None:
            raise Conflict(
                f"thread {thread_id!r} has run ({found.record.status}); Pausepoint keeps a "
                "thread's checkpoints and decision log, so it cannot be deleted (cancel it "
                "through /api/threads/{id}/cancel instead)"
            )
        await self._store.delete_api_thread(thread_id)

    # many threads

    async def _candidates(self) -> list[Found]:
        """Every thread the caller may see: theirs, those waiting for them, those they
        created here and no run has started."""
        owner = None if self.door.actor in SYSTEM_ACTORS else self.door.actor
        api_rows = {r.thread_id: r for r in await self._store.list_api_threads(owner)}
        records: dict[str, ThreadRecord] = {}
        offset = 0
        while batch := await self._store.list_threads(None, _BATCH, offset, owner):
            records.update((r.thread_id, r) for r in batch)
            offset += _BATCH
        for item in await self.door.service.inbox(self.door.actor, limit=_BATCH):
            if item.thread_id not in records:
                record = await self.reader.record(item.thread_id)
                if record is not None:
                    records[item.thread_id] = record
        found = [Found(t, r, api_rows.get(t)) for t, r in records.items()]
        for thread_id, api in api_rows.items():
            if thread_id not in records and await self.reader.record(thread_id) is None:
                found.append(Found(thread_id, None, api))
        return found

    async def _matching(self, body: ThreadCount, ids: list[str] | None = None) -> list[Found]:
        found = [
            f
            for f in await self._candidates()
            if (ids is None or f.thread_id in ids)
            and (body.status is None or f.status == body.status)
            and _contains(f.metadata, body.metadata or {})
        ]
        if body.values:
            values = body.values
            found = [
                f
                for f in found
                if f.record is not None and _contains((await self.state(f))["values"], values)
            ]
        return found

    async def search(self, body: ThreadSearch) -> list[Found]:
        """The matching threads, sorted (newest update first unless told otherwise)."""
        found = await self._matching(body, body.ids)
        key = body.sort_by or "updated_at"
        found.sort(key=lambda f: (f.sort_key(key), f.thread_id), reverse=body.sort_order != "asc")
        return found

    async def count(self, body: ThreadCount) -> int:
        return len(await self._matching(body))

"""How a run stands, and joining a run this process does not run (one another server runs, on
Postgres).

A run's stream parts are kept only in the process that runs it (live.py). A server asked to
join a run it does not have follows the run through what it hears of its thread: the thread
events the Postgres bus carries (service/pg_events.py) and the thread's checkpoint. `join`
waits for the run's end; the stream gives `metadata`, then the thread's values as they stand
and again each time they change (a `values` event, as that stream mode does), `error` if the
run failed, and ends when the run ends. (The other stream modes, a chat model's tokens among
them, are only streamed by the server that runs the run.)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from pausepoint.api.langgraph_api.launch import RUN_STATUS, Launcher, error_of, thread_values
from pausepoint.api.langgraph_api.live import encode
from pausepoint.domain import ThreadStatus
from pausepoint.errors import ThreadNotFound
from pausepoint.persistence.records import ApiRunRecord
from pausepoint.service.events import ThreadEvent

#: How often a joiner looks again at a run it heard nothing of (a missed event, a lag).
POLL_SECONDS = 0.5
#: The statuses of a run that has not ended.
GOING = ("pending", "running")


async def run_status(runs: Launcher, record: ApiRunRecord) -> str:
    """The run's status: as stored once it has ended; while stored as running, from its
    thread (a run whose process stopped is finished by another, or by recovery)."""
    live = runs.live.get(record.run_id)
    if record.status != "running" or (live is not None and not live.done):
        return record.status
    thread = await runs.threads.reader.record(record.thread_id)
    store = runs.threads.reader.store
    latest = await store.list_api_runs(record.thread_id, limit=1, status="running")
    if thread is None or not latest or latest[0].run_id != record.run_id:
        return "success"  # a run after it (queued ones aside) has begun
    if thread.updated_at < record.updated_at:
        return "running"  # a queued run, taken up: its thread has not moved since
    return RUN_STATUS[thread.status]


async def _now(runs: Launcher, record: ApiRunRecord) -> str:
    """The run's status as stored now (`interrupted` once a rollback deleted it)."""
    stored = await runs.threads.reader.store.get_api_run(record.run_id)
    return "interrupted" if stored is None else await run_status(runs, stored)


async def _heard(queue: asyncio.Queue[ThreadEvent], thread_id: str) -> None:
    """Return on the next event of the thread (or after POLL_SECONDS)."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(POLL_SECONDS):
            while (await queue.get()).thread_id != thread_id:
                pass


async def until_ended(runs: Launcher, record: ApiRunRecord) -> None:
    """Return once the run (going on anywhere) has ended."""
    async with runs.service.events.subscribe() as queue:
        while await _now(runs, record) in GOING:
            await _heard(queue, record.thread_id)


async def follow(
    runs: Launcher, record: ApiRunRecord, after: int = -1
) -> AsyncIterator[tuple[int, str, bytes]]:
    """The events of a run going on elsewhere (after index `after`), until it ends."""
    thread_id = record.thread_id
    index = 0
    if index > after:
        yield index, "metadata", encode({"run_id": record.run_id, "attempt": 1})
    last: Any = None
    async with runs.service.events.subscribe() as queue:
        while (status := await _now(runs, record)) == "pending":
            await _heard(queue, thread_id)
        while True:
            values = await _values(runs, thread_id)
            if values is not None and values != last:
                last = values
                index += 1
                if index > after:
                    yield index, "values", encode(values)
            if status not in GOING:
                break
            await _heard(queue, thread_id)
            status = await _now(runs, record)
    if status == "error":
        view = await runs.door.get(thread_id)
        if view.status is ThreadStatus.FAILED:
            yield index + 1, "error", encode(error_of(view))


async def _values(runs: Launcher, thread_id: str) -> dict[str, Any] | None:
    with contextlib.suppress(ThreadNotFound):
        found = await runs.threads.get(thread_id)
        if found.record is not None:
            return await thread_values(runs.threads, found)
    return None

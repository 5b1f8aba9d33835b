"""Threads: create, get, search, count, delete, state (latest and by checkpoint), history.

Runs (`/threads/{id}/runs*`) are another router's; what they need of a thread's shape is in
`shapes` and `visible`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from pausepoint.api.langgraph_api import shapes
from pausepoint.api.langgraph_api.bodies import (
    HistorySearch,
    StateUpdate,
    ThreadCount,
    ThreadCreate,
    ThreadPatch,
    ThreadSearch,
)
from pausepoint.api.langgraph_api.deps import Person, Reader
from pausepoint.api.langgraph_api.errors import ERRORS
from pausepoint.api.langgraph_api.launch import checkpoint_id_of
from pausepoint.api.langgraph_api.paging import page
from pausepoint.api.langgraph_api.visible import VisibleThreads
from pausepoint.errors import Conflict, NotFound

router = APIRouter(prefix="/threads", tags=["LangGraph API"], responses=ERRORS)


async def get_threads(person: Person, reader: Reader) -> VisibleThreads:
    return VisibleThreads(person, reader)


Threads = Annotated[VisibleThreads, Depends(get_threads)]


@router.post("")
async def create_thread(body: ThreadCreate, threads: Threads) -> dict[str, Any]:
    """A new idle thread (409 if the id is taken, unless `if_exists` is `do_nothing`)."""
    return await threads.thread(await threads.create(body))


@router.post("/search")
async def search_threads(
    body: ThreadSearch, response: Response, threads: Threads
) -> list[dict[str, Any]]:
    """The caller's threads matching the filters, with `X-Pagination-Next`/`-Total`."""
    found = page(await threads.search(body), body.offset, body.limit, response)
    return [await threads.thread(f) for f in found]


@router.post("/count")
async def count_threads(body: ThreadCount, threads: Threads) -> int:
    return await threads.count(body)


@router.get("/{thread_id}")
async def get_thread(thread_id: str, threads: Threads) -> dict[str, Any]:
    return await threads.thread(await threads.get(thread_id))


@router.patch("/{thread_id}")
async def patch_thread(thread_id: str, body: ThreadPatch, threads: Threads) -> dict[str, Any]:
    """Merge metadata into the thread's (its owner only)."""
    return await threads.thread(await threads.patch(thread_id, body.metadata or {}))


@router.delete("/{thread_id}", status_code=204)
async def delete_thread(thread_id: str, threads: Threads) -> Response:
    """Delete a thread no run has started (409 for one that has run)."""
    await threads.delete(thread_id)
    return Response(status_code=204)


@router.get("/{thread_id}/state")
async def get_thread_state(thread_id: str, threads: Threads) -> dict[str, Any]:
    """The latest checkpoint: values, next, tasks (with their interrupts), interrupts."""
    return await threads.state(await threads.get(thread_id))


@router.post("/{thread_id}/state")
async def update_thread_state(
    thread_id: str, body: StateUpdate, threads: Threads
) -> dict[str, Any]:
    """Change a waiting thread's state as its owner (`as_node`: the node it comes from), or
    fork it at an earlier checkpoint (`checkpoint_id`/`checkpoint`); the new checkpoint. A
    thread no run has started, one running, or (but for a fork) finished: 409."""
    found = await threads.get(thread_id)
    if found.record is None:
        raise Conflict(f"thread {thread_id!r} has not run yet: start a run on it first")
    checkpoint_id = checkpoint_id_of(body.checkpoint_id, body.checkpoint)
    written = await threads.door.update_state(
        thread_id, body.values, as_node=body.as_node, checkpoint_id=checkpoint_id
    )
    return {"checkpoint": shapes.checkpoint(written)}


async def _state_at(threads: VisibleThreads, thread_id: str, checkpoint: dict[str, Any]) -> Any:
    found = await threads.get(thread_id)
    snapshot = (
        await threads.reader.at(found.record, checkpoint) if found.record is not None else None
    )
    if snapshot is None or snapshot.created_at is None:
        raise NotFound(f"thread {thread_id!r} has no checkpoint {checkpoint!r}")
    return shapes.thread_state(snapshot)


@router.get("/{thread_id}/state/{checkpoint_id}")
async def get_thread_state_at(
    thread_id: str, checkpoint_id: str, threads: Threads
) -> dict[str, Any]:
    """The thread's state at one of its checkpoints."""
    state: dict[str, Any] = await _state_at(threads, thread_id, {"checkpoint_id": checkpoint_id})
    return state


@router.post("/{thread_id}/state/checkpoint")
async def post_thread_state_at(
    thread_id: str, body: HistorySearch, threads: Threads
) -> dict[str, Any]:
    """The thread's state at the checkpoint the body's `checkpoint` names."""
    state: dict[str, Any] = await _state_at(threads, thread_id, dict(body.checkpoint or {}))
    return state


async def _history(threads: VisibleThreads, thread_id: str, body: HistorySearch) -> Any:
    found = await threads.get(thread_id)
    if found.record is None:
        return []
    before = {"checkpoint_id": body.before} if isinstance(body.before, str) else body.before
    snapshots = await threads.reader.history(
        found.record,
        limit=body.limit,
        before=before,
        metadata=body.metadata,
        checkpoint=body.checkpoint,
    )
    return [shapes.thread_state(s) for s in snapshots]


@router.post("/{thread_id}/history")
async def post_thread_history(
    thread_id: str, body: HistorySearch, threads: Threads
) -> list[dict[str, Any]]:
    """The thread's checkpoints, newest first (`limit`, `before`, `metadata`, `checkpoint`)."""
    states: list[dict[str, Any]] = await _history(threads, thread_id, body)
    return states


@router.get("/{thread_id}/history")
async def get_thread_history(
    thread_id: str,
    threads: Threads,
    limit: Annotated[int, Query(ge=1, le=1000)] = 1,
    before: str | None = None,
) -> list[dict[str, Any]]:
    states: list[dict[str, Any]] = await _history(
        threads, thread_id, HistorySearch(limit=limit, before=before)
    )
    return states

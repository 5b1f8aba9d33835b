"""Runs: create (in the background), wait, stream; get, list, join, join the stream, cancel,
delete; and the stateless `/runs/wait`, `/runs/stream`, `/runs` on a new thread.

A run is a start or an answer (launch.py), so every guarantee of the other doors holds here:
a resume is checked against the pause's schema (422, the thread still interrupted), applied
exactly once (a second resume of the same interrupt: 409), logged with the caller as actor.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from pausepoint.api.deps import Service
from pausepoint.api.langgraph_api import assistants, joins
from pausepoint.api.langgraph_api.errors import ERRORS
from pausepoint.api.langgraph_api.joins import run_status
from pausepoint.api.langgraph_api.launch import (
    Launched,
    Launcher,
    error_of,
    result_of,
    run_json,
    thread_values,
)
from pausepoint.api.langgraph_api.live import LiveRun, sse
from pausepoint.api.langgraph_api.multitask import Multitasking
from pausepoint.api.langgraph_api.queue import run_queue
from pausepoint.api.langgraph_api.run_bodies import RunCreate
from pausepoint.api.langgraph_api.threads import Threads
from pausepoint.domain import ThreadStatus
from pausepoint.errors import Conflict, NotFound
from pausepoint.persistence.records import ApiRunRecord

router = APIRouter(tags=["LangGraph API"], responses=ERRORS)

#: Cancels of runs whose streaming client went away, while they go on.
_CANCELLING: set[asyncio.Task[Any]] = set()


async def get_launcher(request: Request, service: Service, threads: Threads) -> Launcher:
    queue = run_queue(request.app.state, service)
    return Multitasking(threads, queue.live, queue)


Runs = Annotated[Launcher, Depends(get_launcher)]


def _graph(request: Request, service: Service, body: RunCreate) -> str:
    return str(assistants.find(request, service, body.assistant_id)["graph_id"])


def _where(record: ApiRunRecord) -> dict[str, str]:
    base = f"/threads/{record.thread_id}/runs/{record.run_id}"
    return {"Content-Location": base, "Location": f"{base}/join"}


def _stream(launched: Launched, runs: Launcher, body: RunCreate) -> StreamingResponse:
    record, live = launched.record, launched.live
    headers = _where(record) | {
        "Location": f"/threads/{record.thread_id}/runs/{record.run_id}/stream",
        "Cache-Control": "no-store",
        "X-Accel-Buffering": "no",
    }
    cancel = body.on_disconnect == "cancel"
    return StreamingResponse(
        _events(live, runs, -1, cancel), media_type="text/event-stream", headers=headers
    )


async def _events(
    live: LiveRun, runs: Launcher, after: int, cancel_on_disconnect: bool
) -> AsyncIterator[bytes]:
    try:
        async for index, event, data in live.follow(after):
            yield sse(index, event, data)
    finally:
        if cancel_on_disconnect and not live.done:  # the client went away (`on_disconnect`)
            # in a task of its own: this one is being cancelled with the response; a run
            # still queued (nothing streamed yet) is dropped, not the run going on
            stop = _drop(runs, live) if not live.events else runs.door.cancel(live.thread_id)
            cancel = asyncio.create_task(stop)
            _CANCELLING.add(cancel)
            cancel.add_done_callback(_CANCELLING.discard)


async def _drop(runs: Launcher, live: LiveRun) -> None:
    """Stop a queued run before its turn (else, should it have begun, its thread)."""
    now = runs.threads.reader.now()
    store = runs.threads.reader.store
    if await store.set_api_run_status(live.run_id, "interrupted", now, only_from="pending"):
        live.finish()
    else:
        await runs.door.cancel(live.thread_id)


# runs on a thread


@router.post("/threads/{thread_id}/runs")
async def create_run(
    thread_id: str, body: RunCreate, request: Request, service: Service, runs: Runs
) -> JSONResponse:
    """Start a run in the background; the Run, as it stands once its start or answer is
    stored."""
    launched = await runs.launch(thread_id, _graph(request, service, body), body, until_done=False)
    return JSONResponse(run_json(launched.record), headers=_where(launched.record))


@router.post("/threads/{thread_id}/runs/wait")
async def wait_run(
    thread_id: str, body: RunCreate, request: Request, service: Service, runs: Runs
) -> JSONResponse:
    """Run to the next stop; its last values (`__interrupt__` when it stopped at one)."""
    launched = await runs.launch(thread_id, _graph(request, service, body), body, until_done=True)
    return JSONResponse(await result_of(launched, runs.threads), headers=_where(launched.record))


@router.post("/threads/{thread_id}/runs/stream")
async def stream_run(
    thread_id: str, body: RunCreate, request: Request, service: Service, runs: Runs
) -> StreamingResponse:
    """Run, streaming its events (server-sent events, `metadata` first)."""
    launched = await runs.launch(thread_id, _graph(request, service, body), body, until_done=False)
    return _stream(launched, runs, body)


# stateless: each on a new thread (which stays, as every thread does: its audit trail)


def _new_thread(body: RunCreate) -> tuple[str, RunCreate]:
    return str(uuid.uuid4()), body.model_copy(update={"if_not_exists": "create"})


@router.post("/runs/wait")
async def wait_run_stateless(
    body: RunCreate, request: Request, service: Service, runs: Runs
) -> JSONResponse:
    return await wait_run(*_new_thread(body), request, service, runs)


@router.post("/runs/stream")
async def stream_run_stateless(
    body: RunCreate, request: Request, service: Service, runs: Runs
) -> StreamingResponse:
    return await stream_run(*_new_thread(body), request, service, runs)


@router.post("/runs")
async def create_run_stateless(
    body: RunCreate, request: Request, service: Service, runs: Runs
) -> JSONResponse:
    return await create_run(*_new_thread(body), request, service, runs)


# reading runs


async def _run(runs: Launcher, thread_id: str, run_id: str) -> ApiRunRecord:
    await runs.threads.get(thread_id)
    record = await runs.threads.reader.store.get_api_run(run_id)
    if record is None or record.thread_id != thread_id:
        raise NotFound(f"no run {run_id!r} on thread {thread_id!r}")
    return record


@router.get("/threads/{thread_id}/runs")
async def list_runs(
    thread_id: str,
    runs: Runs,
    limit: Annotated[int, Query(ge=1, le=1000)] = 10,
    offset: Annotated[int, Query(ge=0)] = 0,
    status: str | None = None,
) -> list[dict[str, Any]]:
    """The thread's runs, newest first."""
    await runs.threads.get(thread_id)
    found = await runs.threads.reader.store.list_api_runs(
        thread_id, limit=limit, offset=offset, status=status
    )
    return [run_json(r, await run_status(runs, r)) for r in found]


@router.get("/threads/{thread_id}/runs/{run_id}")
async def get_run(thread_id: str, run_id: str, runs: Runs) -> dict[str, Any]:
    record = await _run(runs, thread_id, run_id)
    return run_json(record, await run_status(runs, record))


@router.delete("/threads/{thread_id}/runs/{run_id}", status_code=204)
async def delete_run(thread_id: str, run_id: str, runs: Runs) -> Response:
    """Forget a run that has ended (its thread, checkpoints and decisions stay)."""
    record = await _run(runs, thread_id, run_id)
    if await run_status(runs, record) in ("pending", "running"):
        raise Conflict(f"run {run_id!r} is still running; cancel it first")
    await runs.threads.reader.store.delete_api_run(run_id)
    return Response(status_code=204)


@router.get("/threads/{thread_id}/runs/{run_id}/join")
async def join_run(thread_id: str, run_id: str, runs: Runs) -> JSONResponse:
    """Wait for the run to end; the thread's values then (as `runs.wait` answers)."""
    record = await _run(runs, thread_id, run_id)
    live = runs.live.get(run_id)
    if live is not None:
        await live.ended()
    else:  # going on in another server, or ended
        await joins.until_ended(runs, record)
    found = await runs.threads.get(thread_id)
    if found.record is not None and found.record.status is ThreadStatus.FAILED:
        view = await runs.door.get(thread_id)
        return JSONResponse({"__error__": error_of(view)})
    return JSONResponse(await thread_values(runs.threads, found), headers=_where(record))


@router.get("/threads/{thread_id}/runs/{run_id}/stream")
async def join_run_stream(
    thread_id: str,
    run_id: str,
    runs: Runs,
    last_event_id: Annotated[str | None, Header()] = None,
    cancel_on_disconnect: bool = False,
) -> StreamingResponse:
    """The run's events from the start (or after `Last-Event-ID`), then as they come."""
    record = await _run(runs, thread_id, run_id)
    live = runs.live.get(run_id)
    after = int(last_event_id) if last_event_id and last_event_id.isdigit() else -1
    if live is None and await run_status(runs, record) in joins.GOING:  # in another server
        events = (sse(i, e, d) async for i, e, d in joins.follow(runs, record, after))
        return StreamingResponse(events, media_type="text/event-stream", headers=_where(record))
    if live is None:  # ended here long ago, or in another process: nothing to replay
        live = LiveRun(run_id, thread_id)
        live.finish()
    return StreamingResponse(
        _events(live, runs, after, cancel_on_disconnect),
        media_type="text/event-stream",
        headers=_where(record),
    )


@router.post("/threads/{thread_id}/runs/{run_id}/cancel")
async def cancel_run(
    thread_id: str,
    run_id: str,
    runs: Runs,
    wait: bool = False,
    action: str = "interrupt",
) -> Response:
    """Cancel the run: Pausepoint cancels its thread (its pauses leave every inbox); 202,
    or 204 once it has stopped with `wait`."""
    record = await _run(runs, thread_id, run_id)
    status = await run_status(runs, record)
    if status not in ("pending", "running"):
        raise Conflict(f"run {run_id!r} has already ended")
    now = runs.threads.reader.now()
    store = runs.threads.reader.store
    # still queued: it will not run (its thread goes on as it is)
    if status == "pending" and await store.set_api_run_status(
        run_id, "interrupted", now, only_from="pending"
    ):
        live = runs.live.get(run_id)
        if live is not None:
            live.finish()
        return Response(status_code=204 if wait else 202)
    await runs.door.cancel(thread_id)
    live = runs.live.get(run_id)
    if wait and live is not None:
        await live.ended()
    await runs.threads.reader.store.set_api_run_status(
        run_id, "interrupted", runs.threads.reader.now()
    )
    return Response(status_code=204 if wait else 202)

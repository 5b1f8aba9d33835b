"""Runs that take a while, over HTTP: `?wait=0` answers 202 at once with the thread running,
the run reaches its pause by itself, and SSE and the WebSocket carry its node, progress and
token events in order, to the thread's owner only; an answer with `?wait=0` is 202, recorded,
and the run it resumes finishes by itself."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest

from pausepoint.workflows.registry import WorkflowRegistry

LETTER = "Dear Ann, your refund of 30 EUR is on its way."
CHECK_SECONDS = 1.0
RUN_EVENTS = ("node_started", "node_finished", "progress", "tokens")


@pytest.fixture
def registry(with_claims: Callable[[float], WorkflowRegistry]) -> WorkflowRegistry:
    """The bundled workflows and the background app's `claim` (its `check` takes 1 s)."""
    return with_claims(CHECK_SECONDS)


def told(messages: list[dict[str, Any]], thread_id: str) -> list[tuple[str, Any]]:
    """The thread's pushed events as (event, node or text), tokens joined."""
    out: list[tuple[str, Any]] = []
    for m in messages:
        if m.get("type") != "event" or m["thread_id"] != thread_id:
            continue
        event, data = m["event"], m["data"]
        if event == "tokens" and out and out[-1][0] == "tokens":
            out[-1] = ("tokens", out[-1][1] + data["text"])
        elif event in ("tokens", "progress"):
            out.append((event, data["text"]))
        elif event in ("node_started", "node_finished"):
            out.append((event, data["node"]))
        else:
            out.append((event, None))
    return out


EXPECTED = [
    ("started", None),
    ("node_started", "check"),
    ("progress", "checking receipts"),
    ("progress", "checking the bank"),
    ("node_finished", "check"),
    ("node_started", "draft"),
    ("tokens", LETTER),
    ("node_finished", "draft"),
    ("node_started", "ask"),
    ("node_finished", "ask"),
    ("paused", None),
]


def is_pause_of(thread_id: list[str]) -> Any:
    return lambda m: m.get("event") == "paused" and m.get("thread_id") in thread_id


async def test_wait_zero_is_202_at_once_and_sse_carries_the_run_to_its_owner_only(
    open_sse: Any, keyed_server: Any
) -> None:
    async with open_sse("ann") as ann_events, open_sse("bob") as bob_events:
        async with keyed_server.client("ann") as ann:
            t0 = time.perf_counter()
            started = await ann.post(
                "/api/threads?wait=0", json={"workflow": "claim", "input": {"customer": "Ann"}}
            )
            took = time.perf_counter() - t0
            view = started.json()
            running = (await ann.get(f"/api/threads/{view['thread_id']}")).json()
            heard = await ann_events.until(is_pause_of([view["thread_id"]]))
            paused = (await ann.get(f"/api/threads/{view['thread_id']}")).json()
        await asyncio.sleep(0.2)  # anything bob would get has arrived by now

    assert started.status_code == 202, started.text
    assert took < CHECK_SECONDS / 2, took
    assert (view["status"], view["pauses"]) == ("running", [])
    assert running["status"] == "running"
    assert told(heard, view["thread_id"]) == EXPECTED
    progress = next(m for m in heard if m.get("event") == "progress")
    assert (progress["message"], progress["status"]) == ("checking receipts", "RUNNING")
    assert (paused["status"], paused["pauses"][0]["title"]) == ("waiting", "Send this letter?")
    assert [m for m in bob_events.seen if m.get("thread_id") == view["thread_id"]] == []


async def test_the_websocket_carries_the_run_events_in_order(
    open_ws: Any, keyed_server: Any
) -> None:
    async with open_ws("ann") as ws:
        async with keyed_server.client("ann") as ann:
            started = await ann.post(
                "/api/threads?wait=0", json={"workflow": "claim", "input": {"customer": "Ann"}}
            )
        thread_id = started.json()["thread_id"]
        heard = await ws.until(is_pause_of([thread_id]))

    assert started.status_code == 202
    assert told(heard, thread_id) == EXPECTED


async def test_an_answer_with_wait_zero_is_202_recorded_and_finishes_by_itself(
    server: Any, open_sse: Any
) -> None:
    async with server.client() as client:
        paused = await client.post(
            "/api/threads", json={"workflow": "claim", "input": {"customer": "Ann"}}
        )
        assert paused.status_code == 201, paused.text
        thread_id = paused.json()["thread_id"]
        async with open_sse(None) as events:
            answered = await client.post(
                f"/api/threads/{thread_id}/answers?wait=0", json={"answer": True}
            )
            log = (await client.get(f"/api/threads/{thread_id}/decisions")).json()["decisions"]
            inbox = (await client.get("/api/inbox")).json()["inbox"]
            await events.until(lambda m: m.get("event") == "completed")
        done = (await client.get(f"/api/threads/{thread_id}")).json()

    assert answered.status_code in (200, 202), answered.text
    assert answered.json()["status"] in ("running", "completed")
    assert [d["answer"] for d in log] == [True]
    assert [i for i in inbox if i["thread_id"] == thread_id] == []
    assert done["status"] == "completed"
    assert done["result"]["approved"] is True


async def test_a_short_wait_that_is_enough_is_an_ordinary_201(server: Any) -> None:
    async with server.client() as client:
        started = await client.post(
            "/api/threads?wait=30", json={"workflow": "claim", "input": {"customer": "Ann"}}
        )
        refused = await client.post(
            "/api/threads?wait=-1", json={"workflow": "claim", "input": {"customer": "Ann"}}
        )

    assert started.status_code == 201, started.text
    assert started.json()["status"] == "waiting"
    assert refused.status_code == 422
    assert refused.json()["fields"][0]["loc"] == "wait"

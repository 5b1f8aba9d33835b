"""LangGraph API runs of a graph that takes a while (tests/service/background_app.py): what it
reports (`custom`) and its chat model's tokens (`messages-tuple`, `messages`) stream as they
happen, and a cancel stops a run going on (and, in Pausepoint, its thread)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client

from pausepoint.workflows.registry import WorkflowRegistry

LETTER = "Dear Ann, your refund of 30 EUR is on its way."


@pytest.fixture
def registry(with_claims: Callable[[float], WorkflowRegistry]) -> WorkflowRegistry:
    """The bundled workflows and the background app's `claim` (its `check` takes 0.4 s)."""
    return with_claims(0.4)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_progress_and_tokens_stream_as_the_run_goes(server: Any) -> None:
    async with get_client(url=server.url) as client:
        thread = await client.threads.create()
        parts = [
            p
            async for p in client.runs.stream(
                thread["thread_id"],
                "claim",
                input={"customer": "Ann"},
                stream_mode=["custom", "messages-tuple", "messages", "updates"],
            )
        ]

    custom = [p.data for p in parts if p.event == "custom"]
    assert custom == [{"progress": "checking receipts", "done": 0}, "checking the bank"]
    tokens = [p.data[0]["content"] for p in parts if p.event == "messages"]
    assert "".join(tokens) == LETTER and len(tokens) > 1
    assert parts[[p.event for p in parts].index("messages")].data[1]["langgraph_node"] == "draft"
    partial = [p.data[0]["content"] for p in parts if p.event == "messages/partial"]
    assert partial[-1] == LETTER and partial[0] != LETTER  # the message so far, each time
    assert any(p.event == "messages/metadata" for p in parts)
    [interrupting] = [p.data for p in parts if p.event == "updates" and "__interrupt__" in p.data]
    assert interrupting["__interrupt__"][0]["value"]["letter"] == LETTER


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_cancelling_a_run_going_on_stops_it_and_cancels_its_thread(server: Any) -> None:
    async with get_client(url=server.url) as client:
        thread = await client.threads.create()
        tid = thread["thread_id"]
        run = await client.runs.create(tid, "claim", input={"customer": "Ann"})
        await client.runs.cancel(tid, run["run_id"], wait=True)
        got = await client.runs.get(tid, run["run_id"])
        state = await client.threads.get_state(tid)
    async with httpx.AsyncClient(base_url=server.url) as http:
        view = (await http.get(f"/api/threads/{tid}")).json()
        again = await http.post(f"/threads/{tid}/runs/{run['run_id']}/cancel")

    assert run["status"] == "running"
    assert got["status"] == "interrupted"
    assert view["status"] == "cancelled"
    assert "letter" not in state["values"]  # stopped in `check`, before `draft`
    assert again.status_code == 409, again.text


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_an_edit_as_the_paused_node_runs_the_thread_on_from_it(server: Any) -> None:
    async with get_client(url=server.url) as client:
        thread = await client.threads.create()
        tid = thread["thread_id"]
        await client.runs.wait(tid, "claim", input={"customer": "Ann"})
        await client.threads.update_state(tid, {"approved": True}, as_node="ask")
        async with asyncio.timeout(30):
            # polling the server: the run the edit started has no run of the API to join
            while (await client.threads.get(tid))["status"] == "busy":  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        state = await client.threads.get_state(tid)
    assert state["values"]["sent"] is True and state["next"] == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_events_mode_streams_every_callback_event_beside_the_other_modes(
    server: Any,
) -> None:
    async with get_client(url=server.url) as client:
        thread = await client.threads.create()
        parts = [
            p
            async for p in client.runs.stream(
                thread["thread_id"],
                "claim",
                input={"customer": "Ann"},
                stream_mode=["events", "values"],
            )
        ]
        state = await client.threads.get_state(thread["thread_id"])

    events = [p.data for p in parts if p.event == "events"]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "on_chain_start"
    started = {e["name"] for e in events if e["event"] == "on_chain_start"}
    assert {"check", "draft", "ask"} <= started
    tokens = [e["data"]["chunk"]["content"] for e in events if e["event"] == "on_chat_model_stream"]
    assert "".join(tokens) == LETTER
    last_values = [p.data for p in parts if p.event == "values"][-1]
    assert last_values["__interrupt__"][0]["value"]["letter"] == LETTER
    assert state["interrupts"] and state["next"] == ["ask"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_a_stream_with_on_disconnect_cancel_cancels_the_run_when_its_client_goes(
    server: Any,
) -> None:
    async with get_client(url=server.url) as client:
        thread = await client.threads.create()
    tid = thread["thread_id"]
    body = {"assistant_id": "claim", "input": {"customer": "Ann"}, "on_disconnect": "cancel"}
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        async with http.stream("POST", f"/threads/{tid}/runs/stream", json=body) as response:
            async for line in response.aiter_lines():
                if line.startswith("event: metadata"):
                    break  # and hang up, the run still in `check`
        async with asyncio.timeout(30):
            # polling the server: the cancel goes on there after the client has gone
            while (await http.get(f"/api/threads/{tid}")).json()["status"] != "cancelled":  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        view = (await http.get(f"/api/threads/{tid}")).json()
    assert view["status"] == "cancelled"

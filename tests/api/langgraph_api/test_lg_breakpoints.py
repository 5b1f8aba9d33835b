"""A run's own breakpoints and durability through the LangGraph API (what LangGraph Studio sets
per run): `interrupt_before`/`interrupt_after` stop the thread as langgraph-api does (status
interrupted, `next` the node, no interrupt), a run with no input goes on past the breakpoint,
and every other door shows the stop as a pause with one action, Continue."""

from __future__ import annotations

from typing import Any

import httpx
from langgraph_sdk import get_client

EXPENSE = {"employee": "ana", "amount": 120.5, "reason": "train tickets"}
ASK = "Approve 120.50 EUR for train tickets by ana?"


async def test_interrupt_before_stops_the_run_and_a_run_with_no_input_goes_on(
    team_server: Any,
) -> None:
    async with get_client(url=team_server.url) as client:
        thread = await client.threads.create()
        tid = thread["thread_id"]
        stopped = await client.runs.wait(
            tid, "expense", input=EXPENSE, interrupt_before=["approve"]
        )
        state = await client.threads.get_state(tid)
        seen = await client.threads.get(tid)
        async with httpx.AsyncClient(base_url=team_server.url) as http:
            view = (await http.get(f"/api/threads/{tid}")).json()
        asked = await client.runs.wait(tid, "expense", input=None)
        done = await client.runs.wait(tid, "expense", command={"resume": {"approved": True}})

    assert "__interrupt__" not in stopped and stopped["claim"]["currency"] == "EUR"
    assert state["next"] == ["approve"] and state["interrupts"] == []
    assert seen["status"] == "interrupted"
    [pause] = view["pauses"]
    assert view["status"] == "waiting" and pause["title"] == "Paused before approve"
    assert "a breakpoint set on the run" in pause["message"]
    assert asked["__interrupt__"][0]["value"] == ASK
    assert done["paid"] == 120.5


async def test_interrupt_after_stops_once_the_node_ran(team_server: Any) -> None:
    async with get_client(url=team_server.url) as client:
        thread = await client.threads.create()
        tid = thread["thread_id"]
        await client.runs.wait(tid, "expense", input=EXPENSE, interrupt_after="*")
        first = await client.threads.get_state(tid)
        await client.runs.wait(tid, "expense", input=None)
        second = await client.threads.get_state(tid)

    assert first["next"] == ["approve"] and first["interrupts"] == []
    # the run with no input has no breakpoints of its own: it runs on to the typed interrupt
    assert second["next"] == ["approve"]
    assert second["interrupts"][0]["value"] == ASK


async def test_a_breakpoint_on_a_node_the_graph_lacks_is_a_422_and_no_thread_runs(
    team_server: Any,
) -> None:
    async with get_client(url=team_server.url) as client:
        thread = await client.threads.create()
        tid = thread["thread_id"]
        try:
            await client.runs.wait(tid, "expense", input=EXPENSE, interrupt_before=["aprove"])
        except httpx.HTTPStatusError as exc:
            refused = exc.response
        else:
            raise AssertionError("a breakpoint on no node was accepted")
        seen = await client.threads.get(tid)

    assert refused.status_code == 422
    assert refused.json()["fields"][0]["loc"] == "interrupt_before"
    assert "'aprove'" in refused.json()["detail"] and "file_claim" in refused.json()["detail"]
    assert seen["status"] == "idle"


async def test_a_run_with_exit_durability_writes_only_its_last_checkpoint(
    team_server: Any,
) -> None:
    async with get_client(url=team_server.url) as client:
        synced = (await client.threads.create())["thread_id"]
        exited = (await client.threads.create())["thread_id"]
        await client.runs.wait(synced, "expense", input=EXPENSE)
        paused = await client.runs.wait(exited, "expense", input=EXPENSE, durability="exit")
        kept_sync = await client.threads.get_history(synced, limit=50)
        kept_exit = await client.threads.get_history(exited, limit=50)

    assert paused["__interrupt__"][0]["value"] == ASK
    assert len(kept_exit) < len(kept_sync)
    assert kept_exit[0]["interrupts"][0]["value"] == ASK

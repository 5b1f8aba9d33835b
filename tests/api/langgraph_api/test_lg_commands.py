"""LangGraph's `Command` (update, goto, resume) and time travel (a run from an earlier
checkpoint, a state update there: a fork) through the real langgraph-sdk client, on the team's
expense graph (file_claim -> approve, which asks -> pay), with Pausepoint's guarantees kept: a
bad resume is a 422 that leaves the thread as it was, a resume is one decision by its caller,
and after a fork the thread, its pause index and the inbox follow the fork."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client

EXPENSE = {"employee": "ana", "amount": 120.5, "reason": "train tickets"}


async def _approved(client: Any) -> str:
    """A thread whose expense was filed, approved and paid."""
    thread = await client.threads.create()
    tid: str = thread["thread_id"]
    await client.runs.wait(tid, "expense", input=EXPENSE)
    await client.runs.wait(tid, "expense", command={"resume": {"approved": True}})
    return tid


async def _status(response: Any) -> int:
    try:
        await response
    except httpx.HTTPStatusError as exc:
        return exc.response.status_code
    return 200


async def test_command_update_and_goto_change_the_state_and_run_from_that_node(
    team_server: Any,
) -> None:
    async with get_client(url=team_server.url) as client:
        tid = await _approved(client)
        again = await client.runs.wait(
            tid,
            "expense",
            command={"update": {"amount": 40.0, "reason": "taxi"}, "goto": "file_claim"},
        )
        thread = await client.threads.get(tid)
        state = await client.threads.get_state(tid)
        async with httpx.AsyncClient(base_url=team_server.url) as http:
            view = (await http.get(f"/api/threads/{tid}")).json()
        paid = await client.runs.wait(tid, "expense", command={"resume": {"approved": True}})

    [interrupt] = again["__interrupt__"]
    assert interrupt["value"] == "Approve 40.00 EUR for taxi by ana?"
    assert again["claim"]["lines"] == [{"what": "taxi", "amount": 40.0}]
    assert thread["status"] == "interrupted"
    assert state["next"] == ["approve"] and state["interrupts"][0]["id"] == interrupt["id"]
    assert [p["interrupt_id"] for p in view["pauses"]] == [interrupt["id"]]
    assert paid["paid"] == 40.0


async def test_an_edit_of_an_interrupted_thread_asks_again_and_the_old_interrupt_is_gone(
    team_server: Any,
) -> None:
    async with get_client(url=team_server.url) as client:
        thread = await client.threads.create()
        tid = thread["thread_id"]
        paused = await client.runs.wait(tid, "expense", input=EXPENSE)
        edited = await client.runs.wait(
            tid,
            "expense",
            command={"update": {"amount": 12.0, "reason": "lunch"}, "goto": "file_claim"},
        )
        state = await client.threads.get_state(tid)
        async with httpx.AsyncClient(base_url=team_server.url) as http:
            inbox = (await http.get("/api/inbox")).json()["inbox"]
            stale = await http.post(
                f"/api/threads/{tid}/answers",
                json={
                    "interrupt_id": paused["__interrupt__"][0]["id"],
                    "answer": {"approved": True},
                },
            )
        done = await client.runs.wait(tid, "expense", command={"resume": {"approved": True}})

    [old], [new] = paused["__interrupt__"], state["interrupts"]
    assert edited["amount"] == 12.0
    # as LangGraph runs it: the goto's node and the paused one, asking again, in one step
    assert state["next"] == ["approve"] and new["id"] != old["id"]
    assert [i["interrupt_id"] for i in inbox if i["thread_id"] == tid] == [new["id"]]
    assert stale.status_code == 409, stale.text
    assert done["claim"]["lines"] == [{"what": "lunch", "amount": 12.0}] and done["paid"] == 12.0


async def test_an_update_given_as_key_value_pairs_is_applied(team_server: Any) -> None:
    async with get_client(url=team_server.url) as client:
        tid = await _approved(client)
        again = await client.runs.wait(
            tid, "expense", command={"update": [["amount", 7.0]], "goto": "file_claim"}
        )

    assert again["claim"]["lines"] == [{"what": "train tickets", "amount": 7.0}]


async def test_command_resume_with_update_applies_both_and_logs_one_decision_by_the_caller(
    team_server: Any,
) -> None:
    async with get_client(url=team_server.url) as client:
        thread = await client.threads.create()
        tid = thread["thread_id"]
        await client.runs.wait(tid, "expense", input=EXPENSE)
        done = await client.runs.wait(
            tid,
            "expense",
            command={"resume": {"approved": False, "note": "no"}, "update": {"reason": "bus"}},
        )
        async with httpx.AsyncClient(base_url=team_server.url) as http:
            decisions = (await http.get(f"/api/threads/{tid}/decisions")).json()["decisions"]

    assert done["reason"] == "bus"
    assert done["decision"] == {"approved": False, "note": "no"} and done["paid"] == 0.0
    [decision] = decisions
    assert decision["actor"] == "local"
    assert decision["answer"] == {"approved": False, "note": "no"}


async def test_of_two_commands_resuming_the_same_interrupt_at_once_one_gets_a_409(
    team_server: Any,
) -> None:
    async with get_client(url=team_server.url) as client:
        thread = await client.threads.create()
        tid = thread["thread_id"]
        await client.runs.wait(tid, "expense", input=EXPENSE)
        statuses = await asyncio.gather(
            *(
                _status(
                    client.runs.wait(
                        tid,
                        "expense",
                        command={"resume": {"approved": True}, "update": {"reason": reason}},
                    )
                )
                for reason in ("bus", "taxi")
            )
        )
        async with httpx.AsyncClient(base_url=team_server.url) as http:
            decisions = (await http.get(f"/api/threads/{tid}/decisions")).json()["decisions"]

    assert sorted(statuses) == [200, 409]
    assert len(decisions) == 1


async def test_a_bad_resume_inside_a_command_is_a_422_and_the_state_is_unchanged(
    team_server: Any,
) -> None:
    async with get_client(url=team_server.url) as client:
        thread = await client.threads.create()
        tid = thread["thread_id"]
        await client.runs.wait(tid, "expense", input=EXPENSE)
        before = await client.threads.get_state(tid)
        status = await _status(
            client.runs.wait(
                tid,
                "expense",
                command={"resume": {"approved": "maybe"}, "update": {"reason": "bus"}},
            )
        )
        after = await client.threads.get_state(tid)
        async with httpx.AsyncClient(base_url=team_server.url) as http:
            decisions = (await http.get(f"/api/threads/{tid}/decisions")).json()["decisions"]

    assert status == 422
    assert after == before
    assert decisions == []


@pytest.mark.parametrize(
    ("command", "named"),
    [
        ({"goto": "refund"}, "refund"),
        ({"goto": [{"node": "refund", "input": {}}]}, "refund"),
        ({"update": {"colour": "red"}, "goto": "pay"}, "colour"),
    ],
)
async def test_a_goto_to_a_node_or_an_update_of_a_key_the_graph_lacks_is_a_422_naming_it(
    team_server: Any, command: dict[str, Any], named: str
) -> None:
    async with get_client(url=team_server.url) as client:
        tid = await _approved(client)
        before = await client.threads.get_state(tid)
        async with httpx.AsyncClient(base_url=team_server.url) as http:
            refused = await http.post(
                f"/threads/{tid}/runs/wait",
                json={"assistant_id": "expense", "command": command},
            )
        after = await client.threads.get_state(tid)

    assert refused.status_code == 422, refused.text
    assert named in refused.text
    assert after == before


async def test_a_run_from_an_earlier_checkpoint_asks_again_and_the_answer_applies_once(
    team_server: Any,
) -> None:
    async with get_client(url=team_server.url) as client:
        tid = await _approved(client)
        history = await client.threads.get_history(tid, limit=20)
        [asked] = [h for h in history if h["next"] == ["approve"]]
        replayed = await client.runs.wait(
            tid, "expense", input=None, checkpoint_id=asked["checkpoint"]["checkpoint_id"]
        )
        async with httpx.AsyncClient(base_url=team_server.url) as http:
            view = (await http.get(f"/api/threads/{tid}")).json()
            inbox = (await http.get("/api/inbox")).json()["inbox"]
        done = await client.runs.wait(tid, "expense", command={"resume": {"approved": False}})
        second = await _status(
            client.runs.wait(tid, "expense", command={"resume": {"approved": True}})
        )
        async with httpx.AsyncClient(base_url=team_server.url) as http:
            decisions = (await http.get(f"/api/threads/{tid}/decisions")).json()["decisions"]

    [interrupt] = replayed["__interrupt__"]
    assert view["status"] == "waiting"
    [pause] = view["pauses"]
    assert pause["interrupt_id"] == interrupt["id"]
    assert [i["interrupt_id"] for i in inbox if i["thread_id"] == tid] == [interrupt["id"]]
    assert done["paid"] == 0.0
    assert second == 409
    assert [d["answer"]["approved"] for d in decisions] == [True, False]


async def test_update_state_at_an_earlier_checkpoint_forks_and_the_thread_follows_the_fork(
    team_server: Any,
) -> None:
    async with get_client(url=team_server.url) as client:
        tid = await _approved(client)
        history = await client.threads.get_history(tid, limit=20)
        [asked] = [h for h in history if h["next"] == ["approve"]]
        old = asked["interrupts"][0]["id"] if asked["interrupts"] else None
        forked = await client.threads.update_state(
            tid, {"amount": 99.0}, checkpoint_id=asked["checkpoint"]["checkpoint_id"]
        )
        async with asyncio.timeout(30):
            # the fork runs on to the approval again (polling: no API run to join)
            while (await client.threads.get(tid))["status"] != "interrupted":  # noqa: ASYNC110
                await asyncio.sleep(0.02)
        state = await client.threads.get_state(tid)
        thread = await client.threads.get(tid)
        async with httpx.AsyncClient(base_url=team_server.url) as http:
            inbox = (await http.get("/api/inbox")).json()["inbox"]
        done = await client.runs.wait(tid, "expense", command={"resume": {"approved": True}})

    assert forked["checkpoint"]["checkpoint_id"] != asked["checkpoint"]["checkpoint_id"]
    assert thread["status"] == "interrupted"
    [interrupt] = state["interrupts"]
    assert interrupt["id"] != old
    assert state["values"]["amount"] == 99.0
    assert [i["interrupt_id"] for i in inbox if i["thread_id"] == tid] == [interrupt["id"]]
    assert done["paid"] == 120.5  # the claim was filed before the fork's checkpoint


async def test_a_checkpoint_that_is_not_the_threads_is_a_404(team_server: Any) -> None:
    async with get_client(url=team_server.url) as client:
        tid = await _approved(client)
        other = await _approved(client)
        [theirs, *_] = await client.threads.get_history(other, limit=1)
        foreign = theirs["checkpoint"]["checkpoint_id"]
        run = await _status(client.runs.wait(tid, "expense", input=None, checkpoint_id=foreign))
        fork = await _status(client.threads.update_state(tid, {"amount": 1}, checkpoint_id=foreign))

    assert run == 404
    assert fork == 404


@pytest.mark.parametrize("field", ["goto", "checkpoint_id"])
async def test_only_the_owner_edits_with_a_command_or_runs_from_a_checkpoint(
    keyed_team_server: Any, field: str
) -> None:
    ann = get_client(url=keyed_team_server.url, api_key="pp_test_key_for_ann")
    bob = get_client(url=keyed_team_server.url, api_key="pp_test_key_for_bob")
    async with ann, bob:
        tid = await _approved(ann)
        [latest] = await ann.threads.get_history(tid, limit=1)
        body: dict[str, Any] = (
            {"command": {"goto": "pay"}}
            if field == "goto"
            else {"checkpoint_id": latest["checkpoint"]["checkpoint_id"]}
        )
        status = await _status(bob.runs.wait(tid, "expense", **body))

    assert status in (403, 404)


async def test_a_background_run_from_a_checkpoint_takes_the_old_pause_out_of_the_inbox_at_once(
    team_server: Any,
) -> None:
    async with get_client(url=team_server.url) as client:
        thread = await client.threads.create()
        tid = thread["thread_id"]
        paused = await client.runs.wait(tid, "expense", input=EXPENSE)
        history = await client.threads.get_history(tid, limit=20)
        [filed] = [h for h in history if h["next"] == ["file_claim"]]
        run = await client.runs.create(
            tid, "expense", input=None, checkpoint_id=filed["checkpoint"]["checkpoint_id"]
        )
        async with httpx.AsyncClient(base_url=team_server.url) as http:
            inbox = (await http.get("/api/inbox")).json()["inbox"]
        joined = await client.runs.join(tid, run["run_id"])

    old = paused["__interrupt__"][0]["id"]
    assert old not in [i["interrupt_id"] for i in inbox]
    [new] = joined["__interrupt__"]
    assert new["id"] != old and new["value"] == paused["__interrupt__"][0]["value"]

"""The LangGraph API's runs through the real langgraph-sdk client, on a team's own graphs
(tests/workflows/team_app): wait, stream, background runs, join, resume by value and by id,
and Pausepoint's guarantees through it (a bad answer is a 422 that leaves the thread as it was,
a second answer to the same interrupt a 409)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client, get_sync_client

EXPENSE = {"employee": "ana", "amount": 120.5, "reason": "train tickets"}
ASK = "Approve 120.50 EUR for train tickets by ana?"


async def test_wait_stops_at_the_typed_interrupt_and_a_resume_runs_to_the_end(
    team_server: Any,
) -> None:
    async with get_client(url=team_server.url) as client:
        thread = await client.threads.create()
        paused = await client.runs.wait(thread["thread_id"], "expense", input=EXPENSE)
        state = await client.threads.get_state(thread["thread_id"])
        done = await client.runs.wait(
            thread["thread_id"], "expense", command={"resume": {"approved": True}}
        )
        finished = await client.threads.get(thread["thread_id"])
        runs = await client.runs.list(thread["thread_id"])

    [interrupt] = paused["__interrupt__"]
    assert interrupt["value"] == ASK
    assert interrupt["response_schema"]["required"] == ["approved"]
    assert paused["claim"]["currency"] == "EUR"
    assert state["interrupts"][0]["id"] == interrupt["id"]
    assert done["paid"] == 120.5 and done["decision"] == {"approved": True, "note": ""}
    assert finished["status"] == "idle"
    assert [r["status"] for r in runs] == ["success", "success"]
    assert runs[0]["kwargs"]["command"] == {"resume": {"approved": True}}
    assert runs[1]["metadata"]["graph_id"] == "expense"


async def test_a_bad_resume_is_a_422_naming_the_field_and_the_thread_stays_interrupted(
    team_server: Any,
) -> None:
    async with get_client(url=team_server.url) as client:
        thread = await client.threads.create()
        await client.runs.wait(thread["thread_id"], "expense", input=EXPENSE)
        before = await client.threads.get_state(thread["thread_id"])
        async with httpx.AsyncClient(base_url=team_server.url) as http:
            refused = await http.post(
                f"/threads/{thread['thread_id']}/runs/wait",
                json={"assistant_id": "expense", "command": {"resume": {"approved": "maybe"}}},
            )
        after = await client.threads.get_state(thread["thread_id"])
        done = await client.runs.wait(
            thread["thread_id"], "expense", command={"resume": {"approved": False}}
        )

    assert refused.status_code == 422, refused.text
    assert "approved" in refused.text
    assert after == before
    assert done["paid"] == 0.0


async def test_a_second_resume_of_the_same_interrupt_is_a_409(team_server: Any) -> None:
    async with get_client(url=team_server.url) as client:
        thread = await client.threads.create()
        await client.runs.wait(thread["thread_id"], "expense", input=EXPENSE)
        await client.runs.wait(
            thread["thread_id"], "expense", command={"resume": {"approved": True}}
        )
        async with httpx.AsyncClient(base_url=team_server.url) as http:
            again = await http.post(
                f"/threads/{thread['thread_id']}/runs/wait",
                json={"assistant_id": "expense", "command": {"resume": {"approved": False}}},
            )
            decisions = await http.get(f"/api/threads/{thread['thread_id']}/decisions")

    assert again.status_code == 409, again.text
    [decision] = decisions.json()["decisions"]
    assert decision["answer"] == {"approved": True}
    assert decision["actor"] == "local"


async def test_stream_sends_metadata_first_then_each_mode_asked_for(team_server: Any) -> None:
    async with get_client(url=team_server.url) as client:
        thread = await client.threads.create()
        parts = [
            p
            async for p in client.runs.stream(
                thread["thread_id"],
                "expense",
                input=EXPENSE,
                stream_mode=["values", "updates", "tasks", "checkpoints", "debug", "custom"],
            )
        ]
        resumed = [
            p
            async for p in client.runs.stream(
                thread["thread_id"],
                "expense",
                command={"resume": {"approved": True}},
                stream_mode="updates",
            )
        ]

    events = [p.event for p in parts]
    assert events[0] == "metadata" and parts[0].data["run_id"]
    assert {"values", "updates", "tasks", "checkpoints", "debug"} <= set(events)
    last_values = [p.data for p in parts if p.event == "values"][-1]
    assert last_values["__interrupt__"][0]["value"] == ASK
    interrupting = [p.data for p in parts if p.event == "updates" and "__interrupt__" in p.data]
    assert interrupting and interrupting[0]["__interrupt__"][0]["value"] == ASK
    assert [p.event for p in resumed] == ["metadata", "updates", "updates"]
    assert resumed[-1].data == {"pay": {"paid": 120.5}}


async def test_a_background_run_is_joined_and_its_stream_replayed_after_last_event_id(
    team_server: Any,
) -> None:
    async with get_client(url=team_server.url) as client:
        thread = await client.threads.create()
        run = await client.runs.create(
            thread["thread_id"], "expense", input=EXPENSE, stream_mode=["values", "updates"]
        )
        joined = await client.runs.join(thread["thread_id"], run["run_id"])
        got = await client.runs.get(thread["thread_id"], run["run_id"])
        replay = [p async for p in client.runs.join_stream(thread["thread_id"], run["run_id"])]
        async with httpx.AsyncClient(base_url=team_server.url) as http:
            after = await http.get(
                f"/threads/{thread['thread_id']}/runs/{run['run_id']}/stream",
                headers={"Last-Event-ID": "2"},
            )

    assert run["status"] == "running" and run["thread_id"] == thread["thread_id"]
    assert joined["__interrupt__"][0]["value"] == ASK
    assert got["status"] == "success"
    assert replay[0].event == "metadata"
    ids = [line for line in after.text.splitlines() if line.startswith("id: ")]
    assert ids and ids[0] == "id: 3"
    assert len(ids) == len(replay) - 3


def test_the_sync_client_resumes_by_interrupt_id(team_server: Any) -> None:
    with get_sync_client(url=team_server.url) as client:
        thread = client.threads.create()
        paused = client.runs.wait(thread["thread_id"], "expense", input=EXPENSE)
        interrupt_id = paused["__interrupt__"][0]["id"]
        done = client.runs.wait(
            thread["thread_id"],
            "expense",
            command={"resume": {interrupt_id: {"approved": True, "note": "by id"}}},
        )
    assert done["decision"] == {"approved": True, "note": "by id"}


async def test_stateless_wait_runs_on_a_new_thread_every_door_sees(team_server: Any) -> None:
    async with get_client(url=team_server.url) as client:
        paused = await client.runs.wait(None, "expense", input=EXPENSE)
        streamed = [p async for p in client.runs.stream(None, "survey", input={"customer": "Jo"})]
        interrupted = await client.threads.search(status="interrupted")
    assert paused["__interrupt__"][0]["value"] == ASK
    assert streamed[0].event == "metadata"
    assert streamed[-1].data["__interrupt__"][0]["value"] == "How was your visit, Jo? (1-5)"
    assert len(interrupted) == 2
    [thread] = [t for t in interrupted if t["metadata"]["graph_id"] == "expense"]
    async with httpx.AsyncClient(base_url=team_server.url) as http:
        view = await http.get(f"/api/threads/{thread['thread_id']}")
    assert view.json()["status"] == "waiting"


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"command": {"resume": True}}, 409, "not interrupted"),
        ({"input": EXPENSE, "command": {"goto": "pay"}}, 409, "has not run yet"),
        ({"input": {"employee": "ana"}}, 422, "amount"),
    ],
)
async def test_a_run_refused_at_create_says_why_and_leaves_nothing(
    team_server: Any, body: dict[str, Any], status: int, says: str
) -> None:
    async with get_client(url=team_server.url) as client:
        thread = await client.threads.create()
        async with httpx.AsyncClient(base_url=team_server.url) as http:
            refused = await http.post(
                f"/threads/{thread['thread_id']}/runs/wait",
                json={"assistant_id": "expense", **body},
            )
        after = await client.threads.get(thread["thread_id"])
        runs = await client.runs.list(thread["thread_id"])
    assert refused.status_code == status, refused.text
    assert says in refused.text
    assert after["status"] == "idle" and runs == []


# exactly once, through the SDK


async def _double_resumes(first_url: str, second_url: str, threads: int) -> list[list[int]]:
    """`threads` threads paused at the approval; each resumed twice at once, once through
    each URL; the status codes of each pair."""

    async def resume(client: Any, thread_id: str, approved: bool) -> int:
        try:
            await client.runs.wait(thread_id, "expense", command={"resume": {"approved": approved}})
        except httpx.HTTPStatusError as exc:
            return exc.response.status_code
        return 200

    async with get_client(url=first_url) as one, get_client(url=second_url) as two:
        ids = [(await one.threads.create())["thread_id"] for _ in range(threads)]
        await asyncio.gather(*(one.runs.wait(t, "expense", input=EXPENSE) for t in ids))
        pairs = await asyncio.gather(
            *(asyncio.gather(resume(one, t, True), resume(two, t, False)) for t in ids)
        )
        async with httpx.AsyncClient(base_url=first_url) as http:
            for thread_id in ids:
                log = (await http.get(f"/api/threads/{thread_id}/decisions")).json()
                assert len(log["decisions"]) == 1, log
                state = await one.threads.get_state(thread_id)
                assert state["next"] == [] and state["values"]["paid"] in (0.0, 120.5)
    return [sorted(p) for p in pairs]


async def test_fifty_concurrent_double_resumes_each_apply_once(team_server: Any) -> None:
    pairs = await _double_resumes(team_server.url, team_server.url, 50)
    assert pairs == [[200, 409]] * 50


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_fifty_double_resumes_across_two_servers_on_postgres_each_apply_once(
    team_server: Any, second_team_server: Any
) -> None:
    pairs = await _double_resumes(team_server.url, second_team_server.url, 50)
    assert pairs == [[200, 409]] * 50


# state edits and cancels


async def test_update_state_asks_again_with_the_edit_or_as_the_paused_node_finishes_it(
    team_server: Any,
) -> None:
    async with get_client(url=team_server.url) as client:
        thread = await client.threads.create()
        tid = thread["thread_id"]
        await client.runs.wait(tid, "survey", input={"customer": "Ann"})
        kept = await client.threads.update_state(tid, {"customer": "Ann B."})
        async with asyncio.timeout(30):
            # the paused node runs again on the edited state (polling: no API run to join)
            while (await client.threads.get(tid))["status"] != "interrupted":  # noqa: ASYNC110
                await asyncio.sleep(0.02)
        still = await client.threads.get_state(tid)
        done = await client.threads.update_state(tid, {"rating": 3}, as_node="ask")
        final = await client.threads.get_state(tid)
        finished = await client.threads.get(tid)
        history = await client.threads.get_history(tid, limit=100)
        async with httpx.AsyncClient(base_url=team_server.url) as http:
            refused = await http.post(f"/threads/{tid}/state", json={"values": {"rating": 1}})

    assert kept["checkpoint"]["checkpoint_id"] and done["checkpoint"]["checkpoint_id"]
    assert still["values"]["customer"] == "Ann B."
    assert still["next"] == ["ask"]  # still waits, asking again with the edited state
    assert still["interrupts"][0]["value"] == "How was your visit, Ann B.? (1-5)"
    assert final["values"] == {"customer": "Ann B.", "rating": 3} and final["next"] == []
    assert finished["status"] == "idle"
    edits = [h for h in history if h["metadata"].get("updated_by")]
    assert [h["metadata"]["updated_by"] for h in edits] == ["local", "local"]
    assert refused.status_code == 409, refused.text  # finished: its end is its audit trail


async def test_a_bad_state_update_is_a_422_and_changes_nothing(team_server: Any) -> None:
    async with get_client(url=team_server.url) as client:
        thread = await client.threads.create()
        tid = thread["thread_id"]
        await client.runs.wait(tid, "expense", input=EXPENSE)
        before = await client.threads.get_state(tid)
        async with httpx.AsyncClient(base_url=team_server.url) as http:
            refused = await http.post(
                f"/threads/{tid}/state", json={"values": {"paid": 1.0}, "as_node": "nowhere"}
            )
        after = await client.threads.get_state(tid)
    assert refused.status_code == 422, refused.text
    assert "nowhere" in refused.text
    assert after == before


# who may run what


async def test_a_user_sees_and_resumes_only_their_threads_through_runs(
    keyed_team_server: Any,
) -> None:
    url = keyed_team_server.url
    async with (
        get_client(url=url, api_key="pp_test_key_for_ann") as ann,
        get_client(url=url, api_key="pp_test_key_for_bob") as bob,
    ):
        thread = await ann.threads.create()
        tid = thread["thread_id"]
        run = await ann.runs.create(tid, "expense", input=EXPENSE)
        await ann.runs.join(tid, run["run_id"])
        refused = []
        for attempt in (
            bob.runs.wait(tid, "expense", command={"resume": {"approved": False}}),
            bob.runs.list(tid),
            bob.runs.get(tid, run["run_id"]),
            bob.runs.join(tid, run["run_id"]),
        ):
            with pytest.raises(httpx.HTTPStatusError) as caught:
                await attempt
            refused.append(caught.value.response.status_code)
        async with httpx.AsyncClient(
            base_url=url, headers={"Authorization": "Bearer pp_test_key_for_ann"}
        ) as http:
            wrong_graph = await http.post(
                f"/threads/{tid}/runs/wait",
                json={"assistant_id": "survey", "command": {"resume": 3}},
            )
            done = await ann.runs.wait(tid, "expense", command={"resume": {"approved": True}})
            log = (await http.get(f"/api/threads/{tid}/decisions")).json()["decisions"]

    assert refused == [404, 404, 404, 404]
    assert done["paid"] == 120.5
    assert [d["actor"] for d in log] == ["ann"]
    assert wrong_graph.status_code == 422 and "runs graph 'expense'" in wrong_graph.text


# a conversation's next turn


def said(messages: list[dict[str, Any]]) -> list[str]:
    return [m["content"] for m in messages if m["type"] in ("human", "ai") and m["content"]]


async def test_new_input_on_a_completed_thread_is_its_next_turn(team_server: Any) -> None:
    turn = [
        {"messages": [{"role": "user", "content": "email bob about lunch"}]},
        {"messages": [{"role": "user", "content": "delete the draft Old plan"}]},
    ]
    approve = {"decisions": [{"type": "approve"}]}
    async with get_client(url=team_server.url) as client:
        thread = await client.threads.create()
        tid = thread["thread_id"]
        first = await client.runs.wait(tid, "mailer", input=turn[0])
        await client.runs.wait(tid, "mailer", command={"resume": approve})
        second = await client.runs.wait(tid, "mailer", input=turn[1])
        done = await client.runs.wait(tid, "mailer", command={"resume": approve})
        runs = await client.runs.list(tid)
    async with httpx.AsyncClient(base_url=team_server.url) as http:
        log = (await http.get(f"/api/threads/{tid}/decisions")).json()["decisions"]

    assert first["__interrupt__"][0]["value"]["action_requests"][0]["name"] == "send_email"
    assert second["__interrupt__"][0]["value"]["action_requests"][0]["name"] == "delete_draft"
    assert said(done["messages"]) == [
        "email bob about lunch",
        "Done. Sent 'lunch' to bob",
        "delete the draft Old plan",
        "Done. Sent 'lunch' to bob | Deleted the draft 'Old plan'",
    ]
    assert len(log) == 2 and len(runs) == 4

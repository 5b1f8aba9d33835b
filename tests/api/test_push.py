"""Push: WS /ws/chat and GET /api/events reach the thread's owner and assignee, no one else."""

from __future__ import annotations

import json
from typing import Any


def is_response(message: dict[str, Any]) -> bool:
    return message["type"] in ("response", "error")


async def test_ws_chat_pends_then_completes_and_pushes_waiting_for_human_input(
    open_ws: Any,
) -> None:
    async with open_ws("ann") as ws:
        await ws.send({"type": "start", "prompt": "help me analyse data"})
        seen = await ws.until(is_response)
        reply = seen[-1]
        assert reply["status"] == "pending_user_input"
        assert reply["question_for_user"] == "What kind of data is it?"
        thread_id = reply["thread_id"]
        waiting = [m for m in seen if m.get("status") == "WAITING_FOR_HUMAN_INPUT"]
        assert waiting[0]["thread_id"] == thread_id
        assert waiting[0]["prompt"] == "What kind of data is it?"

        await ws.send({"type": "continue", "thread_id": thread_id, "response": "logs"})
        later = await ws.until(is_response)

    assert later[-1]["status"] == "completed"
    assert later[-1]["final_response"] == "Analysed logs for: help me analyse data"
    assert any(m.get("status") == "COMPLETED" and m["thread_id"] == thread_id for m in ws.seen)


async def test_ws_second_client_of_the_same_user_hears_the_pause_and_another_user_hears_nothing(
    open_ws: Any,
) -> None:
    async with open_ws("ann") as first, open_ws("ann") as second, open_ws("bob") as bob:
        await first.send({"type": "start", "prompt": "q"})
        thread_id = (await first.until(is_response))[-1]["thread_id"]

        heard = await second.until(lambda m: m.get("status") == "WAITING_FOR_HUMAN_INPUT")
        assert heard[-1]["thread_id"] == thread_id
        assert heard[-1]["prompt"] == "What kind of data is it?"
        assert heard[-1]["pause"]["response_schema"]["required"] == ["text"]

        await first.send({"type": "continue", "thread_id": thread_id, "response": "csv"})
        await second.until(lambda m: m.get("event") == "completed")

        # bob's own thread: everything he hears until its reply is about his thread only
        await bob.send({"type": "start", "prompt": "bob's question"})
        bob_heard = await bob.until(is_response)

    bob_thread = bob_heard[-1]["thread_id"]
    assert {m["thread_id"] for m in bob_heard} == {bob_thread}


async def test_ws_errors_come_back_as_messages_and_the_socket_stays_usable(open_ws: Any) -> None:
    async with open_ws("ann") as ws:
        await ws.connection.send("{not json")
        not_json = (await ws.until(is_response))[-1]
        await ws.send({"type": "continue", "thread_id": "nope", "response": "x"})
        missing = (await ws.until(is_response))[-1]
        await ws.send({"type": "start", "prompt": "still here?"})
        works = (await ws.until(is_response))[-1]

    assert not_json["error"] == "invalid_request"
    assert missing["error"] == "thread_not_found"
    assert works["status"] == "pending_user_input"


async def test_sse_delivers_a_threads_events_to_its_owner_and_its_assignee_only(
    keyed_server: Any, open_sse: Any
) -> None:
    async with (
        open_sse("ann") as ann,
        open_sse("bob") as bob,
        keyed_server.client("ann") as client,
    ):
        own = await client.post(
            "/api/threads", json={"workflow": "story", "input": {"prompt": "a"}}
        )
        own_id = own.json()["thread_id"]
        assigned = await client.post(
            "/api/threads",
            json={"workflow": "story", "input": {"prompt": "b", "reviewer": "bob"}},
        )
        assigned_id = assigned.json()["thread_id"]

        ann_heard = await ann.until(
            lambda m: m.get("event") == "paused" and m["thread_id"] == assigned_id
        )
        bob_heard = await bob.until(lambda m: m.get("event") == "paused")

    paused_own = next(m for m in ann_heard if m["thread_id"] == own_id and m["event"] == "paused")
    assert paused_own["status"] == "WAITING_FOR_HUMAN_INPUT"
    assert paused_own["pause"]["title"] == "Review the draft"
    assert [(m["event"], m["thread_id"]) for m in bob_heard] == [("paused", assigned_id)]
    assert bob_heard[0]["pause"]["assignee"] == "bob"


async def test_sse_on_an_open_server_streams_to_the_local_user(server: Any, open_sse: Any) -> None:
    async with open_sse(None) as events, server.client() as client:
        await client.post("/api/chat", json={"prompt": "q"})
        heard = await events.until(lambda m: m.get("event") == "paused")

    assert heard[-1]["status"] == "WAITING_FOR_HUMAN_INPUT"
    assert heard[0]["event"] == "started"


async def test_ws_without_a_key_is_refused_when_keys_are_configured(keyed_server: Any) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidStatus

    try:
        async with connect(keyed_server.ws_url, proxy=None):
            refused = False
    except InvalidStatus as exc:
        refused = exc.response.status_code == 403

    assert refused


async def test_ws_takes_a_browsers_key_as_a_subprotocol_never_in_its_url(
    keyed_server: Any, api_keys: dict[str, str]
) -> None:
    from websockets.asyncio.client import connect
    from websockets.typing import Subprotocol

    offered = [Subprotocol("pausepoint"), Subprotocol("pausepoint.key." + api_keys["bob"])]
    async with connect(keyed_server.ws_url, subprotocols=offered, proxy=None) as conn:
        hello = json.loads(await conn.recv())
        chosen = conn.subprotocol

    assert hello == {"type": "connected", "user": "bob"}
    assert chosen == "pausepoint"

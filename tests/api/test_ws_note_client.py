"""The WebSocket client of design-notes/4, written as the note writes it: it sends `start`
with `thread_id: 'new-conversation'` and answers `continue` whenever a message has
`requires_user_input`. It must hold a whole conversation, and then another, with exactly one
answer per pause and no errors."""

from __future__ import annotations

from typing import Any


async def note_client(ws: Any, prompt: str, responses: list[str]) -> dict[str, Any]:
    """The note's `onmessage`: answer every message that requires input, until a response
    says the conversation is done; returns that response."""
    await ws.send({"type": "start", "prompt": prompt, "thread_id": "new-conversation"})
    answers = iter(responses)
    while True:
        data = (await ws.until(lambda m: True))[-1]
        assert data["type"] != "error", data
        if data.get("requires_user_input"):
            await ws.send(
                {"type": "continue", "response": next(answers), "thread_id": data["thread_id"]}
            )
        elif data["type"] == "response" and data["status"] == "completed":
            return data


async def test_the_notes_ws_client_holds_two_conversations_one_answer_per_pause(
    open_ws: Any,
) -> None:
    async with open_ws("ann") as ws:
        first = await note_client(ws, "Help me with data analysis", ["sales data"])
        second = await note_client(ws, "Help me with more analysis", ["web logs"])
        continues = [m for m in ws.seen if m.get("requires_user_input")]

    assert first["final_response"] == "Analysed sales data for: Help me with data analysis"
    assert second["final_response"] == "Analysed web logs for: Help me with more analysis"
    assert first["thread_id"] == "new-conversation"
    assert second["thread_id"] not in ("new-conversation", first["thread_id"])
    assert len(continues) == 2  # one per pause: the reply and the event do not both ask
    assert not [m for m in ws.seen if m["type"] == "error"]


async def test_a_ws_start_while_a_conversation_waits_starts_another(open_ws: Any) -> None:
    async with open_ws("ann") as ws:
        await ws.send({"type": "start", "prompt": "first", "thread_id": "mine"})
        waiting = (await ws.until(lambda m: m["type"] == "response"))[-1]
        await ws.send({"type": "start", "prompt": "second", "thread_id": "mine"})
        other = (await ws.until(lambda m: m["type"] == "response"))[-1]
        await ws.send({"type": "status", "thread_id": "mine"})
        still = (await ws.until(lambda m: m["type"] == "response"))[-1]

    assert waiting["thread_id"] == "mine" and waiting["status"] == "pending_user_input"
    assert other["thread_id"] != "mine" and other["status"] == "pending_user_input"
    assert still["status"] == "pending_user_input"  # the old pause was not answered by "second"


async def test_a_ws_continue_for_a_pause_answered_elsewhere_is_refused_saying_by_whom(
    open_ws: Any, keyed_server: Any
) -> None:
    async with open_ws("ann") as ws, keyed_server.client("ann") as http:
        await ws.send({"type": "start", "prompt": "q"})
        shown = (await ws.until(lambda m: m["type"] == "response"))[-1]
        tid = shown["thread_id"]
        done = await http.post(f"/api/threads/{tid}/answers", json={"answer": {"text": "csv"}})
        assert done.status_code == 200, done.text
        await ws.send({"type": "continue", "thread_id": tid, "response": "logs"})
        refused = (await ws.until(lambda m: m["type"] in ("response", "error")))[-1]

    assert refused["type"] == "error"
    assert refused["error"] == "already_answered"
    assert "answered by 'ann'" in refused["detail"]

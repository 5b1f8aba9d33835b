"""An answer that does not name its pause is bound to the pause pending when it arrives: two
answers sent at once to one pause give one 200 and one 409 saying who answered, never a second
decision applied to the next draft."""

from __future__ import annotations

import asyncio
from typing import Any

UPDATE = {"decision": "update", "comments": "shorter"}
STORY = {"workflow": "story", "input": {"prompt": "a fox"}}


async def test_two_unnamed_answers_at_once_one_applies_the_other_is_told_by_whom(
    server: Any,
) -> None:
    async with server.client() as client:
        for _ in range(50):
            tid = (await client.post("/api/threads", json=STORY)).json()["thread_id"]
            first, second = await asyncio.gather(
                client.post(f"/api/threads/{tid}/answers", json={"answer": UPDATE}),
                client.post(f"/api/threads/{tid}/answers", json={"answer": UPDATE}),
            )
            assert sorted([first.status_code, second.status_code]) == [200, 409]
            refused = first if first.status_code == 409 else second
            assert refused.json()["error"] == "already_answered"
            assert "answered by 'local' at" in refused.json()["detail"]
            decisions = (await client.get(f"/api/threads/{tid}/decisions")).json()["decisions"]
            assert len(decisions) == 1
            view = (await client.get(f"/api/threads/{tid}")).json()
            assert view["pauses"][0]["context"]["revision"] == 2


async def test_chat_replies_and_compat_answers_are_bound_too(server: Any) -> None:
    async with server.client() as client:
        for route, body in [
            ("/api/chat/continue", lambda tid: {"thread_id": tid, "response": "shorter please"}),
            ("/human_input", lambda tid: {"task_id": tid, "user_input": "shorter please"}),
        ]:
            tid = (await client.post("/api/threads", json=STORY)).json()["thread_id"]
            replies = await asyncio.gather(
                client.post(route, json=body(tid)), client.post(route, json=body(tid))
            )
            assert sorted(r.status_code for r in replies) == [200, 409], route
            decisions = (await client.get(f"/api/threads/{tid}/decisions")).json()["decisions"]
            assert len(decisions) == 1, route

"""A2A follow-ups are bound to the pause the task showed: answered meanwhile from another door
(here the HTTP API of the same server), the reply is refused saying by whom and when, and the
task stays input-required showing the pause pending now, in words and as data."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from a2a.types.a2a_pb2 import TaskState

from pausepoint.domain import ThreadStatus
from pausepoint.service.threads import ThreadService

INPUT_REQUIRED = TaskState.TASK_STATE_INPUT_REQUIRED
COMPLETED = TaskState.TASK_STATE_COMPLETED
UPDATE = {"decision": "update", "comments": "shorter"}


async def answer_over_http(url: str, thread_id: str, answer: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        return await http.post(f"/api/threads/{thread_id}/answers", json={"answer": answer})


@pytest.mark.parametrize(
    "reply",
    [{"text": "accept"}, {"data": {"answer": {"decision": "accept"}}}],
    ids=["text", "data-part"],
)
async def test_a_reply_to_a_pause_answered_over_http_is_refused_saying_by_whom_and_when(
    server: Any,
    connect: Any,
    story: dict[str, Any],
    server_service: ThreadService,
    reply: dict[str, Any],
) -> None:
    a2a = await connect(server.url)
    task = await a2a.send(data=story)
    (shown,) = a2a.pauses(task)
    thread_id = a2a.thread_id(task)
    assert (await answer_over_http(server.url, thread_id, UPDATE)).status_code == 200
    (decision,) = await server_service.decisions(thread_id)

    stale = await a2a.send(task=task, **reply)

    assert stale.status.state == INPUT_REQUIRED
    first, shown_now = a2a.text(stale).split("\n\n", 1)
    assert first.startswith(
        "Not accepted: the pause this task showed was answered from another door: "
        f"pause {shown['interrupt_id']!r} is not pending"
    )
    assert first.endswith(f"(answered by 'local' at {decision.decided_at.isoformat()})")
    (refusal,) = [d for d in a2a.data(stale) if "error" in d]
    assert refusal["error"] == "already_answered"
    view = await server_service.get(thread_id)
    (pending,) = view.pauses
    assert [p["interrupt_id"] for p in a2a.pauses(stale)] == [pending.interrupt_id]
    assert shown_now.startswith("Review the draft\nDraft 2:")
    assert pending.context["draft"] in shown_now
    assert await server_service.decisions(thread_id) == [decision]

    done = await a2a.send(text="accept", task=stale)
    assert done.status.state == COMPLETED
    assert [d.answer for d in await server_service.decisions(thread_id)] == [
        UPDATE,
        {"decision": "accept"},
    ]


async def test_a_reply_naming_an_answered_pause_is_refused_saying_by_whom(
    server: Any, connect: Any, story: dict[str, Any], server_service: ThreadService
) -> None:
    a2a = await connect(server.url)
    task = await a2a.send(data=story)
    (shown,) = a2a.pauses(task)
    thread_id = a2a.thread_id(task)
    await answer_over_http(server.url, thread_id, UPDATE)

    named = {"interrupt_id": shown["interrupt_id"], "answer": {"decision": "accept"}}
    stale = await a2a.send(data=named, task=task)

    assert stale.status.state == INPUT_REQUIRED
    assert "answered by 'local' at " in a2a.text(stale).split("\n\n")[0]
    assert a2a.pauses(stale)[0]["context"]["revision"] == 2
    assert len(await server_service.decisions(thread_id)) == 1


async def test_an_a2a_reply_and_an_http_answer_sent_at_once_are_applied_exactly_once(
    server: Any, connect: Any, story: dict[str, Any], server_service: ThreadService
) -> None:
    a2a = await connect(server.url)

    async def answer_later(delay: float, thread_id: str) -> httpx.Response:
        await asyncio.sleep(delay)  # a spread of delays lets either door arrive first
        return await answer_over_http(server.url, thread_id, UPDATE)

    for delay in (0.0, 0.02, 0.05, 0.1, 0.2, 0.4):
        task = await a2a.send(data=story)
        thread_id = a2a.thread_id(task)

        over_a2a, over_http = await asyncio.gather(
            a2a.send(text="accept", task=task), answer_later(delay, thread_id)
        )

        (decision,) = await server_service.decisions(thread_id)
        view = await server_service.get(thread_id)
        if decision.answer == UPDATE:  # HTTP won: the A2A reply was refused, not applied
            assert over_http.status_code == 200
            assert over_a2a.status.state == INPUT_REQUIRED
            assert "answered by 'local'" in a2a.text(over_a2a)
            assert view.pauses[0].context["revision"] == 2
        else:  # A2A won: the HTTP answer was refused (409), the story is done
            assert decision.answer == {"decision": "accept"}
            assert over_a2a.status.state == COMPLETED
            assert over_http.status_code == 409, over_http.text
            assert view.status is ThreadStatus.COMPLETED
            assert view.result["revisions"] == 1

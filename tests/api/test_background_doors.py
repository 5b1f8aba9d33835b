"""The chat API (design-notes/4) and the compatibility routes (design-notes/1 and /3) take
`?wait=` like /api/threads: a start or an answer whose run goes on past it is 202 with the
conversation running, and the status routes say what the run last reported ("checking the
bank"), then what waits, then the end."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from pausepoint.settings import Settings
from pausepoint.workflows.registry import WorkflowRegistry

CHECK_SECONDS = 1.0
PROGRESS = {"Running check…", "checking receipts", "checking the bank"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The chat API's conversations are the background app's `claim`."""
    return settings.model_copy(update={"chat_workflow": "claim"})


@pytest.fixture
def registry(with_claims: Callable[[float], WorkflowRegistry]) -> WorkflowRegistry:
    """The bundled workflows and the background app's `claim` (its `check` takes 1 s)."""
    return with_claims(CHECK_SECONDS)


async def follow(
    client: httpx.AsyncClient, url: str, said: Callable[[dict[str, Any]], str | None]
) -> list[str]:
    """Poll `url` until `said` of it is None (it stopped running); what it said meanwhile."""
    seen: list[str] = []
    async with asyncio.timeout(30):
        while True:
            reply = await client.get(url)
            assert reply.status_code == 200, reply.text
            text = said(reply.json())
            if text is None:
                return seen
            if not seen or seen[-1] != text:
                seen.append(text)
            await asyncio.sleep(0.05)


def orchestrator_text(body: dict[str, Any]) -> str | None:
    return body["message"] if body["status"] == "RUNNING" else None


async def test_a_task_started_with_wait_zero_tells_its_progress_on_the_status_route(
    server: Any,
) -> None:
    async with server.client() as client:
        t0 = time.perf_counter()
        started = await client.post(
            "/process?wait=0", json={"workflow": "claim", "input": {"customer": "Ann"}}
        )
        acknowledged_in = time.perf_counter() - t0
        assert started.status_code == 202, started.text
        task_id = started.json()["execution_id"]
        said = await follow(client, f"/orchestrator/status/{task_id}", orchestrator_text)
        waiting = (await client.get(f"/orchestrator/status/{task_id}")).json()
        answered = await client.post(
            "/human_input?wait=0", json={"task_id": task_id, "user_input": "yes, send it"}
        )
        sending = await follow(client, f"/orchestrator/status/{task_id}", orchestrator_text)
        done = (await client.get(f"/orchestrator/status/{task_id}")).json()

    assert acknowledged_in < CHECK_SECONDS / 2
    assert started.json()["paused"] is False
    # a poll may land on any node running (`ask` too, in the moment before it pauses)
    running = {"Running…", "Running draft…", "Running ask…"}
    assert "checking the bank" in said and set(said) <= PROGRESS | running
    assert (waiting["status"], waiting["message"]) == (
        "WAITING_FOR_HUMAN_INPUT",
        "Waiting for your review: Send this letter?",
    )
    assert answered.status_code == 202, answered.text
    assert answered.json()["status"] == "RUNNING"
    assert "sending the letter" in sending
    assert (done["status"], done["result"]["approved"]) == ("COMPLETED", "yes, send it")


async def test_a_chat_with_wait_zero_is_202_running_and_its_status_shows_the_progress(
    server: Any,
) -> None:
    def chat_text(body: dict[str, Any]) -> str | None:
        if body["status"] != "running":
            return None
        return (body["progress"] or {}).get("text") or "…"

    async with server.client() as client:
        started = await client.post("/api/chat?wait=0", json={"prompt": "a refund for Ann"})
        assert started.status_code == 202, started.text
        thread_id = started.json()["thread_id"]
        said = await follow(client, f"/api/chat/status/{thread_id}", chat_text)
        waiting = (await client.get(f"/api/chat/status/{thread_id}")).json()
        answered = await client.post(
            "/api/chat/continue?wait=0", json={"thread_id": thread_id, "response": "send it"}
        )
        await follow(client, f"/api/chat/status/{thread_id}", chat_text)
        done = (await client.get(f"/api/chat/status/{thread_id}")).json()

    assert started.json()["status"] == "running"
    assert started.json()["requires_user_input"] is False
    assert "checking the bank" in said
    assert waiting["requires_user_input"] is True
    assert waiting["question_for_user"].startswith("Send this letter?")
    assert answered.status_code == 202, answered.text
    assert done["status"] == "completed"


async def test_a_wait_long_enough_is_the_usual_200_with_the_pause(server: Any) -> None:
    async with server.client() as client:
        started = await client.post(
            "/process?wait=30", json={"workflow": "claim", "input": {"customer": "Ann"}}
        )
        chat = await client.post("/api/chat", json={"prompt": "a refund for Bo"})

    assert started.status_code == 200, started.text
    assert started.json()["paused"] is True
    assert chat.status_code == 200, chat.text
    assert chat.json()["requires_user_input"] is True


async def test_a_bad_wait_is_a_422_naming_it(server: Any) -> None:
    async with server.client() as client:
        refused = await client.post("/api/chat?wait=-1", json={"prompt": "a refund"})
        threads = (await client.get("/api/threads")).json()["threads"]

    assert refused.status_code == 422
    assert "wait" in refused.text
    assert threads == []

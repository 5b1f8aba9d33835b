"""Runs that take a while, through the A2A door (`pausepoint serve` on the background app's slow
`claim` graph, the real a2a-sdk client): a streaming client sees each step and the graph's own
progress as `working` updates, live, before the task asks for input; a non-blocking send
(`return_immediately`, and an A2A 0.3 client's `blocking: false`) returns at once with the task
still working and the task reaches input-required by itself; a
streamed answer shows the letter being sent, then the task completes with the result; a task
cancelled while its thread runs stays cancelled, its run stopped."""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from a2a.helpers import new_data_part
from a2a.types.a2a_pb2 import (
    CancelTaskRequest,
    GetTaskRequest,
    Message,
    Role,
    SendMessageConfiguration,
    SendMessageRequest,
    Task,
    TaskState,
)

from pausepoint.agents.a2a_parts import data_of, text_of

APP = Path(__file__).resolve().parents[1] / "service" / "background_app.py"
LETTER = "Dear Ann, your refund of 30 EUR is on its way."
CLAIM = {"workflow": "claim", "input": {"customer": "Ann"}}
#: How long the claim's `check` (and its `send`) take here.
CHECK_SECONDS = 2.0
WORKING = TaskState.TASK_STATE_WORKING
INPUT_REQUIRED = TaskState.TASK_STATE_INPUT_REQUIRED
COMPLETED = TaskState.TASK_STATE_COMPLETED
CANCELED = TaskState.TASK_STATE_CANCELED

#: What a streaming client is told while the claim runs to its question, in order.
TO_THE_QUESTION = [
    "Running check…",
    "checking receipts",
    "checking the bank",
    "Running draft…",
    "Running ask…",
]


@pytest.fixture
async def claims_server(
    background: Any, cli_env: dict[str, str], tmp_path: Path
) -> AsyncIterator[str]:
    """`pausepoint serve --config` on a folder whose langgraph.json serves the background
    app's `claim` (its `check` takes CHECK_SECONDS): its URL."""
    folder = tmp_path / "claims"
    folder.mkdir()
    shutil.copy(APP, folder / "claims.py")
    (folder / "langgraph.json").write_text(json.dumps({"graphs": {"claim": "./claims.py:graph"}}))
    env = {**cli_env, "BACKGROUND_APP_CHECK_SECONDS": str(CHECK_SECONDS)}

    def command(port: int) -> list[str]:
        return [
            *(sys.executable, "-m", "pausepoint", "serve", "--host", "127.0.0.1"),
            *("--port", str(port), "--config", str(folder / "langgraph.json")),
        ]

    async def card(client: httpx.AsyncClient) -> bool | None:
        return True if (await client.get("/.well-known/agent-card.json")).is_success else None

    async with background("claims-serve", command, cwd=tmp_path, env=env, ready=card) as (url, _):
        yield url


def request(data: Any, task: Task | None = None, *, now: bool = False) -> SendMessageRequest:
    """A message with one data part (a follow-up on `task`, when given); `now`: non-blocking."""
    message = Message(
        role=Role.ROLE_USER,
        message_id=f"m-{time.monotonic_ns()}",
        parts=[new_data_part(data)],
        task_id=task.id if task else "",
        context_id=task.context_id if task else "",
    )
    return SendMessageRequest(
        message=message, configuration=SendMessageConfiguration(return_immediately=now)
    )


Told = tuple[float, TaskState.ValueType, str, list[Any], dict[str, Any]]


async def stream(a2a: Any, req: SendMessageRequest) -> tuple[list[Told], Task | None]:
    """Each status update as it arrived (seconds since the send, state, text, data parts,
    metadata), and the task the stream began with."""
    t0 = time.perf_counter()
    told: list[Told] = []
    first: Task | None = None
    async with asyncio.timeout(60):
        async for response in a2a.client.send_message(req):
            if response.HasField("task"):
                first = response.task
            elif response.HasField("status_update"):
                status = response.status_update.status
                parts, meta = status.message.parts, dict(status.message.metadata)
                told.append(
                    (time.perf_counter() - t0, status.state, text_of(parts), data_of(parts), meta)
                )
    return told, first


def working_texts(told: list[Told]) -> list[str]:
    return [text for _, state, text, _, _ in told if state == WORKING and text]


async def until(a2a: Any, task_id: str, done: Callable[[Task], bool]) -> list[Task]:
    """tasks/get every 0.1 s until `done(task)`: every task seen, that one last."""
    seen: list[Task] = []
    async with asyncio.timeout(30):
        while not seen or not done(seen[-1]):
            if seen:
                await asyncio.sleep(0.1)
            seen.append(await a2a.client.get_task(GetTaskRequest(id=task_id)))
    return seen


def asks(task: Task) -> bool:
    return task.status.state == INPUT_REQUIRED


def checks(task: Task) -> bool:
    return task.status.state == WORKING and text_of(task.status.message.parts).startswith(
        "checking"
    )


async def thread_status(url: str, thread_id: str) -> str:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        return str((await http.get(f"/api/threads/{thread_id}")).json()["status"])


async def test_a_streaming_client_sees_the_claims_progress_as_working_updates_before_its_question(
    claims_server: str, connect: Callable[..., Any]
) -> None:
    a2a = await connect(claims_server, streaming=True)

    told, first = await stream(a2a, request(CLAIM))

    assert first is not None and first.status.state == TaskState.TASK_STATE_SUBMITTED
    assert working_texts(told) == TO_THE_QUESTION
    *running, (asked_at, state, text, pauses, _) = told
    assert state == INPUT_REQUIRED
    assert "Send this letter?" in text and pauses[0]["context"]["letter"] == LETTER
    at = {text: (when, data, meta) for when, _, text, data, meta in running if text}
    receipts_at, [receipts], meta = at["checking receipts"]
    assert receipts == {
        "event": "progress",
        "node": "check",
        "text": "checking receipts",
        "value": {"progress": "checking receipts", "done": 0},
    }
    assert meta["thread_id"]
    # told as it happened, not all at the end: half a check apart, a check before the question
    assert at["checking the bank"][0] - receipts_at > CHECK_SECONDS / 2 - 0.3
    assert asked_at - receipts_at > CHECK_SECONDS - 0.3


async def test_a_non_blocking_send_returns_while_the_claim_runs_and_the_task_asks_by_itself(
    claims_server: str, connect: Callable[..., Any]
) -> None:
    a2a = await connect(claims_server)

    t0 = time.perf_counter()
    [response] = [r async for r in a2a.client.send_message(request(CLAIM, now=True))]
    returned_in = time.perf_counter() - t0
    seen = await until(a2a, response.task.id, asks)

    assert response.task.status.state in (TaskState.TASK_STATE_SUBMITTED, WORKING)
    assert returned_in < CHECK_SECONDS / 4, f"non-blocking send took {returned_in:.3f} s"
    during = [t.status.message for t in seen[:-1] if t.status.state == WORKING]
    assert "checking receipts" in [text_of(m.parts) for m in during]
    asked = seen[-1]
    assert "Send this letter?" in text_of(asked.status.message.parts)
    assert await thread_status(claims_server, asked.status.message.metadata["thread_id"]) == (
        "waiting"
    )


async def test_a_streamed_answer_shows_the_letter_being_sent_then_completes_with_the_result(
    claims_server: str, connect: Callable[..., Any]
) -> None:
    a2a = await connect(claims_server, streaming=True)
    told, task = await stream(a2a, request(CLAIM))
    assert task is not None and told[-1][1] == INPUT_REQUIRED

    answered, _ = await stream(a2a, request({"answer": True}, task))

    # `ask` runs again to take the answer (a node resumes from its first line), then `send`
    assert working_texts(answered) == ["Running ask…", "Running send…", "sending the letter"]
    assert answered[-1][1] == COMPLETED
    sending_at = next(when for when, _, text, _, _ in answered if text == "sending the letter")
    assert answered[-1][0] - sending_at > CHECK_SECONDS - 0.3  # told before the send finished
    done = await a2a.client.get_task(GetTaskRequest(id=task.id))
    assert done.status.state == COMPLETED
    [result] = data_of(done.artifacts[0].parts)
    assert result == {
        "customer": "Ann",
        "checked": True,
        "letter": LETTER,
        "approved": True,
        "sent": True,
    }


async def test_a_task_cancelled_while_its_claim_runs_stays_cancelled_and_its_run_stops(
    claims_server: str, connect: Callable[..., Any]
) -> None:
    a2a = await connect(claims_server)
    [response] = [r async for r in a2a.client.send_message(request(CLAIM, now=True))]
    seen = await until(a2a, response.task.id, checks)  # in the middle of `check`
    thread_id = seen[-1].status.message.metadata["thread_id"]

    t0 = time.perf_counter()
    cancelled = await a2a.client.cancel_task(CancelTaskRequest(id=response.task.id))
    cancelled_in = time.perf_counter() - t0
    await asyncio.sleep(CHECK_SECONDS + 0.5)  # past when the claim would have asked
    later = await a2a.client.get_task(GetTaskRequest(id=response.task.id))

    assert cancelled.status.state == CANCELED
    assert cancelled_in < CHECK_SECONDS / 2, f"cancel took {cancelled_in:.3f} s"
    assert later.status.state == CANCELED
    assert await thread_status(claims_server, thread_id) == "cancelled"


async def rpc_0_3(http: httpx.AsyncClient, method: str, params: dict[str, Any]) -> Any:
    """An A2A 0.3 JSON-RPC call (what clients of the older protocol send): its result."""
    body = {"jsonrpc": "2.0", "id": time.monotonic_ns(), "method": method, "params": params}
    reply = (await http.post("/a2a", json=body)).json()
    assert "result" in reply, reply
    return reply["result"]


async def test_an_a2a_0_3_send_with_blocking_false_returns_while_the_claim_runs(
    claims_server: str,
) -> None:
    message = {
        "kind": "message",
        "role": "user",
        "messageId": f"m-{time.monotonic_ns()}",
        "parts": [{"kind": "data", "data": CLAIM}],
    }
    async with httpx.AsyncClient(base_url=claims_server, timeout=60) as http:
        t0 = time.perf_counter()
        task = await rpc_0_3(
            http, "message/send", {"message": message, "configuration": {"blocking": False}}
        )
        returned_in = time.perf_counter() - t0
        states = [task["status"]["state"]]
        async with asyncio.timeout(30):
            while states[-1] != "input-required":
                await asyncio.sleep(0.1)
                states.append(
                    (await rpc_0_3(http, "tasks/get", {"id": task["id"]}))["status"]["state"]
                )

    assert returned_in < CHECK_SECONDS / 4, f"non-blocking send took {returned_in:.3f} s"
    assert states[0] in ("submitted", "working") and "working" in states

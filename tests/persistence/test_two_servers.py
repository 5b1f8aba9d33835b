"""Two `pausepoint serve` processes on one PostgreSQL database act as one service."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from websockets.asyncio.client import connect

TIMEOUT = 120.0
STORY = {"workflow": "story", "input": {"prompt": "a fox"}}


async def test_a_pause_on_server_a_reaches_a_websocket_on_b_and_an_answer_on_b_completes_it(
    postgres_url: str, start_server: Callable[..., Awaitable[Any]]
) -> None:
    a, b = await start_server(postgres_url), await start_server(postgres_url)
    async with connect(b.ws_url, proxy=None) as ws, a.client() as on_a, b.client() as on_b:
        connected = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        assert connected["type"] == "connected"

        started = await on_a.post("/api/threads", json=STORY)
        assert started.status_code == 201, started.text
        thread_id = started.json()["thread_id"]
        async with asyncio.timeout(TIMEOUT):
            while True:
                message = json.loads(await ws.recv())
                if message.get("status") == "WAITING_FOR_HUMAN_INPUT":
                    break
        assert message["thread_id"] == thread_id
        assert message["pause"]["title"] == "Review the draft"

        answered = await on_b.post(
            f"/api/threads/{thread_id}/answers", json={"answer": {"decision": "accept"}}
        )
        assert answered.status_code == 200, answered.text
        assert answered.json()["status"] == "completed"
        seen_on_a = (await on_a.get(f"/api/threads/{thread_id}")).json()
    assert seen_on_a["status"] == "completed"
    assert seen_on_a["result"]["story"] == started.json()["pauses"][0]["context"]["draft"]


async def test_fifty_answers_spread_over_two_servers_one_200_the_rest_409_one_new_draft(
    postgres_url: str, start_server: Callable[..., Awaitable[Any]]
) -> None:
    servers = [await start_server(postgres_url), await start_server(postgres_url)]
    async with servers[0].client() as first, servers[1].client() as second:
        view = (await first.post("/api/threads", json=STORY)).json()
        pause = view["pauses"][0]["interrupt_id"]

        async def answer(client: httpx.AsyncClient, i: int) -> httpx.Response:
            body = {"interrupt_id": pause, "answer": {"decision": "update", "comments": f"c{i}"}}
            return await client.post(f"/api/threads/{view['thread_id']}/answers", json=body)

        replies = await asyncio.gather(*(answer((first, second)[i % 2], i) for i in range(50)))
        codes = sorted(r.status_code for r in replies)
        after = (await second.get(f"/api/threads/{view['thread_id']}")).json()
        log = (await first.get(f"/api/threads/{view['thread_id']}/decisions")).json()

    assert codes == [200] + [409] * 49, [r.text for r in replies if r.status_code not in (200, 409)]
    [winner] = [r.json() for r in replies if r.status_code == 200]
    draft = after["pauses"][0]["context"]
    assert draft["revision"] == 2 and draft["draft"].count("Revised as asked") == 1
    assert winner["pauses"][0]["context"] == draft
    assert len(log["decisions"] if isinstance(log, dict) else log) == 1


async def test_server_killed_mid_resume_its_recorded_answer_is_applied_once_by_the_other(
    postgres_url: str, start_server: Callable[..., Awaitable[Any]]
) -> None:
    doomed = await start_server(postgres_url, PAUSEPOINT_FAILPOINT="after_decision")
    survivor = await start_server(postgres_url)
    update = {"decision": "update", "comments": "the fox learns to sail"}
    async with doomed.client() as on_a, survivor.client() as on_b:
        view = (await on_b.post("/api/threads", json=STORY)).json()
        thread = f"/api/threads/{view['thread_id']}"
        try:
            await on_a.post(f"{thread}/answers", json={"answer": update})
            raise AssertionError("server A answered instead of dying at the failpoint")
        except httpx.TransportError:
            pass  # A was SIGKILLed after recording the decision, before applying it
        assert await asyncio.wait_for(doomed.proc.wait(), TIMEOUT) == -9

        async with asyncio.timeout(TIMEOUT):  # B's periodic recovery applies it
            while True:
                after = (await on_b.get(thread)).json()
                if after["pauses"] and after["pauses"][0]["context"]["revision"] == 2:
                    break
                await asyncio.sleep(0.2)  # polling for the other server's recovery
        log = (await on_b.get(f"{thread}/decisions")).json()

    draft = after["pauses"][0]["context"]["draft"]
    assert draft.count("Revised as asked") == 1 and "the fox learns to sail" in draft
    decisions = log["decisions"] if isinstance(log, dict) else log
    assert [d["answer"] for d in decisions] == [update]
    assert decisions[0]["applied_at"] is not None


UPDATE = {"decision": "update", "comments": "shorter"}


async def _race(on_a: httpx.AsyncClient, on_b: httpx.AsyncClient, *, named: bool) -> None:
    """Start a story on A; send the same pause two answers at once, one to each server."""
    started = (await on_a.post("/api/threads", json=STORY)).json()
    tid, pause = started["thread_id"], started["pauses"][0]["interrupt_id"]
    body: dict[str, Any] = {"answer": UPDATE, **({"interrupt_id": pause} if named else {})}
    first, second = await asyncio.gather(
        on_a.post(f"/api/threads/{tid}/answers", json=body),
        on_b.post(f"/api/threads/{tid}/answers", json=body),
    )
    codes = sorted([first.status_code, second.status_code])
    assert codes == [200, 409], (first.text, second.text)
    refused = first if first.status_code == 409 else second
    assert refused.json()["error"] == "already_answered", refused.text
    assert "answered by 'local' at" in refused.json()["detail"]
    decisions = (await on_a.get(f"/api/threads/{tid}/decisions")).json()["decisions"]
    assert [d["interrupt_id"] for d in decisions] == [pause]
    now = (await on_b.get(f"/api/threads/{tid}")).json()
    assert now["pauses"][0]["context"]["revision"] == 2  # one revision, not two


async def test_two_answers_to_one_pause_on_two_servers_apply_once_named_or_not(
    postgres_url: str, start_server: Callable[..., Awaitable[Any]]
) -> None:
    a, b = await start_server(postgres_url), await start_server(postgres_url)
    async with a.client() as on_a, b.client() as on_b:
        for _ in range(50):
            await _race(on_a, on_b, named=False)
        for _ in range(50):
            await _race(on_a, on_b, named=True)

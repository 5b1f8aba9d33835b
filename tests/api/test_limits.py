"""Huge request bodies are refused with 413 before anything reads them; nothing changes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

STORY = {"workflow": "story", "input": {"prompt": "a fox"}}
HUGE = "x" * 2_000_000  # over the default 1 MiB limit


async def test_a_huge_answer_gets_413_and_the_thread_still_waits(server: Any) -> None:
    async with server.client() as client:
        view = (await client.post("/api/threads", json=STORY)).json()
        thread = f"/api/threads/{view['thread_id']}"
        answer = {"answer": {"decision": "update", "comments": HUGE}}

        response = await client.post(f"{thread}/answers", json=answer)

        assert response.status_code == 413
        assert response.json()["error"] == "payload_too_large"
        after = (await client.get(thread)).json()
        assert after["pauses"] == view["pauses"]
        assert (await client.get(f"{thread}/decisions")).json()["decisions"] == []


async def test_a_huge_body_streamed_without_a_length_gets_413(server: Any) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        body = json.dumps({"workflow": "story", "input": {"prompt": HUGE}}).encode()
        for i in range(0, len(body), 65_536):
            yield body[i : i + 65_536]

    async with server.client() as client:
        response = await client.post(
            "/api/threads", content=chunks(), headers={"content-type": "application/json"}
        )
        assert response.status_code == 413
        assert (await client.get("/api/threads")).json()["threads"] == []

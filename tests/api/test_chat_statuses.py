"""The chat API says `error` whenever the request was not carried out: a task of the real
orchestrator that failed is an error with the reason, not a `completed` with the failure
buried in the final response (design-notes/4's statuses)."""

from __future__ import annotations

from typing import Any

import pytest

from pausepoint.service.catalog import bundled
from pausepoint.workflows import WorkflowRegistry


@pytest.fixture
def registry() -> WorkflowRegistry:
    """The bundled workflows (for the `server` fixture): the chat workflow is the real
    orchestrator, on its offline planner."""
    return bundled()


async def test_a_failed_task_is_an_error_with_its_reason(server: Any) -> None:
    async with server.client() as client:
        chat = await client.post("/api/chat", json={"prompt": "convert 5 parsecs to bananas"})
        assert chat.status_code == 200, chat.text
        body = chat.json()
        status = await client.get(f"/api/chat/status/{body['thread_id']}")
        task = await client.get(f"/orchestrator/status/{body['thread_id']}")

    assert body["status"] == "error"
    assert "unknown unit 'parsecs'" in body["error_message"]
    assert body["requires_user_input"] is False
    assert status.json()["status"] == "error"
    assert task.json()["status"] == "FAILED"
    assert "parsecs" in task.json()["error"]


async def test_a_request_carried_out_stays_completed(server: Any) -> None:
    async with server.client() as client:
        chat = await client.post("/api/chat", json={"prompt": "convert 5 km to miles"})

    assert chat.json()["status"] == "completed", chat.text
    assert chat.json()["error_message"] is None

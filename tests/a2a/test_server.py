"""The A2A door with the real a2a-sdk client against a real Pausepoint server."""

from __future__ import annotations

from typing import Any

from a2a.types.a2a_pb2 import TaskState

from pausepoint.a2a.parts import data_of
from pausepoint.domain import ThreadStatus
from pausepoint.service.threads import ThreadService

INPUT_REQUIRED = TaskState.TASK_STATE_INPUT_REQUIRED
COMPLETED = TaskState.TASK_STATE_COMPLETED


async def test_story_over_a2a_pauses_takes_a_comment_then_completes_on_accept(
    server: Any, connect: Any, story: dict[str, Any]
) -> None:
    a2a = await connect(server.url)
    task = await a2a.send(data=story)
    assert task.status.state == INPUT_REQUIRED
    (pause,) = a2a.pauses(task)
    assert pause["title"] == "Review the draft"
    assert a2a.text(task) == pause["message"]
    assert pause["response_schema"]["discriminator"]["propertyName"] == "decision"
    assert [a["label"] for a in pause["actions"]] == ["Accept", "Update with comments"]

    task = await a2a.send(text="update: make it funnier", task=task)
    assert task.status.state == INPUT_REQUIRED
    (revised,) = a2a.pauses(task)
    assert revised["context"]["revision"] == 2
    assert revised["interrupt_id"] != pause["interrupt_id"]

    task = await a2a.send(text="accept", task=task)
    assert task.status.state == COMPLETED
    (artifact,) = task.artifacts
    assert data_of(artifact.parts) == [{"story": revised["context"]["draft"], "revisions": 2}]

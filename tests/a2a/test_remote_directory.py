"""A remote agent in the directory is just a URL: our orchestrator plans with it, and its
question becomes our thread's pause."""

from __future__ import annotations

from typing import Any

from pausepoint.domain import ThreadStatus
from pausepoint.orchestrator.workflow import orchestrator_workflow
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings
from pausepoint.workflows.registry import WorkflowRegistry
from pausepoint.workflows.remote import remote_agent_workflows


async def test_our_orchestrator_calls_a_remote_story_agent_and_the_user_answers_its_review(
    settings: Settings, server: Any
) -> None:
    registry = WorkflowRegistry({w.name: w for w in remote_agent_workflows([server.url])})
    [remote] = list(registry)
    assert server.url in remote.description and "story" in remote.tags
    registry.register(orchestrator_workflow(registry))

    async with ThreadService.open(settings, workflows=registry, chat_model=None) as service:
        view = await service.start(
            "orchestrator", {"prompt": "write a short story about a fox"}, "ann"
        )
        # the remote agent's own questions become this thread's pauses, one after another
        assert view.status is ThreadStatus.WAITING, view
        [question] = view.pauses
        assert question.title == "Pausepoint: Which agent should do this?"
        view = await service.answer(view.thread_id, {"agent": "story"}, "ann")
        [pause] = view.pauses
        assert pause.title == "Pausepoint: Review the draft"
        assert "fox" in pause.context["draft"]

        done = await service.answer(view.thread_id, {"decision": "accept"}, "ann")

    assert done.status is ThreadStatus.COMPLETED, done
    assert pause.context["draft"] in str(done.result)
    assert [d.actor for d in await _decisions(settings, view.thread_id)] == ["ann", "ann"]


def test_an_unreachable_remote_agent_is_left_out_of_the_directory() -> None:
    assert remote_agent_workflows(["http://127.0.0.1:9"], timeout_seconds=2) == []


async def _decisions(settings: Settings, thread_id: str) -> list[Any]:
    async with ThreadService.open(settings, chat_model=None) as service:
        return await service.decisions(thread_id)

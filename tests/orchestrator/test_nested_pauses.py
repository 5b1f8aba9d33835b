import json
import subprocess
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from pausepoint.agents.base import Agent
from pausepoint.domain import ThreadStatus
from pausepoint.errors import InvalidAnswer
from pausepoint.orchestrator.workflow import orchestrator_workflow
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings
from pausepoint.workflows.registry import Workflow, WorkflowRegistry
from pausepoint.workflows.story import STORY

STORY_REQUEST = "write a short story about a fox and then get it reviewed"


async def test_story_request_pauses_with_the_story_review_in_the_orchestrator_thread_across_restarts(
    settings: Settings, run_cli: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    # first process: the request, then the first review round
    async with ThreadService.open(settings, chat_model=None) as svc:
        view = await svc.start("orchestrator", {"prompt": STORY_REQUEST}, "ann")
        assert view.workflow == "orchestrator"
        assert view.status is ThreadStatus.WAITING
        [review] = view.pauses
        assert (review.kind, review.title) == ("review", "Review the draft")
        assert [a.label for a in review.actions] == ["Accept", "Update with comments"]
        assert review.context["revision"] == 1
        assert "fox" in review.context["draft"]
        assert [i.thread_id for i in await svc.inbox("ann")] == [view.thread_id]

        second = await svc.answer(
            view.thread_id,
            {"decision": "update", "comments": "give the fox a name like Rex"},
            "ann",
        )
        [review2] = second.pauses
        assert review2.context["revision"] == 2
        assert review2.interrupt_id != review.interrupt_id
        assert "Rex" in review2.context["draft"]
    thread = view.thread_id

    # a second process answers the second round through the CLI
    out = run_cli(
        "answer",
        thread,
        json.dumps({"decision": "update", "comments": "make it funnier"}),
        "--as",
        "ann",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    third = json.loads(out.stdout)
    assert third["status"] == "waiting"
    assert third["pauses"][0]["context"]["revision"] == 3

    # a third service on the same file accepts; the orchestrator finishes with the story
    async with ThreadService.open(settings, chat_model=None) as svc:
        done = await svc.answer(thread, {"decision": "accept"}, "ann")
        assert done.status is ThreadStatus.COMPLETED
        [task] = done.result["tasks"]
        assert task["agent"] == "story"
        assert task["data"]["revisions"] == 3
        assert "Rex" in task["data"]["story"] and "laughed" in task["data"]["story"]
        assert done.result["answer"] == task["data"]["story"]
        decisions = await svc.decisions(thread)
        assert [d.answer["decision"] for d in decisions] == ["update", "update", "accept"]
        assert all(d.applied_at is not None for d in decisions)
        assert await svc.inbox("ann") == []


async def test_a_wrong_answer_to_the_nested_review_leaves_it_waiting(
    service: ThreadService,
) -> None:
    view = await service.start("orchestrator", {"prompt": STORY_REQUEST}, "ann")
    [review] = view.pauses

    before = await service.get(view.thread_id)
    with pytest.raises(InvalidAnswer):
        await service.answer(view.thread_id, {"decision": "update", "comments": "  "}, "ann")

    still = await service.get(view.thread_id)
    assert still.status is ThreadStatus.WAITING
    assert [p.interrupt_id for p in still.pauses] == [review.interrupt_id]
    assert still.pauses == before.pauses


async def test_a_local_task_beside_the_story_finishes_while_the_story_waits(
    service: ThreadService,
) -> None:
    view = await service.start(
        "orchestrator",
        {"prompt": "Write a short story about a fox. Convert 5 km to miles."},
        "ann",
    )
    assert view.status is ThreadStatus.WAITING
    assert view.steps["t2"]["status"] == "done"
    assert view.steps["t1"]["status"] == "planned"

    done = await service.answer(view.thread_id, {"decision": "accept"}, "ann")
    assert done.status is ThreadStatus.COMPLETED
    assert [t["agent"] for t in done.result["tasks"]] == ["story", "unit-converter"]
    assert "5 km = 3.1069 miles" in done.result["answer"]


async def test_two_stories_in_one_request_pause_together_and_are_answered_one_by_one(
    service: ThreadService,
) -> None:
    view = await service.start(
        "orchestrator",
        {"prompt": "Write a short story about a fox. Write a short story about an owl."},
        "ann",
    )
    fox, owl = view.pauses
    assert (fox.context["prompt"], owl.context["prompt"]) == ("a fox", "an owl")

    after_fox = await service.answer(
        view.thread_id, {"decision": "accept"}, "ann", interrupt_id=fox.interrupt_id
    )
    assert [p.interrupt_id for p in after_fox.pauses] == [owl.interrupt_id]

    after_owl = await service.answer(
        view.thread_id,
        {"decision": "update", "comments": "name the owl Hoot"},
        "ann",
        interrupt_id=owl.interrupt_id,
    )
    assert after_owl.pauses[0].context["revision"] == 2
    done = await service.answer(view.thread_id, {"decision": "accept"}, "ann")
    assert done.status is ThreadStatus.COMPLETED
    fox_story, owl_story = (t["data"]["story"] for t in done.result["tasks"])
    assert fox_story.startswith("Once there was a fox.") and "Hoot" not in fox_story
    assert owl_story.endswith("Everyone came to call the hero Hoot.")


async def test_answering_the_story_does_not_run_its_finished_sibling_again(
    settings: Settings,
    registry_with: Callable[[Sequence[Agent]], WorkflowRegistry],
    counting_agent: Any,
) -> None:
    async with ThreadService.open(
        settings, workflows=registry_with([counting_agent]), chat_model=None
    ) as svc:
        view = await svc.start(
            "orchestrator", {"prompt": "Write a short story about a fox. Update the tally."}, "ann"
        )
        view = await svc.answer(
            view.thread_id, {"decision": "update", "comments": "shorter"}, "ann"
        )
        done = await svc.answer(view.thread_id, {"decision": "accept"}, "ann")

    assert done.status is ThreadStatus.COMPLETED
    assert counting_agent.runs == 1
    assert done.result["tasks"][1]["output"] == "tally 1"


async def test_a_then_follow_up_stays_with_the_workflow_that_can_do_it(
    settings: Settings, stub_workflow: Callable[..., Workflow]
) -> None:
    registry = WorkflowRegistry({STORY.name: STORY})
    registry.register(
        stub_workflow(
            name="code-review",
            description="Reviews a pull request.",
            tags=("review", "code"),
        )
    )
    registry.register(orchestrator_workflow(registry))
    async with ThreadService.open(settings, workflows=registry, chat_model=None) as svc:
        view = await svc.start("orchestrator", {"prompt": STORY_REQUEST}, "ann")

    [pause] = view.pauses
    assert pause.title == "Review the draft"
    assert [(s["agent"], s["task"]) for s in view.steps.values()] == [
        ("story", "write a short story about a fox")
    ]


async def test_a_dependency_graph_workflow_pauses_for_its_approval_in_the_orchestrator_thread(
    service: ThreadService,
) -> None:
    view = await service.start(
        "orchestrator", {"prompt": "deploy user-api v2.1.0 to production"}, "ann"
    )
    [form] = view.pauses
    assert (form.kind, form.title) == ("form", "What should deploy start with?")

    view = await service.answer(view.thread_id, {"service": "user-api", "version": "v2.1.0"}, "ann")
    [approval] = view.pauses
    assert approval.kind == "approval"
    assert approval.context["service"] == "user-api"

    approve = next(a for a in approval.actions if a.label == "Approve")
    done = await service.answer(view.thread_id, approve.answer, "ann")
    assert done.status is ThreadStatus.COMPLETED
    [task] = done.result["tasks"]
    assert task["agent"] == "deploy"
    assert task["data"]["deployment_result"]["status"] == "deployed"

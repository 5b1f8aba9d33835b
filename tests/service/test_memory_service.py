"""ThreadService on the memory twin: the story loop, exactly-once, door policy and deadlines
with no database at all (MemoryStore and LangGraph's InMemorySaver), so they run in
milliseconds. The same behaviour on SQLite and Postgres is covered by the other tests here."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from pausepoint.domain import SYSTEM_DEADLINE, ThreadStatus
from pausepoint.errors import AlreadyAnswered, Conflict, Forbidden, InvalidAnswer, ThreadNotFound
from pausepoint.persistence.database import Database
from pausepoint.persistence.memory import MemoryStore
from pausepoint.persistence.serde import make_serializer
from pausepoint.service.catalog import bundled
from pausepoint.service.doors import Door
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings
from pausepoint.workflows import BuildContext, OnTimeout, Workflow, WorkflowRegistry

ACCEPT = {"decision": "accept"}
UPDATE = {"decision": "update", "comments": "shorter"}


def memory_service(workflows: WorkflowRegistry, clock: Any) -> ThreadService:
    types = [t for wf in workflows for t in wf.state_types]
    saver = InMemorySaver(serde=make_serializer(types))
    settings = Settings(database_url="sqlite:///unused-by-memory-store.db", model="offline")
    return ThreadService(
        db=Database(saver=saver, store=MemoryStore(saver)),
        settings=settings,
        workflows=workflows,
        build=BuildContext(chat_model=None, settings=settings),
        clock=clock,
    )


@pytest.fixture
async def service(
    clock: Any, approval_workflow: Callable[..., Workflow]
) -> AsyncIterator[ThreadService]:
    workflows = bundled()
    workflows.register(approval_workflow(OnTimeout(action="escalate", assignee="carol"), "bob"))
    yield memory_service(workflows, clock)


async def test_the_story_loop_runs_on_the_memory_store(service: ThreadService) -> None:
    view = await service.start("story", {"prompt": "a fox"}, "ann")
    assert view.status is ThreadStatus.WAITING
    first = view.pauses[0]

    revised = await service.answer(view.thread_id, UPDATE, "ann")
    assert revised.pauses[0].interrupt_id != first.interrupt_id
    done = await service.answer(view.thread_id, ACCEPT, "ann")

    assert done.status is ThreadStatus.COMPLETED
    assert [d.answer["decision"] for d in await service.decisions(view.thread_id)] == [
        "update",
        "accept",
    ]
    assert await service.inbox("ann") == []


async def test_two_answers_at_once_one_is_applied(service: ThreadService) -> None:
    view = await service.start("story", {"prompt": "a fox"}, "ann")
    pause = view.pauses[0].interrupt_id

    results = await asyncio.gather(
        service.answer(view.thread_id, UPDATE, "ann", interrupt_id=pause),
        service.answer(view.thread_id, ACCEPT, "ann", interrupt_id=pause),
        return_exceptions=True,
    )

    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], Conflict)
    assert len(await service.decisions(view.thread_id)) == 1


async def test_a_bad_answer_leaves_the_thread_as_it_was(service: ThreadService) -> None:
    view = await service.start("story", {"prompt": "a fox"}, "ann")

    with pytest.raises(InvalidAnswer, match="decision"):
        await service.answer(view.thread_id, {"decision": "maybe"}, "ann")

    assert await service.get(view.thread_id) == view
    assert await service.decisions(view.thread_id) == []


async def test_the_door_hides_a_thread_from_strangers_and_explains_conflicts(
    service: ThreadService,
) -> None:
    view = await service.start("timed", {}, "ann")
    tid, pause = view.thread_id, view.pauses[0].interrupt_id

    with pytest.raises(Forbidden, match="waits for 'bob'"):
        await Door(service, "ann").answer(tid, {"approved": True})  # the owner sees, may not answer
    with pytest.raises(ThreadNotFound):
        await Door(service, "mallory").answer(tid, {"approved": True})
    with pytest.raises(ThreadNotFound):
        await Door(service, "mallory").get(tid)
    assert (await Door(service, "bob").get(tid)).pauses[0].assignee == "bob"

    await Door(service, "bob").answer(tid, {"approved": True}, interrupt_id=pause)
    with pytest.raises(AlreadyAnswered, match="answered by 'bob' at 2026-01-05T09:00:00"):
        await Door(service, "ann").answer(tid, {"approved": False}, interrupt_id=pause)


async def test_a_text_reply_is_mapped_onto_the_pause_form(service: ThreadService) -> None:
    view = await service.start("story", {"prompt": "a fox"}, "ann")

    done = await Door(service, "ann").reply(view.thread_id, "accept")

    assert done.status is ThreadStatus.COMPLETED


async def test_a_deadline_escalates_once_on_the_memory_store(
    service: ThreadService, clock: Any
) -> None:
    view = await service.start("timed", {}, "ann")

    assert await service.sweep_deadlines() == 0
    clock.now += timedelta(hours=4)
    assert await service.sweep_deadlines() == 1
    assert await service.sweep_deadlines() == 0

    moved = await service.get(view.thread_id)
    assert moved.pauses[0].assignee == "carol" and moved.pauses[0].deadline is None
    assert [i.thread_id for i in await service.inbox("carol")] == [view.thread_id]
    assert await service.inbox("bob") == []
    assert all(d.actor != SYSTEM_DEADLINE for d in await service.decisions(view.thread_id))

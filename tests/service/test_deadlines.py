"""Deadlines: the sweeper applies a pause's on_timeout once it falls due, as system:deadline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pausepoint.domain import SYSTEM_DEADLINE, ThreadStatus
from pausepoint.errors import Conflict
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings
from pausepoint.workflows.registry import Workflow, WorkflowRegistry


@pytest.fixture
async def timed(settings: Settings, clock: Any, approval_workflow: Callable[..., Workflow]) -> Any:
    registry = WorkflowRegistry({"timed": approval_workflow()})
    async with ThreadService.open(settings, workflows=registry, chat_model=None, clock=clock) as s:
        yield s


ANSWER_NO = {"action": "answer", "answer": {"approved": False}}


async def test_deadline_is_absolute_from_the_moment_of_the_pause(
    timed: ThreadService, clock: Any
) -> None:
    view = await timed.start("timed", {"on_timeout": ANSWER_NO}, "ann")
    assert view.pauses[0].deadline == datetime(2026, 1, 5, 13, 0, tzinfo=UTC)
    [item] = await timed.inbox("ann")
    assert item.deadline == datetime(2026, 1, 5, 13, 0, tzinfo=UTC)


async def test_nothing_happens_before_the_deadline(timed: ThreadService, clock: Any) -> None:
    view = await timed.start("timed", {"on_timeout": ANSWER_NO}, "ann")
    clock.now += timedelta(hours=3, minutes=59)
    assert await timed.sweep_deadlines() == 0
    assert (await timed.get(view.thread_id)).status is ThreadStatus.WAITING


async def test_due_pause_gets_its_default_answer_recorded_as_system_deadline(
    timed: ThreadService, clock: Any
) -> None:
    view = await timed.start("timed", {"on_timeout": ANSWER_NO}, "ann")
    clock.now += timedelta(hours=5)
    assert await timed.sweep_deadlines() == 1
    done = await timed.get(view.thread_id)
    assert done.status is ThreadStatus.COMPLETED
    assert done.result == {"approved": False}
    [decision] = await timed.decisions(view.thread_id)
    assert (decision.actor, decision.answer) == (SYSTEM_DEADLINE, {"approved": False})
    assert await timed.sweep_deadlines() == 0  # applied once


async def test_human_answer_first_wins_and_the_sweep_does_nothing(
    timed: ThreadService, clock: Any
) -> None:
    view = await timed.start("timed", {"on_timeout": ANSWER_NO}, "ann")
    await timed.answer(view.thread_id, {"approved": True}, "ann")
    clock.now += timedelta(days=1)
    assert await timed.sweep_deadlines() == 0
    assert (await timed.get(view.thread_id)).result == {"approved": True}
    assert [d.actor for d in await timed.decisions(view.thread_id)] == ["ann"]


async def test_escalation_hands_the_pause_to_another_person(
    timed: ThreadService, clock: Any
) -> None:
    rule = {"action": "escalate", "assignee": "boss"}
    view = await timed.start("timed", {"on_timeout": rule}, "ann")
    clock.now += timedelta(hours=5)
    assert await timed.sweep_deadlines() == 1
    assert await timed.inbox("ann") == []
    [item] = await timed.inbox("boss")
    assert (item.thread_id, item.assignee, item.deadline) == (view.thread_id, "boss", None)
    with pytest.raises(Exception, match="waits for 'boss'"):
        await timed.answer(view.thread_id, {"approved": True}, "ann")
    done = await timed.answer(view.thread_id, {"approved": True}, "boss")
    assert done.result == {"approved": True}


async def test_fail_on_timeout_fails_the_thread_and_logs_the_decision(
    timed: ThreadService, clock: Any
) -> None:
    view = await timed.start("timed", {"on_timeout": {"action": "fail"}}, "ann")
    clock.now += timedelta(hours=5)
    assert await timed.sweep_deadlines() == 1
    failed = await timed.get(view.thread_id)
    assert failed.status is ThreadStatus.FAILED
    assert "deadline" in (failed.error or "")
    assert [d.actor for d in await timed.decisions(view.thread_id)] == [SYSTEM_DEADLINE]
    with pytest.raises(Conflict):
        await timed.answer(view.thread_id, {"approved": True}, "ann")


async def test_pauses_that_fell_due_while_the_server_was_down_are_caught_up(
    settings: Settings, clock: Any, approval_workflow: Callable[..., Workflow]
) -> None:
    registry = WorkflowRegistry({"timed": approval_workflow()})
    async with ThreadService.open(settings, workflows=registry, clock=clock) as service:
        view = await service.start("timed", {"on_timeout": ANSWER_NO}, "ann")
    clock.now += timedelta(days=30)  # the server was down for a month
    async with ThreadService.open(settings, workflows=registry, clock=clock) as service:
        assert await service.sweep_deadlines() == 1
        assert (await service.get(view.thread_id)).result == {"approved": False}

"""Two ThreadServices (two servers' worth: own pools, own leases) on one database."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

from pausepoint.domain import SYSTEM_DEADLINE, OnTimeout, ThreadStatus
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings
from pausepoint.workflows.registry import Workflow, WorkflowRegistry


async def test_two_servers_sweeping_the_same_due_pause_apply_its_default_answer_once(
    settings: Settings, approval_workflow: Callable[..., Workflow]
) -> None:
    now = [datetime(2026, 1, 5, 9, 0, tzinfo=UTC)]
    timed = approval_workflow(OnTimeout(action="answer", answer={"approved": False}))
    registry = WorkflowRegistry({"timed": timed})
    async with AsyncExitStack() as stack:
        a, b = [
            await stack.enter_async_context(
                ThreadService.open(
                    settings, workflows=registry, chat_model=None, clock=lambda: now[0]
                )
            )
            for _ in range(2)
        ]
        views = [await a.start("timed", {}, "ann") for _ in range(5)]
        now[0] += timedelta(hours=5)
        handled = await asyncio.gather(a.sweep_deadlines(), b.sweep_deadlines())

        assert sum(handled) == 5
        for view in views:
            done = await b.get(view.thread_id)
            assert (done.status, done.result) == (ThreadStatus.COMPLETED, {"approved": False})
            [decision] = await b.decisions(view.thread_id)
            assert decision.actor == SYSTEM_DEADLINE
        assert await b.inbox("ann") == []


async def test_a_thread_started_on_one_server_is_answered_on_the_other(
    settings: Settings,
) -> None:
    async with (
        ThreadService.open(settings, chat_model=None) as a,
        ThreadService.open(settings, chat_model=None) as b,
    ):
        view = await a.start("story", {"prompt": "a fox"}, "ann")
        assert [i.thread_id for i in await b.inbox("ann")] == [view.thread_id]
        done = await b.answer(view.thread_id, {"decision": "accept"}, "ann")
        assert done.status is ThreadStatus.COMPLETED
        seen_on_a = await a.get(view.thread_id)
        assert (seen_on_a.status, seen_on_a.result) == (done.status, done.result)

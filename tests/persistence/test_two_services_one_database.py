"""Two ThreadServices (two servers' worth: own pools, own leases) on one database."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict

from langgraph.graph import START, StateGraph
from pydantic import BaseModel

from pausepoint.domain import SYSTEM_DEADLINE, OnTimeout, PauseRequest, ThreadStatus
from pausepoint.forms import ask
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings
from pausepoint.workflows.registry import BuildContext, Workflow, WorkflowRegistry


class Approve(BaseModel):
    approved: bool


class State(TypedDict, total=False):
    approved: bool


def build(ctx: BuildContext) -> StateGraph[State, Any, Any, Any]:
    def approve(state: State) -> dict[str, Any]:
        answer = ask(
            PauseRequest(
                kind="approval",
                title="Approve the invoice",
                deadline=timedelta(hours=4),
                on_timeout=OnTimeout(action="answer", answer={"approved": False}),
            ),
            Approve,
        )
        return {"approved": answer.approved}

    graph = StateGraph(State)
    graph.add_node("approve", approve)
    graph.add_edge(START, "approve")
    return graph


class NoInput(BaseModel):
    pass


TIMED = Workflow(
    name="timed",
    description="one approval that answers itself 'no' after four hours",
    build=build,
    input_model=NoInput,
    result=lambda values: {"approved": values.get("approved")},
)


async def test_two_servers_sweeping_the_same_due_pause_apply_its_default_answer_once(
    settings: Settings,
) -> None:
    now = [datetime(2026, 1, 5, 9, 0, tzinfo=UTC)]
    registry = WorkflowRegistry({"timed": TIMED})
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

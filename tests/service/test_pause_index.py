"""Answers are checked against the pause index while a thread waits (no checkpoint read):
what an answer returns, and what it accepts or refuses, must be what the checkpoint says."""

from __future__ import annotations

import operator
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated, Any, TypedDict

import psycopg
import pytest
from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel, Field

from pausepoint.domain import PauseRequest, ThreadStatus
from pausepoint.errors import Conflict, InvalidAnswer
from pausepoint.forms import ask
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings
from pausepoint.workflows.registry import BuildContext, Workflow, WorkflowRegistry


class Note(BaseModel):
    text: str = Field(min_length=1)


class State(TypedDict, total=False):
    topic: str
    notes: Annotated[list[str], operator.add]


class Topic(BaseModel):
    topic: str


def asker(
    step: str, *, assignee: str | None = None, deadline: datetime | timedelta | None = None
) -> Any:
    """A node asking "`step`?" for a Note, which it keeps as "`step`: text"."""

    def node(state: State) -> dict[str, Any]:
        request = PauseRequest(title=f"{step}?", step=step, assignee=assignee, deadline=deadline)
        return {"notes": [f"{step}: {ask(request, Note).text}"]}

    return node


def build(ctx: BuildContext) -> StateGraph[State, Any, Any, Any]:
    graph = StateGraph(State)
    graph.add_node("legal", asker("legal", assignee="lee"))
    graph.add_node("finance", asker("finance"))
    graph.add_node("final", asker("final"))
    graph.add_edge(START, "legal")
    graph.add_edge(START, "finance")
    graph.add_edge(["legal", "finance"], "final")
    graph.add_edge("final", END)
    return graph


FAN = Workflow(
    name="fan",
    description="Two questions at once, then a third.",
    build=build,
    input_model=Topic,
    result=lambda values: sorted(values.get("notes", [])),
)


@pytest.fixture
async def fan(settings: Settings) -> AsyncIterator[ThreadService]:
    workflows = WorkflowRegistry({"fan": FAN})
    async with ThreadService.open(settings, workflows=workflows, chat_model=None) as svc:
        yield svc


def by_title(view: Any) -> dict[str, str]:
    return {p.title: p.interrupt_id for p in view.pauses}


async def test_every_answer_returns_the_view_a_fresh_read_of_the_thread_gives(
    fan: ThreadService,
) -> None:
    view = await fan.start("fan", {"topic": "t"}, "ann")
    assert view == await fan.get(view.thread_id)
    assert set(by_title(view)) == {"legal?", "finance?"}

    after_finance = await fan.resume(
        view.thread_id, {by_title(view)["finance?"]: {"text": "ok"}}, "ann"
    )
    assert after_finance == await fan.get(view.thread_id)
    assert set(by_title(after_finance)) == {"legal?"}
    assert after_finance.pauses[0].assignee == "lee"

    after_legal = await fan.resume(
        view.thread_id, {by_title(view)["legal?"]: {"text": "fine"}}, "lee"
    )
    assert after_legal == await fan.get(view.thread_id)
    assert set(by_title(after_legal)) == {"final?"}

    done = await fan.answer(view.thread_id, {"text": "ship"}, "ann")
    assert done == await fan.get(view.thread_id)
    assert done.status is ThreadStatus.COMPLETED
    assert done.result == ["final: ship", "finance: ok", "legal: fine"]
    log = await fan.decisions(view.thread_id)
    assert [(d.actor, d.answer) for d in log] == [
        ("ann", {"text": "ok"}),
        ("lee", {"text": "fine"}),
        ("ann", {"text": "ship"}),
    ]
    assert all(d.checkpoint_id for d in log)


async def test_the_sibling_still_pending_refuses_the_wrong_person_and_a_stale_id(
    fan: ThreadService,
) -> None:
    view = await fan.start("fan", {"topic": "t"}, "ann")
    ids = by_title(view)
    await fan.resume(view.thread_id, {ids["finance?"]: {"text": "ok"}}, "ann")
    with pytest.raises(Conflict, match="not pending"):
        await fan.resume(view.thread_id, {ids["finance?"]: {"text": "again"}}, "ann")
    with pytest.raises(InvalidAnswer):
        await fan.resume(view.thread_id, {ids["legal?"]: {"text": ""}}, "lee")
    before = await fan.get(view.thread_id)
    assert set(by_title(before)) == {"legal?"}
    assert len(await fan.decisions(view.thread_id)) == 1


def forget_indexed_pauses(db_url: str) -> None:
    """Make the pause rows look like rows an older Pausepoint wrote (no whole pause kept)."""
    sql = "UPDATE pauses SET pause = NULL, checkpoint_id = NULL"
    if db_url.startswith("sqlite"):
        with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
            conn.execute(sql)
    else:
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute(sql)


async def test_pause_rows_from_before_the_index_kept_pauses_still_check_answers(
    service: ThreadService, db_url: str
) -> None:
    view = await service.start("story", {"prompt": "a fox"}, "ann")
    forget_indexed_pauses(db_url)
    with pytest.raises(InvalidAnswer) as refused:
        await service.answer(view.thread_id, {"decision": "update"}, "ann")
    assert refused.value.fields and refused.value.fields[0]["loc"] == "comments"
    assert await service.get(view.thread_id) == view
    after = await service.answer(
        view.thread_id, {"decision": "update", "comments": "shorter"}, "ann"
    )
    assert after.status is ThreadStatus.WAITING
    assert after == await service.get(view.thread_id)
    done = await service.answer(view.thread_id, {"decision": "accept"}, "ann")
    assert done.status is ThreadStatus.COMPLETED


def build_dated(ctx: BuildContext) -> StateGraph[State, Any, Any, Any]:
    cet = timezone(timedelta(hours=2))
    graph = StateGraph(State)
    graph.add_node("by_time", asker("by_time", deadline=datetime(2031, 5, 4, 17, 30, tzinfo=cet)))
    graph.add_node("in_a_week", asker("in_a_week", deadline=timedelta(days=7)))
    graph.add_edge(START, "by_time")
    graph.add_edge("by_time", "in_a_week")
    graph.add_edge("in_a_week", END)
    return graph


DATED = Workflow(
    name="dated",
    description="Two questions in turn, with a deadline given as a local time, then as a duration.",
    build=build_dated,
    input_model=Topic,
    result=lambda values: values.get("notes", []),
)


async def test_a_view_right_after_a_run_gives_deadlines_as_a_fresh_read_does(
    settings: Settings,
) -> None:
    now = datetime(2031, 5, 1, 9, 0, tzinfo=UTC)
    workflows = WorkflowRegistry({"dated": DATED})
    async with ThreadService.open(
        settings, workflows=workflows, chat_model=None, clock=lambda: now
    ) as svc:
        started = await svc.start("dated", {"topic": "t"}, "ann")
        assert started == await svc.get(started.thread_id)
        assert started.pauses[0].deadline == datetime(2031, 5, 4, 15, 30, tzinfo=UTC)
        assert started.pauses[0].model_dump(mode="json")["deadline"] == "2031-05-04T15:30:00Z"

        answered = await svc.answer(started.thread_id, {"text": "done"}, "ann")
        assert answered == await svc.get(started.thread_id)
        assert answered.pauses[0].model_dump(mode="json")["deadline"] == "2031-05-08T09:00:00Z"


def build_two_reviews(ctx: BuildContext) -> StateGraph[State, Any, Any, Any]:
    graph = StateGraph(State)
    graph.add_node("legal", asker("legal"))
    graph.add_node("finance", asker("finance", deadline=timedelta(hours=1)))
    graph.add_edge(START, "legal")
    graph.add_edge(START, "finance")
    graph.add_edge(["legal", "finance"], END)
    return graph


TWO_REVIEWS = Workflow(
    name="two_reviews",
    description="Two reviews at once; finance's has an hour.",
    build=build_two_reviews,
    input_model=Topic,
    result=lambda values: sorted(values.get("notes", [])),
)


async def test_answering_one_pause_leaves_its_siblings_deadline_and_does_not_announce_it_again(
    settings: Settings,
) -> None:
    started_at = datetime(2031, 5, 1, 9, 0, tzinfo=UTC)
    now = [started_at]
    workflows = WorkflowRegistry({"two_reviews": TWO_REVIEWS})
    async with ThreadService.open(
        settings, workflows=workflows, chat_model=None, clock=lambda: now[0]
    ) as svc:
        view = await svc.start("two_reviews", {"topic": "t"}, "ann")
        finance = next(p for p in view.pauses if p.title == "finance?")
        assert finance.deadline == started_at + timedelta(hours=1)
        now[0] = started_at + timedelta(minutes=10)

        async with svc.events.subscribe() as events:
            legal = by_title(view)["legal?"]
            answered = await svc.answer(view.thread_id, {"text": "ok"}, "ann", interrupt_id=legal)
            heard = [events.get_nowait() for _ in range(events.qsize())]

        assert [p.title for p in answered.pauses] == ["finance?"]
        assert answered.pauses[0].deadline == started_at + timedelta(hours=1)
        assert answered == await svc.get(view.thread_id)
        lifecycle = [e.type for e in heard if not e.type.startswith("node_")]
        assert lifecycle == ["answered", "resumed"]  # the sibling's pause not announced again

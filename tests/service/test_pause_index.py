"""Answers are checked against the pause index while a thread waits (no checkpoint read):
what an answer returns, and what it accepts or refuses, must be what the checkpoint says."""

from __future__ import annotations

import operator
import sqlite3
from collections.abc import AsyncIterator
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


def build(ctx: BuildContext) -> StateGraph[State, Any, Any, Any]:
    def asker(step: str, assignee: str | None = None) -> Any:
        def node(state: State) -> dict[str, Any]:
            request = PauseRequest(kind="question", title=f"{step}?", step=step, assignee=assignee)
            return {"notes": [f"{step}: {ask(request, Note).text}"]}

        return node

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

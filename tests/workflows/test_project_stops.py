"""Where a team's graph stops, as every door shows it: a functional-API entrypoint's result is
what it returned, whatever its type; a static breakpoint the graph was compiled with
(`interrupt_before`, `interrupt_after`) is a pause with a Continue action, answered like any
other, across a restart."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from pausepoint.domain import ThreadStatus
from pausepoint.errors import Conflict
from pausepoint.service.doors import Door
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings

ENTRYPOINTS = '''
from typing import Any
from langgraph.func import entrypoint
from langgraph.types import interrupt
from pydantic import BaseModel

class Summary(BaseModel):
    words: int

@entrypoint()
def shout(inputs: dict[str, Any]) -> str:
    """Shouts the text back, once a person agrees."""
    agreed = interrupt(f"Shout {inputs['text']!r}?")
    return inputs["text"].upper() if agreed == "yes" else "no"

@entrypoint()
def split(inputs: dict[str, Any]) -> list[str]:
    return inputs["text"].split()

@entrypoint()
def count(inputs: dict[str, Any]) -> Summary:
    return Summary(words=len(inputs["text"].split()))
'''


BREAKPOINTS = """
from typing import TypedDict
from langgraph.graph import START, StateGraph

class Post(TypedDict, total=False):
    topic: str
    draft: str
    published: bool

def write(state: Post) -> Post:
    return {"draft": f"All about {state['topic']}."}

def publish(state: Post) -> Post:
    return {"published": True}

builder = StateGraph(Post)
builder.add_node("write", write)
builder.add_node("publish", publish)
builder.add_edge(START, "write")
builder.add_edge("write", "publish")
before = builder.compile(interrupt_before=["publish"])
after = builder.compile(interrupt_after=["write"])
everywhere = builder.compile(interrupt_before="*")
"""


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> Settings:
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "funcs.py").write_text(textwrap.dedent(ENTRYPOINTS))
    (folder / "posts.py").write_text(textwrap.dedent(BREAKPOINTS))
    graphs = {name: f"./funcs.py:{name}" for name in ("shout", "split", "count")}
    graphs |= {name: f"./posts.py:{name}" for name in ("before", "after", "everywhere")}
    (folder / "langgraph.json").write_text(json.dumps({"graphs": graphs}))
    return Settings(  # type: ignore[call-arg]
        database_url=db_url, model="offline", config=folder, workflows_dir=None, _env_file=None
    )


async def test_an_entrypoints_result_is_what_it_returned_after_a_restart(app: Settings) -> None:
    async with ThreadService.open(app, chat_model=None) as service:
        paused = await service.start("shout", {"text": "hi there"}, "ann")
    async with ThreadService.open(app, chat_model=None) as service:
        done = await service.answer(paused.thread_id, "yes", "ann")
        again = await service.get(paused.thread_id)

    assert paused.pauses[0].title == "Shout 'hi there'?"
    assert (done.status, done.result) == (ThreadStatus.COMPLETED, "HI THERE")
    assert again.result == "HI THERE"


async def test_a_list_or_a_model_returned_is_the_result_in_json_form(app: Settings) -> None:
    async with ThreadService.open(app, chat_model=None) as service:
        split = await service.start("split", {"text": "a b c"}, "ann")
        count = await service.start("count", {"text": "a b c"}, "ann")

    assert split.result == ["a", "b", "c"]
    assert count.result == {"words": 3}


@pytest.mark.parametrize(
    ("workflow", "title"),
    [("before", "Paused before publish"), ("after", "Paused after write")],
)
async def test_a_static_breakpoint_is_a_pause_that_continue_passes_after_a_restart(
    app: Settings, workflow: str, title: str
) -> None:
    async with ThreadService.open(app, chat_model=None) as service:
        paused = await service.start(workflow, {"topic": "tides"}, "ann")
        inbox = await service.inbox("ann")
    async with ThreadService.open(app, chat_model=None) as service:
        seen = await service.get(paused.thread_id)
        done = await Door(service, "ann").reply(paused.thread_id, "continue")
        log = await service.decisions(paused.thread_id)

    assert paused.status is ThreadStatus.WAITING
    [pause] = paused.pauses
    assert (pause.title, pause.context) == (title, {"next": ["publish"]})
    assert [a.label for a in pause.actions] == ["Continue"]
    assert [item.interrupt_id for item in inbox] == [pause.interrupt_id]
    assert seen == paused
    assert done.status is ThreadStatus.COMPLETED, done.error
    assert done.result == {"topic": "tides", "draft": "All about tides.", "published": True}
    assert [(d.interrupt_id, d.actor) for d in log] == [(pause.interrupt_id, "ann")]


async def test_a_breakpoint_before_every_node_stops_at_each_and_is_answered_once(
    app: Settings,
) -> None:
    async with ThreadService.open(app, chat_model=None) as service:
        first = await service.start("everywhere", {"topic": "tides"}, "ann")
        second = await service.answer(first.thread_id, {"continue": True}, "ann")
        with pytest.raises(Conflict):  # that breakpoint was passed
            await service.answer(
                first.thread_id, {}, "ann", interrupt_id=first.pauses[0].interrupt_id
            )
        done = await service.answer(second.thread_id, {"continue": True}, "ann")

    assert [p.title for p in (*first.pauses, *second.pauses)] == [
        "Paused before write",
        "Paused before publish",
    ]
    assert done.status is ThreadStatus.COMPLETED, done.error
    assert done.result["published"] is True

"""A run nobody taps is heard through listeners in its config (service/listening.py), a tapped
one through LangGraph's `astream`: both must publish the same events, in the same order, for
sync and async nodes, a subgraph's progress, a chat model's tokens, a failing node and a
pause. (If a LangGraph upgrade breaks the internals the listeners use, this fails.)"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, TypedDict

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.config import get_stream_writer
from langgraph.graph import START, StateGraph
from langgraph.types import interrupt

from pausepoint.service.streaming import RunStream
from pausepoint.service.taps import Tap

LETTER = "Dear Ann, your refund is on its way."


class State(TypedDict, total=False):
    n: int
    letter: str
    ok: Any


def sync_step(state: State) -> dict[str, Any]:
    get_stream_writer()("checking receipts")  # from a worker thread
    return {"n": 1}


async def async_step(state: State) -> dict[str, Any]:
    get_stream_writer()({"progress": "checking the bank", "done": 1})
    return {"n": 2}


def inner(state: State) -> dict[str, Any]:
    get_stream_writer()({"message": "deep inside"})
    return {"n": 3}


async def draft(state: State) -> dict[str, Any]:
    model = GenericFakeChatModel(messages=iter([AIMessage(LETTER)]))
    return {"letter": str((await model.ainvoke("write")).content)}


def ask(state: State) -> dict[str, Any]:
    return {"ok": interrupt("Send it?")}


def broken(state: State) -> dict[str, Any]:
    get_stream_writer()("about to fail")
    raise RuntimeError("the bank said no")


def chain(*nodes: Any) -> StateGraph[Any]:
    """The nodes one after the other (a function by its name, or a `(name, node)` pair)."""
    builder = StateGraph(State)
    previous = START
    for node in nodes:
        name, run = node if isinstance(node, tuple) else (node.__name__, node)
        builder.add_node(name, run)
        builder.add_edge(previous, name)
        previous = name
    return builder


def subgraph() -> Any:
    return chain(inner).compile()


@pytest.fixture
async def saver(tmp_path: Path) -> AsyncIterator[AsyncSqliteSaver]:
    async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "runs.db")) as saver:
        yield saver


Heard = tuple[list[tuple[str, dict[str, Any]]], Any, dict[str, str], Any]


async def heard(graph: Any, tapped: bool) -> Heard:
    """The events a run published (durations dropped, task ids by order of appearance), what
    it returned, its task ids and its config."""
    events: list[tuple[str, dict[str, Any]]] = []

    async def store(progress: dict[str, Any]) -> None:
        pass

    taps = (Tap(frozenset({"updates"}), lambda *part: None),) if tapped else ()
    stream = RunStream(lambda t, d: events.append((t, d)), store, time.monotonic, taps)
    config: Any = {"configurable": {"thread_id": uuid.uuid4().hex}}
    try:
        output: Any = await stream.run(graph, {"n": 0}, config)
    except RuntimeError as error:
        output = error
    tasks: dict[str, str] = {}
    for _, data in events:
        if "task_id" in data:
            data["task_id"] = tasks.setdefault(data["task_id"], f"task {len(tasks)}")
    kept = [(t, {k: v for k, v in d.items() if k != "ms"}) for t, d in events]
    return kept, output, {name: task_id for task_id, name in tasks.items()}, config


def tokens_joined(events: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, Any]]:
    """The events with each node's token batches joined (batches follow the clock)."""
    out: list[tuple[str, Any]] = []
    for kind, data in events:
        if kind == "tokens" and out and out[-1][0] == "tokens":
            out[-1] = ("tokens", {**out[-1][1], "text": out[-1][1]["text"] + data["text"]})
        else:
            out.append((kind, data))
    return out


async def test_both_ways_publish_the_same_events_for_a_run_to_its_pause(
    saver: AsyncSqliteSaver,
) -> None:
    graph = chain(sync_step, async_step, ("deep", subgraph()), draft, ask).compile(
        checkpointer=saver
    )

    listened, output, task_ids, config = await heard(graph, tapped=False)
    streamed, streamed_output, _, _ = await heard(graph, tapped=True)

    assert tokens_joined(listened) == tokens_joined(streamed)
    kinds = [(kind, data.get("node"), data.get("text")) for kind, data in listened]
    assert kinds[:6] == [
        ("node_started", "sync_step", None),
        ("progress", "sync_step", "checking receipts"),
        ("node_finished", "sync_step", None),
        ("node_started", "async_step", None),
        ("progress", "async_step", "checking the bank"),
        ("node_finished", "async_step", None),
    ]
    # the subgraph's inner step is not a node of the graph, but what it reports counts
    assert ("progress", "deep", "deep inside") in kinds
    assert ("tokens", "draft", LETTER) in [
        (k, d.get("node"), d.get("text")) for k, d in tokens_joined(listened)
    ]
    assert listened[-1] == (
        "node_finished",
        {"node": "ask", "task_id": "task 4", "interrupted": True},
    )
    # the ids are LangGraph's task ids: the paused task's is the one the checkpoint holds
    (pending,) = (await graph.aget_state(config)).tasks
    assert task_ids["task 4"] == pending.id
    assert output.value == streamed_output.value
    assert output.value["letter"] == LETTER
    assert [i.value for i in output.interrupts] == ["Send it?"]


async def test_both_ways_say_which_node_failed_and_why(saver: AsyncSqliteSaver) -> None:
    graph = chain(async_step, broken).compile(checkpointer=saver)

    listened, failed, _, _ = await heard(graph, tapped=False)
    streamed, *_ = await heard(graph, tapped=True)

    assert isinstance(failed, RuntimeError)
    assert listened == streamed
    assert [(k, d.get("node"), d.get("error")) for k, d in listened[-2:]] == [
        ("progress", "broken", None),
        ("node_finished", "broken", "the bank said no"),
    ]


async def test_a_long_node_is_announced_when_it_starts_not_when_it_ends(
    saver: AsyncSqliteSaver,
) -> None:
    events: list[str] = []

    async def slow(state: State) -> dict[str, Any]:
        await asyncio.sleep(0.5)
        return {"n": 1}

    async def store(progress: dict[str, Any]) -> None:
        pass

    graph = chain(slow).compile(checkpointer=saver)
    stream = RunStream(lambda t, d: events.append(t), store, time.monotonic)
    config: Any = {"configurable": {"thread_id": uuid.uuid4().hex}}
    run = asyncio.create_task(stream.run(graph, {"n": 0}, config))
    await asyncio.sleep(0.25)
    assert events == ["node_started"]  # heard while the node still runs
    await run
    assert events == ["node_started", "node_finished"]


async def test_a_sync_node_s_progress_is_heard_while_the_node_still_runs(
    saver: AsyncSqliteSaver,
) -> None:
    """A sync node runs in a worker thread: what it reports there reaches the loop while it
    runs (within the look's period), not only when it ends."""
    events: list[tuple[str, Any]] = []
    heard_it = threading.Event()

    def slow(state: State) -> dict[str, Any]:
        get_stream_writer()("halfway")
        heard_it.wait(5)  # goes on once the loop has published it (or gives up)
        return {"n": 1}

    async def store(progress: dict[str, Any]) -> None:
        pass

    def publish(kind: str, data: dict[str, Any]) -> None:
        events.append((kind, data.get("text")))
        if kind == "progress":
            heard_it.set()

    graph = chain(slow).compile(checkpointer=saver)
    stream = RunStream(publish, store, time.monotonic)
    config: Any = {"configurable": {"thread_id": uuid.uuid4().hex}}
    began = time.monotonic()
    await stream.run(graph, {"n": 0}, config)
    assert time.monotonic() - began < 2.5  # not the worker's 5 s wait: heard while it ran
    assert events == [("node_started", None), ("progress", "halfway"), ("node_finished", None)]

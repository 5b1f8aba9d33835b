"""`RemoteGraph` (langgraph's client-side graph over this API) as a node of a local graph: the
remote thread's interrupt surfaces in the local graph, the resume sent through RemoteGraph is
an answer like any other (checked, logged, applied once), and the remote thread is the same
thread in Pausepoint's own API."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, TypedDict

import httpx
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.pregel.remote import RemoteGraph
from langgraph.types import Command
from langgraph_sdk import get_sync_client
from langgraph_sdk.client import SyncLangGraphClient


class Visit(TypedDict, total=False):
    customer: str
    rating: int


def local_graph(client: SyncLangGraphClient) -> Any:
    """A local graph whose one node is the team's remote `survey` graph."""
    builder = StateGraph(Visit)
    builder.add_node("survey", RemoteGraph("survey", sync_client=client))
    builder.add_edge(START, "survey")
    return builder.compile(checkpointer=InMemorySaver())


async def test_a_remote_graphs_interrupt_surfaces_locally_and_its_resume_is_an_answer(
    team_server: Any,
) -> None:
    thread_id = str(uuid.uuid4())
    config: Any = {"configurable": {"thread_id": thread_id}}
    with get_sync_client(url=team_server.url) as client:
        paused = await asyncio.to_thread(local_graph(client).invoke, {"customer": "Ann"}, config)
        [surfaced] = paused["__interrupt__"]
        async with httpx.AsyncClient(base_url=team_server.url) as http:
            remote_view = (await http.get(f"/api/threads/{thread_id}")).json()

        remote = RemoteGraph("survey", sync_client=client)
        done = await asyncio.to_thread(remote.invoke, Command(resume=4), config)
    async with httpx.AsyncClient(base_url=team_server.url) as http:
        after = (await http.get(f"/api/threads/{thread_id}")).json()
        log = (await http.get(f"/api/threads/{thread_id}/decisions")).json()["decisions"]

    assert surfaced.value == "How was your visit, Ann? (1-5)"
    assert remote_view["status"] == "waiting"
    assert remote_view["pauses"][0]["interrupt_id"] == surfaced.id
    assert done == {"customer": "Ann", "rating": 4}
    assert after["status"] == "completed"
    assert [(d["interrupt_id"], d["answer"], d["actor"]) for d in log] == [
        (surfaced.id, 4, "local")
    ]

"""The client half: a remote A2A agent's question becomes our pause, our answer travels back."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from a2a.types.a2a_pb2 import TaskState

from pausepoint.agents.a2a_client import A2AClient, RemoteAgentError
from pausepoint.agents.a2a_parts import data_of
from pausepoint.domain import ThreadStatus
from pausepoint.errors import InvalidAnswer, InvalidInput
from pausepoint.service.threads import ThreadService

INPUT_REQUIRED = TaskState.TASK_STATE_INPUT_REQUIRED
COMPLETED = TaskState.TASK_STATE_COMPLETED


async def test_remote_story_pauses_our_thread_and_our_answers_complete_it(
    service: ThreadService, make_server: Any, service_on: Any, story: dict[str, Any]
) -> None:
    server = make_server("remote")
    view = await service.start("remote", {"url": server.url, "data": story}, "ann")

    assert view.status is ThreadStatus.WAITING
    (pause,) = view.pauses
    assert pause.title == "Pausepoint: Review the draft"
    assert [a.label for a in pause.actions] == ["Accept", "Update with comments"]
    assert pause.response_schema is not None
    assert pause.context["remote"]["url"] == server.url
    assert pause.assignee is None

    view = await service.answer(
        view.thread_id, {"decision": "update", "comments": "make it funnier"}, "ann"
    )
    assert view.status is ThreadStatus.WAITING
    (revised,) = view.pauses
    assert revised.context["revision"] == 2

    done = await service.answer(view.thread_id, {"decision": "accept"}, "ann")

    assert done.status is ThreadStatus.COMPLETED
    assert done.result == {"story": revised.context["draft"], "revisions": 2}
    assert [d.actor for d in await service.decisions(view.thread_id)] == ["ann", "ann"]
    async with service_on(server) as remote:
        (thread,) = await remote.list_threads()
        assert thread.status is ThreadStatus.COMPLETED
        remote_decisions = await remote.decisions(thread.thread_id)
        assert [d.answer for d in remote_decisions] == [
            {"decision": "update", "comments": "make it funnier"},
            {"decision": "accept"},
        ]


async def test_an_answer_failing_the_remote_schema_is_refused_here_and_nothing_is_sent(
    service: ThreadService, make_server: Any, service_on: Any, story: dict[str, Any]
) -> None:
    server = make_server("remote")
    view = await service.start("remote", {"url": server.url, "data": story}, "ann")

    with pytest.raises(InvalidAnswer, match="comments"):
        await service.answer(view.thread_id, {"decision": "update"}, "ann")

    assert (await service.get(view.thread_id)).pauses == view.pauses
    async with service_on(server) as remote:
        (thread,) = await remote.list_threads()
        assert thread.status is ThreadStatus.WAITING
        assert await remote.decisions(thread.thread_id) == []


async def test_a_remote_refusal_fails_our_thread_with_the_remote_message(
    service: ThreadService, server: Any
) -> None:
    start = {"url": server.url, "data": {"workflow": "no-such-flow", "input": {}}}
    view = await service.start("remote", start, "ann")
    assert view.status is ThreadStatus.FAILED
    assert view.error is not None
    assert "rejected" in view.error and "no-such-flow" in view.error


async def test_an_unreachable_remote_agent_fails_our_thread_naming_it(
    service: ThreadService,
) -> None:
    url = "http://127.0.0.1:9"  # the discard port: nothing listens
    view = await service.start("remote", {"url": url, "message": "hello"}, "ann")
    assert view.status is ThreadStatus.FAILED
    assert view.error is not None and f"remote agent {url}" in view.error


async def test_a_langgraph_dev_graph_that_interrupts_is_answered_by_our_user(
    service: ThreadService, langgraph_dev: str
) -> None:
    view = await service.start("remote", {"url": langgraph_dev, "message": "plan a trip"}, "ann")

    assert view.status is ThreadStatus.WAITING
    (pause,) = view.pauses
    assert pause.title == "trip: Which city should the trip go to?"

    done = await service.answer(view.thread_id, "Lisbon", "ann")

    assert done.status is ThreadStatus.COMPLETED
    assert done.result == "Booked a trip to Lisbon."


async def test_nested_across_processes_an_answer_given_to_a_reaches_b_and_both_log_it(
    make_server: Any, service_on: Any, connect: Any, story: dict[str, Any]
) -> None:
    a, b = make_server("a"), make_server("b")
    client = await connect(a.url)

    task = await client.send(data={"workflow": "remote", "input": {"url": b.url, "data": story}})
    assert task.status.state == INPUT_REQUIRED
    assert client.pauses(task)[0]["title"] == "Pausepoint: Review the draft"

    task = await client.send(text="update: make it funnier", task=task)
    assert task.status.state == INPUT_REQUIRED
    (revised,) = client.pauses(task)
    assert revised["context"]["revision"] == 2

    task = await client.send(text="accept", task=task)
    assert task.status.state == COMPLETED
    story_of_b = {"story": revised["context"]["draft"], "revisions": 2}
    assert data_of(task.artifacts[0].parts) == [story_of_b]
    for srv in (a, b):
        async with service_on(srv) as svc:
            (thread,) = await svc.list_threads()
            decisions = await svc.decisions(thread.thread_id)
            assert [d.answer["decision"] for d in decisions] == ["update", "accept"]


async def test_remote_input_needs_a_url_and_something_to_send(service: ThreadService) -> None:
    with pytest.raises(InvalidInput, match="remote"):
        await service.start("remote", {"url": "http://127.0.0.1:9"}, "ann")
    with pytest.raises(InvalidInput):
        await service.start("remote", {"url": "ftp://x", "message": "hi"}, "ann")
    assert await service.list_threads() == []


async def test_a_remote_agent_that_never_answers_fails_our_thread_after_the_timeout(
    service: ThreadService,
) -> None:
    connections: list[asyncio.StreamWriter] = []

    async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)  # take the request, never answer

    silent = await asyncio.start_server(hang, "127.0.0.1", 0)
    port = silent.sockets[0].getsockname()[1]
    try:
        view = await service.start(
            "remote",
            {"url": f"http://127.0.0.1:{port}", "message": "hi", "timeout_seconds": 1},
            "ann",
        )
    finally:
        for writer in connections:
            writer.close()
            await writer.wait_closed()
        silent.close()
        await silent.wait_closed()
    assert view.status is ThreadStatus.FAILED
    assert view.error is not None and "did not answer within 1.0s" in view.error


async def test_a_remote_agent_is_a_url_whose_card_lists_its_skills(server: Any) -> None:
    card = await A2AClient().fetch_card(server.url)
    assert card.name == "Pausepoint"
    assert {"story", "remote"} <= {s.id for s in card.skills}
    with pytest.raises(RemoteAgentError, match="no agent card"):
        await A2AClient().fetch_card("http://127.0.0.1:9")

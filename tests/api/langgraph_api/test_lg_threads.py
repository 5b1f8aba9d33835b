"""The LangGraph API's threads through the real langgraph-sdk client: Pausepoint's threads seen
through it, threads created through it, state and history, who sees what."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

import httpx
import pytest
from langgraph_sdk import get_client, get_sync_client

STORY = {"workflow": "story", "input": {"prompt": "a lighthouse keeper who finds a map"}}
STORY_ASSISTANT = str(uuid5(UUID("6ba7b821-9dad-11d1-80b4-00c04fd430c8"), "story"))


async def start_story(http: httpx.AsyncClient) -> dict[str, Any]:
    """A story thread started through Pausepoint's own API; it waits for a review."""
    response = await http.post("/api/threads", json=STORY)
    assert response.status_code == 201, response.text
    view: dict[str, Any] = response.json()
    assert view["status"] == "waiting"
    return view


async def test_a_paused_pausepoint_thread_is_an_interrupted_langgraph_thread(server: Any) -> None:
    async with server.client() as http:
        view = await start_story(http)
    pause = view["pauses"][0]

    async with get_client(url=server.url) as client:
        interrupted = await client.threads.search(status="interrupted", limit=100)
        idle = await client.threads.search(status="idle", limit=100)
        thread = await client.threads.get(view["thread_id"])
        state = await client.threads.get_state(view["thread_id"])

    assert view["thread_id"] in [t["thread_id"] for t in interrupted]
    assert view["thread_id"] not in [t["thread_id"] for t in idle]
    assert thread["status"] == "interrupted"
    assert thread["metadata"]["graph_id"] == "story"
    assert thread["metadata"]["assistant_id"] == STORY_ASSISTANT
    [interrupt] = state["interrupts"]
    assert interrupt["id"] == pause["interrupt_id"]
    assert interrupt["value"]["title"] == pause["title"]
    assert interrupt["value"]["context"] == pause["context"]
    [task] = [t for t in state["tasks"] if t["interrupts"]]
    assert task["interrupts"] == [interrupt]
    assert thread["interrupts"] == {task["id"]: [interrupt]}
    assert state["next"] == [task["name"]]
    assert state["values"] == thread["values"]
    assert state["checkpoint"]["thread_id"] == view["thread_id"]
    assert state["checkpoint"]["checkpoint_id"]


async def test_history_lists_checkpoints_newest_first_and_each_can_be_read_back(
    server: Any,
) -> None:
    async with server.client() as http:
        view = await start_story(http)

    async with get_client(url=server.url) as client:
        latest = await client.threads.get_state(view["thread_id"])
        history = await client.threads.get_history(view["thread_id"], limit=100)
        first = history[-1]["checkpoint"]
        at_first = await client.threads.get_state(view["thread_id"], checkpoint=first)
        two = await client.threads.get_history(view["thread_id"], limit=2)
        older = await client.threads.get_history(
            view["thread_id"], limit=100, before=history[0]["checkpoint"]
        )

    assert len(history) >= 2
    assert history[0]["checkpoint"] == latest["checkpoint"]
    created = [h["created_at"] for h in history]
    assert created == sorted(created, reverse=True)
    assert history[0]["parent_checkpoint"] == history[1]["checkpoint"]
    assert at_first["checkpoint"] == first and at_first["values"] == history[-1]["values"]
    assert [h["checkpoint"] for h in two] == [h["checkpoint"] for h in history[:2]]
    assert [h["checkpoint"] for h in older] == [h["checkpoint"] for h in history[1:]]


async def test_a_created_thread_is_idle_with_its_metadata_until_deleted(server: Any) -> None:
    async with get_client(url=server.url) as client:
        created = await client.threads.create(metadata={"team": "red", "n": 1})
        thread_id = created["thread_id"]
        got = await client.threads.get(thread_id)
        state = await client.threads.get_state(thread_id)
        history = await client.threads.get_history(thread_id)
        found = await client.threads.search(metadata={"team": "red"})
        counted = await client.threads.count(metadata={"team": "red"})
        await client.threads.delete(thread_id)
        with pytest.raises(httpx.HTTPStatusError) as gone:
            await client.threads.get(thread_id)

    assert created["status"] == "idle" and created["metadata"] == {"team": "red", "n": 1}
    assert got == created
    assert state["values"] == {} and state["next"] == [] and state["interrupts"] == []
    assert history == []
    assert [t["thread_id"] for t in found] == [thread_id]
    assert counted == 1
    assert gone.value.response.status_code == 404


async def test_creating_a_thread_id_twice_is_409_unless_told_to_do_nothing(server: Any) -> None:
    async with get_client(url=server.url) as client:
        first = await client.threads.create(thread_id="my-thread", metadata={"v": 1})
        again = await client.threads.create(
            thread_id="my-thread", metadata={"v": 2}, if_exists="do_nothing"
        )
        with pytest.raises(httpx.HTTPStatusError) as duplicate:
            await client.threads.create(thread_id="my-thread")

    assert first["thread_id"] == "my-thread"
    assert again == first
    assert duplicate.value.response.status_code == 409


async def test_thread_search_filters_sorts_and_pages_with_pagination_headers(
    server: Any,
) -> None:
    async with server.client() as http:
        story = await start_story(http)
    async with get_client(url=server.url) as client:
        made = [await client.threads.create(metadata={"batch": "b"}) for _ in range(3)]
        ids = [t["thread_id"] for t in made]
        by_ids = await client.threads.search(ids=[ids[0], story["thread_id"]])
        oldest_first = await client.threads.search(
            metadata={"batch": "b"}, sort_by="created_at", sort_order="asc"
        )
        by_values = await client.threads.search(values={"prompt": STORY["input"]["prompt"]})
        by_graph = await client.threads.search(metadata={"graph_id": "story"}, limit=100)
        assert await client.threads.count(status="interrupted") >= 1
    async with httpx.AsyncClient(base_url=server.url) as http:
        first_page = await http.post(
            "/threads/search", json={"metadata": {"batch": "b"}, "limit": 2}
        )
        last_page = await http.post(
            "/threads/search", json={"metadata": {"batch": "b"}, "limit": 2, "offset": 2}
        )

    assert {t["thread_id"] for t in by_ids} == {ids[0], story["thread_id"]}
    assert [t["thread_id"] for t in oldest_first] == ids
    assert [t["thread_id"] for t in by_values] == [story["thread_id"]]
    assert story["thread_id"] in [t["thread_id"] for t in by_graph]
    assert not set(ids) & {t["thread_id"] for t in by_graph}
    assert first_page.headers["X-Pagination-Next"] == "2"
    assert len(first_page.json()) == 2
    assert last_page.headers["X-Pagination-Total"] == "3"
    assert "X-Pagination-Next" not in last_page.headers


async def test_a_thread_pausepoint_ran_is_not_deleted_and_says_why(server: Any) -> None:
    async with server.client() as http:
        view = await start_story(http)
    async with get_client(url=server.url) as client:
        with pytest.raises(httpx.HTTPStatusError) as refused:
            await client.threads.delete(view["thread_id"])
        still = await client.threads.get(view["thread_id"])

    assert refused.value.response.status_code == 409
    assert "decision log" in refused.value.response.json()["detail"]
    assert still["status"] == "interrupted"


async def test_another_users_thread_does_not_exist_for_them(
    keyed_server: Any, api_keys: dict[str, str]
) -> None:
    async with keyed_server.client("ann") as http:
        view = await start_story(http)
    thread_id = view["thread_id"]

    async with (
        get_client(url=keyed_server.url, api_key=api_keys["ann"]) as ann,
        get_client(url=keyed_server.url, api_key=api_keys["bob"]) as bob,
    ):
        anns = await ann.threads.get(thread_id)
        made = await ann.threads.create(metadata={"who": "ann"})
        bobs_search = await bob.threads.search(limit=100)
        for read in (
            bob.threads.get(thread_id),
            bob.threads.get_state(thread_id),
            bob.threads.get_history(thread_id),
            bob.threads.get(made["thread_id"]),
            bob.threads.delete(made["thread_id"]),
            bob.threads.update(made["thread_id"], metadata={"who": "bob"}),
        ):
            with pytest.raises(httpx.HTTPStatusError) as hidden:
                await read
            assert hidden.value.response.status_code == 404
        with pytest.raises(httpx.HTTPStatusError) as taken:
            await bob.threads.create(thread_id=made["thread_id"], if_exists="do_nothing")

    assert anns["status"] == "interrupted"
    assert bobs_search == []
    assert taken.value.response.status_code == 409


async def test_the_api_takes_x_api_key_or_bearer_and_refuses_no_key(
    keyed_server: Any, api_keys: dict[str, str]
) -> None:
    async with httpx.AsyncClient(base_url=keyed_server.url) as http:
        by_header = await http.post(
            "/threads/search", json={}, headers={"x-api-key": api_keys["ann"]}
        )
        by_bearer = await http.post(
            "/threads/search", json={}, headers={"Authorization": f"Bearer {api_keys['bob']}"}
        )
        wrong = await http.post("/threads/search", json={}, headers={"x-api-key": "pp_wrong"})
        none = await http.post("/threads/search", json={})
        ok = await http.get("/ok")

    assert by_header.status_code == 200 and by_bearer.status_code == 200
    assert wrong.status_code == 401 and none.status_code == 401
    assert ok.status_code == 200


def test_the_sync_client_reads_the_same_threads(server: Any) -> None:
    with get_sync_client(url=server.url) as client:
        made = client.threads.create(metadata={"sync": True})
        found = client.threads.search(metadata={"sync": True})

    assert [t["thread_id"] for t in found] == [made["thread_id"]]


async def test_patch_merges_metadata_for_the_owner_only(server: Any) -> None:
    async with server.client() as http:
        view = await start_story(http)
    async with get_client(url=server.url) as client:
        created = await client.threads.create(metadata={"team": "blue"})
        patched = await client.threads.update(created["thread_id"], metadata={"topic": "fox"})
        again = await client.threads.get(created["thread_id"])
        started = await client.threads.update(view["thread_id"], metadata={"topic": "fox"})
        found = await client.threads.search(metadata={"topic": "fox"}, limit=100)

    assert patched["metadata"] == {"team": "blue", "topic": "fox"} == again["metadata"]
    assert started["metadata"]["topic"] == "fox" and started["metadata"]["graph_id"] == "story"
    assert {t["thread_id"] for t in found} == {created["thread_id"], view["thread_id"]}

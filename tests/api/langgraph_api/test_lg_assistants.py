"""The LangGraph API's assistants and meta routes through the real langgraph-sdk client."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

import httpx
import pytest
from langgraph_sdk import get_client, get_sync_client

from pausepoint.workflows.registry import BuildContext, WorkflowRegistry

#: langgraph-api's namespace for graphs' default assistants (langgraph_api/graph.py).
NAMESPACE_GRAPH = UUID("6ba7b821-9dad-11d1-80b4-00c04fd430c8")


def default_id(graph_id: str) -> str:
    return str(uuid5(NAMESPACE_GRAPH, graph_id))


async def test_each_workflow_is_a_default_assistant_with_langgraph_api_ids(
    server: Any, registry: WorkflowRegistry
) -> None:
    async with get_client(url=server.url) as client:
        assistants = await client.assistants.search(limit=100)
        count = await client.assistants.count()

    names = sorted(wf.name for wf in registry)
    assert sorted(a["graph_id"] for a in assistants) == names
    assert count == len(names)
    for a in assistants:
        assert a["assistant_id"] == default_id(a["graph_id"])
        assert a["name"] == a["graph_id"]
        assert a["metadata"] == {"created_by": "system"}
        assert a["config"] == {} and a["version"] == 1


async def test_assistant_search_pages_with_pagination_headers_and_filters(
    server: Any, registry: WorkflowRegistry
) -> None:
    total = len(list(registry))
    async with get_client(url=server.url) as client:
        first = await client.assistants.search(limit=2, response_format="object")
        rest = await client.assistants.search(limit=100, offset=2)
        story = await client.assistants.search(graph_id="story")
        by_name = await client.assistants.search(name="STOR", sort_by="name", sort_order="asc")
        none = await client.assistants.search(metadata={"created_by": "someone"})
    async with httpx.AsyncClient(base_url=server.url) as http:
        last_page = await http.post("/assistants/search", json={"limit": 100, "offset": 1})

    assert first["next"] == "2"
    seen = [a["graph_id"] for a in first["assistants"]] + [a["graph_id"] for a in rest]
    assert sorted(seen) == sorted(wf.name for wf in registry)
    assert [a["graph_id"] for a in story] == ["story"]
    assert [a["graph_id"] for a in by_name] == ["story"]
    assert none == []
    assert last_page.headers["X-Pagination-Total"] == str(total)
    assert "X-Pagination-Next" not in last_page.headers


async def test_an_assistant_is_found_by_its_id_or_its_graph_id_and_unknown_is_404(
    server: Any,
) -> None:
    async with get_client(url=server.url) as client:
        by_id = await client.assistants.get(default_id("story"))
        by_graph = await client.assistants.get("story")
        with pytest.raises(httpx.HTTPStatusError) as missing:
            await client.assistants.get("no-such-graph")

    assert by_id == by_graph
    assert by_id["graph_id"] == "story"
    assert missing.value.response.status_code == 404
    assert "no-such-graph" in missing.value.response.json()["detail"]


async def test_get_graph_draws_the_workflow_as_langgraph_does(
    server: Any, registry: WorkflowRegistry
) -> None:
    expected = registry.get("story").runnable(BuildContext(), None).get_graph().to_json()
    async with get_client(url=server.url) as client:
        drawn = await client.assistants.get_graph("story")
        xray = await client.assistants.get_graph(default_id("story"), xray=True)
        with pytest.raises(httpx.HTTPStatusError) as bad:
            await client.assistants.get_graph("story", xray=-1)

    assert [n["id"] for n in drawn["nodes"]] == [n["id"] for n in expected["nodes"]]
    assert drawn["edges"] == expected["edges"]
    assert {"__start__", "__end__"} <= {n["id"] for n in xray["nodes"]}
    assert bad.value.response.status_code == 422


async def test_get_schemas_gives_the_workflows_input_and_the_graphs_state_schema(
    server: Any, registry: WorkflowRegistry
) -> None:
    graph = registry.get("story").runnable(BuildContext(), None)
    async with get_client(url=server.url) as client:
        schemas = await client.assistants.get_schemas("story")
        subgraphs = await client.assistants.get_subgraphs("story")

    assert schemas["graph_id"] == "story"
    assert schemas["input_schema"] == registry.get("story").input_schema()
    assert set(schemas["state_schema"]["properties"]) == set(graph.stream_channels_list)
    assert isinstance(subgraphs, dict)


def test_sync_client_reads_assistants_and_writes_are_refused_as_not_supported(
    server: Any,
) -> None:
    with get_sync_client(url=server.url) as client:
        found = client.assistants.search(graph_id="story")
        with pytest.raises(httpx.HTTPStatusError) as create:
            client.assistants.create("story", name="mine")
        with pytest.raises(httpx.HTTPStatusError) as delete:
            client.assistants.delete(default_id("story"))

    assert [a["graph_id"] for a in found] == ["story"]
    for refused in (create, delete):
        assert refused.value.response.status_code == 501
        assert "not supported" in refused.value.response.json()["detail"]


async def test_ok_and_info_answer_as_langgraph_api(server: Any) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        ok = await http.get("/ok")
        info = await http.get("/info")

    assert ok.json() == {"ok": True}
    assert info.json()["flags"]["assistants"] is True
    assert info.json()["flags"]["crons"] is False
    assert info.json()["langgraph_py_version"]

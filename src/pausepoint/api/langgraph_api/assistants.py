"""Assistants: one default assistant per workflow this server serves, read-only.

Its id is langgraph-api's for a graph's default assistant (uuid5 of the graph id); anywhere an
assistant id is taken, the graph id is taken too, as langgraph-api does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from pausepoint.api.deps import Service
from pausepoint.api.langgraph_api import graphs, shapes
from pausepoint.api.langgraph_api.bodies import AssistantCount, AssistantSearch
from pausepoint.api.langgraph_api.deps import Reader, User
from pausepoint.api.langgraph_api.errors import ERRORS, AssistantNotFound, NotSupported
from pausepoint.api.langgraph_api.paging import page
from pausepoint.errors import InvalidInput, WorkflowNotFound
from pausepoint.service.threads import ThreadService

router = APIRouter(prefix="/assistants", tags=["LangGraph API"], responses=ERRORS)


def listed(request: Request, service: ThreadService) -> list[dict[str, Any]]:
    """The default assistants, created (for the API) when this app first listed them."""
    since = getattr(request.app.state, "langgraph_assistants_since", None)
    if not isinstance(since, datetime):
        since = request.app.state.langgraph_assistants_since = datetime.now(UTC)
    return [shapes.assistant(wf.name, wf.description, since) for wf in service.workflows]


def find(request: Request, service: ThreadService, assistant_id: str) -> dict[str, Any]:
    """The assistant with this id, or of the graph with this id; AssistantNotFound if none."""
    for assistant in listed(request, service):
        if assistant_id in (assistant["assistant_id"], assistant["graph_id"]):
            return assistant
    raise AssistantNotFound(
        f"no assistant {assistant_id!r}: this server has one assistant per graph "
        f"({', '.join(wf.name for wf in service.workflows)}); pass its graph id or assistant id"
    )


def _matching(
    request: Request, service: ThreadService, body: AssistantCount
) -> list[dict[str, Any]]:
    if body.graph_id is not None and body.graph_id not in {wf.name for wf in service.workflows}:
        raise WorkflowNotFound(f"no graph {body.graph_id!r}")
    return [
        a
        for a in listed(request, service)
        if (body.graph_id is None or a["graph_id"] == body.graph_id)
        and (not body.name or body.name.lower() in a["name"].lower())
        and all(a["metadata"].get(k) == v for k, v in (body.metadata or {}).items())
    ]


@router.post("/search")
async def search_assistants(
    body: AssistantSearch, request: Request, response: Response, service: Service, user: User
) -> list[dict[str, Any]]:
    """The assistants matching the filters, with `X-Pagination-Next`/`-Total`."""
    found = _matching(request, service, body)
    key = body.sort_by or "created_at"
    found.sort(key=lambda a: str(a[key]).lower())
    if body.sort_order != "asc":
        found.reverse()
    return page(found, body.offset, body.limit, response)


@router.post("/count")
async def count_assistants(
    body: AssistantCount, request: Request, service: Service, user: User
) -> int:
    return len(_matching(request, service, body))


@router.get("/{assistant_id}")
async def get_assistant(
    assistant_id: str, request: Request, service: Service, user: User
) -> dict[str, Any]:
    return find(request, service, assistant_id)


def _xray(value: str | None) -> bool | int:
    if not value or value in ("false", "False"):
        return False
    if value in ("true", "True"):
        return True
    if value.isdigit() and int(value) > 0:
        return int(value)
    raise InvalidInput(
        f"invalid xray value {value!r}: true, false or a depth of 1 or more",
        fields=[{"loc": "xray", "message": "true, false or a positive integer"}],
    )


@router.get("/{assistant_id}/graph")
async def get_assistant_graph(
    assistant_id: str,
    request: Request,
    service: Service,
    reader: Reader,
    user: User,
    xray: Annotated[str | None, Query(description="true, false, or a depth")] = None,
) -> dict[str, Any]:
    """The graph's drawable JSON (nodes and edges), subgraphs drawn `xray` levels deep."""
    depth = _xray(xray)
    graph = reader.graph(find(request, service, assistant_id)["graph_id"])
    return graphs.drawing(graph, depth)


@router.get("/{assistant_id}/schemas")
async def get_assistant_schemas(
    assistant_id: str, request: Request, service: Service, reader: Reader, user: User
) -> dict[str, Any]:
    """The graph's input, output, state, config and context JSON Schemas; the input schema is
    the workflow's, what a start is checked against."""
    graph_id = find(request, service, assistant_id)["graph_id"]
    schemas = graphs.schemas(reader.graph(graph_id))
    return {
        **schemas,
        "graph_id": graph_id,
        "input_schema": service.workflows.get(graph_id).input_schema(),
    }


@router.get("/{assistant_id}/subgraphs")
@router.get("/{assistant_id}/subgraphs/{namespace}")
async def get_assistant_subgraphs(
    assistant_id: str,
    request: Request,
    service: Service,
    reader: Reader,
    user: User,
    namespace: str | None = None,
    recurse: bool = False,
) -> dict[str, Any]:
    """The schemas of the graph's subgraphs, by namespace."""
    graph = reader.graph(find(request, service, assistant_id)["graph_id"])
    return graphs.subgraphs(graph, namespace, recurse)


_READ_ONLY = (
    "assistants here are read-only: each graph this server serves has its default assistant "
    "(configure graphs in langgraph.json); {what} is not supported"
)


@router.post("")
async def create_assistant(user: User) -> None:
    raise NotSupported(_READ_ONLY.format(what="creating an assistant"))


@router.patch("/{assistant_id}")
async def patch_assistant(assistant_id: str, user: User) -> None:
    raise NotSupported(_READ_ONLY.format(what="changing an assistant"))


@router.delete("/{assistant_id}")
async def delete_assistant(assistant_id: str, user: User) -> None:
    raise NotSupported(_READ_ONLY.format(what="deleting an assistant"))


@router.post("/{assistant_id}/versions")
@router.post("/{assistant_id}/latest")
async def assistant_versions(assistant_id: str, user: User) -> None:
    raise NotSupported(_READ_ONLY.format(what="assistant versions"))

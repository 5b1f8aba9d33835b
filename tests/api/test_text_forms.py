"""A chat client answers a form of several fields in words through POST /api/chat/continue:
a JSON object, or `field: value` lines; a reply that does not fit gets a 422 naming the fields
and the form still waits exactly as it was."""

from __future__ import annotations

import json
from typing import Any, Literal, TypedDict

import httpx
import pytest
from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel, Field

from pausepoint.domain import PauseRequest
from pausepoint.forms import ask
from pausepoint.workflows.registry import BuildContext, Workflow, WorkflowRegistry


class ReleaseRequest(BaseModel):
    prompt: str = Field(min_length=1)


class ReleaseForm(BaseModel):
    service: str = Field(min_length=1, description="The service to release.")
    version: str = Field(pattern=r"^v\d+\.\d+\.\d+$", description="Like v2.1.0.")
    target: Literal["staging", "production"] = "production"
    replicas: int = Field(default=1, ge=1)
    notify: bool = False


class ReleaseState(TypedDict, total=False):
    prompt: str
    release: dict[str, Any]


def build_release(ctx: BuildContext) -> StateGraph[ReleaseState, Any, Any, Any]:
    def details(state: ReleaseState) -> dict[str, Any]:
        form: ReleaseForm = ask(
            PauseRequest(kind="form", title="Release details", step="details"), ReleaseForm
        )
        return {"release": form.model_dump(mode="json")}

    graph = StateGraph(ReleaseState)
    graph.add_node("details", details)
    graph.add_edge(START, "details")
    graph.add_edge("details", END)
    return graph


RELEASE = Workflow(
    name="release",
    description="Test: asks a form of five fields, then returns it.",
    build=build_release,
    input_model=ReleaseRequest,
    result=lambda values: values.get("release"),
    state_types=(ReleaseForm,),
)


@pytest.fixture
def registry(registry: WorkflowRegistry) -> WorkflowRegistry:
    registry.register(RELEASE)
    return registry


async def start(client: httpx.AsyncClient, workflow: str, input: dict[str, Any]) -> str:
    started = await client.post("/api/threads", json={"workflow": workflow, "input": input})
    assert started.status_code == 201, started.text
    assert started.json()["status"] == "waiting"
    return str(started.json()["thread_id"])


async def reply(client: httpx.AsyncClient, thread_id: str, text: str) -> httpx.Response:
    return await client.post("/api/chat/continue", json={"thread_id": thread_id, "response": text})


async def test_a_form_of_several_fields_is_answered_with_json_text(server: Any) -> None:
    async with server.client() as client:
        tid = await start(client, "release", {"prompt": "ship it"})
        done = await reply(client, tid, json.dumps({"service": "user-api", "version": "v2.1.0"}))
        view = (await client.get(f"/api/threads/{tid}")).json()

    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"
    assert view["result"] == {
        "service": "user-api",
        "version": "v2.1.0",
        "target": "production",
        "replicas": 1,
        "notify": False,
    }


async def test_a_form_of_several_fields_is_answered_with_field_lines(server: Any) -> None:
    lines = "Service: user-api\nversion: v2.1.0; Target: Staging\nreplicas: 3\nnotify: yes"
    async with server.client() as client:
        tid = await start(client, "release", {"prompt": "ship it"})
        done = await reply(client, tid, lines)
        view = (await client.get(f"/api/threads/{tid}")).json()
        decisions = (await client.get(f"/api/threads/{tid}/decisions")).json()["decisions"]

    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"
    typed = {
        "service": "user-api",
        "version": "v2.1.0",
        "target": "staging",
        "replicas": 3,
        "notify": True,
    }
    assert view["result"] == typed
    assert [d["answer"] for d in decisions] == [typed]


async def test_a_reply_that_does_not_fit_gets_422_naming_the_fields_and_the_form_waits(
    server: Any,
) -> None:
    async with server.client() as client:
        tid = await start(client, "release", {"prompt": "ship it"})
        before = (await client.get(f"/api/threads/{tid}")).json()
        vague = await reply(client, tid, "user-api, the new one")
        wrong = await reply(client, tid, "service: user-api\nversion: v2.1\nreplicas: lots")
        broken = await reply(client, tid, '{"service": "user-api"')
        after = (await client.get(f"/api/threads/{tid}")).json()
        decisions = (await client.get(f"/api/threads/{tid}/decisions")).json()["decisions"]

    assert vague.status_code == 422
    assert vague.json()["error"] == "invalid_answer"
    assert [f["loc"] for f in vague.json()["fields"]] == ["service", "version"]
    assert "`field: value` lines" in vague.json()["detail"]
    assert wrong.status_code == 422
    assert wrong.json()["fields"] == [
        {"loc": "replicas", "message": "must be a whole number, not 'lots'"}
    ]
    assert broken.status_code == 422
    assert "not valid JSON" in broken.json()["fields"][0]["message"]
    for refused in (vague, wrong, broken):
        assert "is not of type 'object'" not in refused.text
    assert after["status"] == "waiting"
    assert after["pauses"] == before["pauses"]
    assert decisions == []


async def test_a_field_value_the_schema_refuses_is_named_by_validation(server: Any) -> None:
    async with server.client() as client:
        tid = await start(client, "release", {"prompt": "ship it"})
        refused = await reply(client, tid, "service: user-api; version: 2.1")

    assert refused.status_code == 422
    assert [f["loc"] for f in refused.json()["fields"]] == ["version"]


async def test_the_deploy_approval_is_approved_with_changes_in_words(server: Any) -> None:
    plan = {
        "target": "staging",
        "service": "user-api",
        "version": "v2.1.0",
        "estimated_downtime": "1 minute",
    }
    async with server.client() as client:
        tid = await start(client, "deploy", {"service": "user-api", "version": "v2.1.0"})
        done = await reply(client, tid, f"Approve with changes: {json.dumps(plan)}")
        view = (await client.get(f"/api/threads/{tid}")).json()

    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"
    assert view["result"]["deployment_result"]["target"] == "staging"

"""The A2A door with the real a2a-sdk client against a real Pausepoint server."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from a2a.client import A2AClientError
from a2a.types.a2a_pb2 import CancelTaskRequest, TaskState
from a2a.utils.constants import TransportProtocol
from a2a.utils.errors import A2AError, InvalidParamsError, TaskNotFoundError

from pausepoint.agents.a2a_parts import data_of
from pausepoint.domain import ThreadStatus
from pausepoint.service.threads import ThreadService

INPUT_REQUIRED = TaskState.TASK_STATE_INPUT_REQUIRED
COMPLETED = TaskState.TASK_STATE_COMPLETED


async def test_story_over_a2a_pauses_takes_a_comment_then_completes_on_accept(
    server: Any, connect: Any, story: dict[str, Any]
) -> None:
    a2a = await connect(server.url)
    task = await a2a.send(data=story)
    assert task.status.state == INPUT_REQUIRED
    (pause,) = a2a.pauses(task)
    assert pause["title"] == "Review the draft"
    assert a2a.text(task) == (
        f"Review the draft\n{pause['message']}\n\n"
        f"draft:\n{pause['context']['draft']}\n"
        "revision: 1\n"
        f"prompt: {story['input']['prompt']}\n\n"
        "Reply with one of:\n"
        '- "accept"\n'
        '- "update: <comments>" (Update with comments)\n'
        "Any other reply is taken as the comments of “Update with comments”."
    )
    assert pause["response_schema"]["discriminator"]["propertyName"] == "decision"
    assert [a["label"] for a in pause["actions"]] == ["Accept", "Update with comments"]

    task = await a2a.send(text="update: make it funnier", task=task)
    assert task.status.state == INPUT_REQUIRED
    (revised,) = a2a.pauses(task)
    assert revised["context"]["revision"] == 2
    assert revised["interrupt_id"] != pause["interrupt_id"]

    task = await a2a.send(text="accept", task=task)
    assert task.status.state == COMPLETED
    (artifact,) = task.artifacts
    assert data_of(artifact.parts) == [{"story": revised["context"]["draft"], "revisions": 2}]


async def test_a_data_part_answer_is_taken_as_is(
    server: Any, connect: Any, story: dict[str, Any]
) -> None:
    a2a = await connect(server.url)
    task = await a2a.send(data=story)
    task = await a2a.send(data={"answer": {"decision": "accept"}}, task=task)
    assert task.status.state == COMPLETED


async def test_invalid_answer_keeps_task_input_required_and_thread_unchanged(
    server: Any, connect: Any, story: dict[str, Any], server_service: ThreadService
) -> None:
    a2a = await connect(server.url)
    task = await a2a.send(data=story)
    (pause,) = a2a.pauses(task)
    thread_id = a2a.thread_id(task)

    refused = await a2a.send(text="update", task=task)

    assert refused.status.state == INPUT_REQUIRED
    assert "comments" in a2a.text(refused) and "field required" in a2a.text(refused)
    assert a2a.pauses(refused) == [pause]
    view = await server_service.get(thread_id)
    assert view.status is ThreadStatus.WAITING
    assert [p.interrupt_id for p in view.pauses] == [pause["interrupt_id"]]
    assert await server_service.decisions(thread_id) == []

    done = await a2a.send(text="accept", task=refused)
    assert done.status.state == COMPLETED


async def test_free_text_on_a_review_is_taken_as_the_comment_for_a_revision(
    server: Any, connect: Any, story: dict[str, Any]
) -> None:
    a2a = await connect(server.url)
    task = await a2a.send(data=story)
    revised = await a2a.send(text="give the keeper a dog", task=task)
    assert revised.status.state == INPUT_REQUIRED
    assert a2a.pauses(revised)[0]["context"]["revision"] == 2


async def test_paused_task_survives_a_server_restart_and_is_answerable_after_it(
    make_server: Any, connect: Any, story: dict[str, Any]
) -> None:
    server = make_server()
    a2a = await connect(server.url)
    task = await a2a.send(data=story)
    task = await a2a.send(text="update: make it funnier", task=task)
    (revised,) = a2a.pauses(task)

    server.restart()

    again = await connect(server.url)
    task = await again.send(text="accept", task=task)
    assert task.status.state == COMPLETED
    assert data_of(task.artifacts[0].parts)[0]["story"] == revised["context"]["draft"]


@pytest.mark.parametrize("restart", [False, True], ids=["live", "after-restart"])
async def test_cancelling_the_task_cancels_its_thread(
    make_server: Any, service_on: Any, connect: Any, story: dict[str, Any], restart: bool
) -> None:
    server = make_server()
    a2a = await connect(server.url)
    task = await a2a.send(data=story)
    if restart:
        server.restart()
        a2a = await connect(server.url)

    cancelled = await a2a.client.cancel_task(CancelTaskRequest(id=task.id))

    assert cancelled.status.state == TaskState.TASK_STATE_CANCELED
    async with service_on(server) as svc:
        view = await svc.get(a2a.thread_id(task))
        assert view.status is ThreadStatus.CANCELLED
        assert await svc.inbox("local") == []


async def test_a_new_message_for_an_unknown_workflow_is_rejected_naming_the_workflows(
    server: Any, connect: Any
) -> None:
    a2a = await connect(server.url)
    task = await a2a.send(data={"workflow": "no-such-flow", "input": {}})
    assert task.status.state == TaskState.TASK_STATE_REJECTED
    assert "no-such-flow" in a2a.text(task) and "story" in a2a.text(task)


async def test_a_new_message_with_bad_input_is_rejected_naming_the_field(
    server: Any, connect: Any
) -> None:
    a2a = await connect(server.url)
    task = await a2a.send(data={"workflow": "story", "input": {}})
    assert task.status.state == TaskState.TASK_STATE_REJECTED
    (problem,) = data_of(task.status.message.parts)
    assert problem["error"] == "invalid_input"
    assert problem["fields"][0]["loc"] == "prompt"


async def test_invalid_follow_ups_get_a2a_errors(
    server: Any, connect: Any, story: dict[str, Any]
) -> None:
    a2a = await connect(server.url)
    with pytest.raises(TaskNotFoundError):
        await a2a.send(text="accept", task_id="no-such-task", context_id="c")
    task = await a2a.send(data=story)
    with pytest.raises(InvalidParamsError, match="does not match"):
        await a2a.send(text="accept", task_id=task.id, context_id="another-context")
    done = await a2a.send(text="accept", task=task)
    assert done.status.state == COMPLETED
    with pytest.raises(A2AError, match="terminal state"):
        await a2a.send(text="accept", task=done)


async def test_decision_log_names_the_authenticated_a2a_caller(
    make_server: Any, service_on: Any, connect: Any, story: dict[str, Any]
) -> None:
    server = make_server("auth", keys="ann-key=ann")
    anonymous = await connect(server.url)
    with pytest.raises(A2AClientError, match="401"):
        await anonymous.send(data=story)
    ann = await connect(server.url, headers={"Authorization": "Bearer ann-key"})
    task = await ann.send(data=story)
    await ann.send(text="accept", task=task)
    async with service_on(server) as svc:
        (decision,) = await svc.decisions(ann.thread_id(task))
        assert decision.actor == "ann"
        assert (await svc.get(ann.thread_id(task))).owner == "ann"


async def test_0_3_json_rpc_message_send_drives_the_story(
    server: Any, connect: Any, story: dict[str, Any]
) -> None:
    legacy = await connect(server.url, card_filter=lambda i: i.protocol_version == "0.3")
    task = await legacy.send(data=story)
    assert task.status.state == INPUT_REQUIRED
    assert legacy.pauses(task)[0]["title"] == "Review the draft"
    task = await legacy.send(text="accept", task=task)
    assert task.status.state == COMPLETED


def test_agent_card_lists_a_skill_per_workflow_and_the_interfaces_served(server: Any) -> None:
    card = httpx.get(server.url + "/.well-known/agent-card.json", timeout=30).json()
    assert {s["id"] for s in card["skills"]} >= {"story", "remote"}
    interfaces = {(i["protocolBinding"], i["protocolVersion"]) for i in card["supportedInterfaces"]}
    assert interfaces == {("JSONRPC", "1.0"), ("HTTP+JSON", "1.0"), ("JSONRPC", "0.3")}
    assert card["url"] == server.url + "/a2a"  # the 0.3 card fields
    assert card["capabilities"]["streaming"] is True


async def test_rest_binding_drives_the_story(
    server: Any, connect: Any, story: dict[str, Any]
) -> None:
    rest = await connect(server.url, bindings=[TransportProtocol.HTTP_JSON])
    task = await rest.send(data=story)
    assert task.status.state == INPUT_REQUIRED
    task = await rest.send(text="accept", task=task)
    assert task.status.state == COMPLETED


async def test_streaming_ends_input_required_with_the_pause(
    server: Any, connect: Any, story: dict[str, Any]
) -> None:
    streaming = await connect(server.url, streaming=True)
    events = await streaming.events(data=story)
    last = events[-1]
    assert last.HasField("status_update")
    assert last.status_update.status.state == INPUT_REQUIRED
    assert data_of(last.status_update.status.message.parts)[0]["title"] == "Review the draft"


async def test_an_answer_to_a_pause_answered_from_another_door_is_not_applied_to_the_next(
    server: Any, connect: Any, story: dict[str, Any], server_service: ThreadService
) -> None:
    a2a = await connect(server.url)
    task = await a2a.send(data=story)
    thread_id = a2a.thread_id(task)
    await server_service.answer(thread_id, {"decision": "update", "comments": "shorter"}, "local")

    stale = await a2a.send(text="accept", task=task)

    assert stale.status.state == INPUT_REQUIRED
    assert "another door" in a2a.text(stale)
    (current,) = a2a.pauses(stale)
    assert current["context"]["revision"] == 2
    assert len(await server_service.decisions(thread_id)) == 1
    done = await a2a.send(text="accept", task=stale)
    assert done.status.state == COMPLETED


async def test_a_failed_thread_is_a_failed_task_with_the_error(server: Any, connect: Any) -> None:
    a2a = await connect(server.url)
    unreachable = {"url": "http://127.0.0.1:9", "message": "hi", "timeout_seconds": 5}
    task = await a2a.send(data={"workflow": "remote", "input": unreachable})
    assert task.status.state == TaskState.TASK_STATE_FAILED
    assert "remote agent http://127.0.0.1:9" in a2a.text(task)


async def test_an_approval_is_answered_over_a2a_by_naming_its_action(
    server: Any, connect: Any
) -> None:
    a2a = await connect(server.url)
    plan = {"service": "user-api", "version": "v2.1.0"}
    task = await a2a.send(data={"workflow": "deploy", "input": plan})
    assert task.status.state == INPUT_REQUIRED
    (pause,) = a2a.pauses(task)
    assert pause["kind"] == "approval" and pause["payload_digest"]

    task = await a2a.send(text="approve", task=task)

    assert task.status.state == COMPLETED
    (result,) = data_of(task.artifacts[0].parts)
    assert result["deployment_result"]["status"] == "deployed"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            b'\xff\xfe{"message": {}}',
            "request body is not UTF-8 text: invalid start byte at byte 0",
        ),
        (b'{"message": ' + b"[" * 100_000, "request body is nested deeper than 64 levels"),
        (
            b'{"message": {"parts": NaN}}',
            "request body is not valid JSON: NaN is not a JSON number",
        ),
    ],
    ids=["not-utf8", "deep", "nan"],
)
async def test_a_body_that_is_not_a_json_document_gets_400_on_rest_and_a_parse_error_on_json_rpc(
    server: Any, body: bytes, reason: str
) -> None:
    headers = {"A2A-Version": "1.0", "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30) as http:
        rest = [
            await http.post(path, content=body)
            for path in (
                "/a2a/rest/message:send",
                "/a2a/rest/message:stream",
                "/a2a/rest/tasks/some-task/pushNotificationConfigs",
            )
        ]
        rpc = await http.post("/a2a", content=body)

    for response in rest:
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error["status"] == "INVALID_ARGUMENT"
        assert error["message"] == reason
    assert rpc.status_code == 200
    assert rpc.json()["id"] is None
    assert rpc.json()["error"]["code"] == -32700  # JSON-RPC's parse error
    assert rpc.json()["error"]["message"] == reason


async def test_openapi_documents_the_a2a_routes_parameters_and_errors(server: Any) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        spec = (await http.get("/openapi.json")).json()

    get_task = spec["paths"]["/a2a/rest/tasks/{id}"]["get"]
    assert {"in": "path", "name": "id"}.items() <= get_task["parameters"][-1].items()
    assert set(get_task["responses"]) == {"200", "400", "401", "404", "413"}
    assert "application/a2a+json" in get_task["responses"]["200"]["content"]
    error = get_task["responses"]["404"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/A2AError"}
    stream = spec["paths"]["/a2a/rest/message:stream"]["post"]["responses"]["200"]["content"]
    assert "text/event-stream" in stream
    rpc = spec["paths"]["/a2a"]["post"]["responses"]
    assert set(rpc) == {"200", "401", "413"}

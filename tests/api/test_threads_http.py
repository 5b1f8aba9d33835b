"""The JSON thread API against a real uvicorn server: the story loop, errors that tell."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

STORY = {"workflow": "story", "input": {"prompt": "a lighthouse keeper who finds a map"}}


async def start_story(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.post("/api/threads", json=STORY)
    assert response.status_code == 201, response.text
    view: dict[str, Any] = response.json()
    assert view["status"] == "waiting"
    return view


async def test_story_review_loop_runs_to_the_accepted_story_over_http(server: Any) -> None:
    async with server.client() as client:
        view = await start_story(client)
        pause = view["pauses"][0]
        assert pause["title"] == "Review the draft"
        assert [a["label"] for a in pause["actions"]] == ["Accept", "Update with comments"]
        assert pause["response_schema"]["discriminator"]["propertyName"] == "decision"

        thread = f"/api/threads/{view['thread_id']}"
        update = {"answer": {"decision": "update", "comments": "make it funnier"}}
        revised = (await client.post(f"{thread}/answers", json=update)).json()
        assert revised["status"] == "waiting"
        assert revised["pauses"][0]["context"]["revision"] == 2
        draft = revised["pauses"][0]["context"]["draft"]

        accept = {
            "interrupt_id": revised["pauses"][0]["interrupt_id"],
            "answer": {"decision": "accept"},
        }
        done = (await client.post(f"{thread}/answers", json=accept)).json()
        assert done["status"] == "completed"
        assert done["result"] == {"story": draft, "revisions": 2}

        decisions = (await client.get(f"{thread}/decisions")).json()["decisions"]
        assert [(d["actor"], d["answer"]["decision"]) for d in decisions] == [
            ("local", "update"),
            ("local", "accept"),
        ]
        listed = (await client.get("/api/threads", params={"status": "completed"})).json()
        assert [t["thread_id"] for t in listed["threads"]] == [view["thread_id"]]


async def test_invalid_answer_gets_422_naming_the_field_and_the_thread_still_waits(
    server: Any,
) -> None:
    async with server.client() as client:
        view = await start_story(client)
        thread = f"/api/threads/{view['thread_id']}"

        response = await client.post(
            f"{thread}/answers", json={"answer": {"decision": "update", "comments": ""}}
        )

        assert response.status_code == 422
        body = response.json()
        assert body["error"] == "invalid_answer"
        assert {"loc": "comments", "message": "must not be empty"} in body["fields"]
        assert {f["loc"] for f in body["fields"]} == {"comments"}
        after = (await client.get(thread)).json()
        assert after["status"] == "waiting"
        assert after["pauses"] == view["pauses"]
        assert (await client.get(f"{thread}/decisions")).json()["decisions"] == []


async def test_body_that_is_not_json_or_has_unknown_fields_gets_422_and_changes_nothing(
    server: Any,
) -> None:
    async with server.client() as client:
        view = await start_story(client)
        thread = f"/api/threads/{view['thread_id']}"

        not_json = await client.post(
            f"{thread}/answers", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        unknown = await client.post(
            f"{thread}/answers", json={"answer": {"decision": "accept"}, "sneaky": 1}
        )

        assert not_json.status_code == 422
        assert not_json.json()["error"] == "invalid_request"
        assert (
            not_json.json()["detail"]
            == "request body is not valid JSON: Expecting property name enclosed in double quotes"
            " at line 1 column 2"
        )
        assert unknown.status_code == 422
        assert unknown.json()["fields"][0]["loc"] == "sneaky"
        after = (await client.get(thread)).json()
        assert after["status"] == "waiting"
        assert after["pauses"] == view["pauses"]


async def test_a_body_wrong_method_or_unknown_path_gets_the_same_error_shape(
    server: Any,
) -> None:
    async with server.client() as client:
        view = await start_story(client)
        answers = f"/api/threads/{view['thread_id']}/answers"

        not_utf8 = await client.post(
            answers, content=b'{"answer": "\xff"}', headers={"Content-Type": "application/json"}
        )
        wrong_method = await client.put(answers, json={"answer": {"decision": "accept"}})
        unknown = await client.get("/api/no-such-route")

        assert not_utf8.status_code == 422
        assert not_utf8.json()["error"] == "invalid_request"
        assert not_utf8.json()["detail"] == (
            "request body is not UTF-8 text: invalid start byte at byte 12"
        )
        assert wrong_method.status_code == 405
        assert wrong_method.headers["allow"] == "POST"
        assert wrong_method.json() == {
            "error": "method_not_allowed",
            "detail": "Method Not Allowed",
            "fields": [],
        }
        assert unknown.status_code == 404
        assert unknown.json() == {"error": "not_found", "detail": "Not Found", "fields": []}
        after = (await client.get(f"/api/threads/{view['thread_id']}")).json()
        assert after["status"] == "waiting"
        assert after["pauses"] == view["pauses"]


async def test_second_answer_to_the_same_pause_gets_409_saying_who_answered_and_when(
    server: Any,
) -> None:
    async with server.client() as client:
        view = await start_story(client)
        thread = f"/api/threads/{view['thread_id']}"
        accept = {
            "interrupt_id": view["pauses"][0]["interrupt_id"],
            "answer": {"decision": "accept"},
        }
        assert (await client.post(f"{thread}/answers", json=accept)).status_code == 200

        again = await client.post(f"{thread}/answers", json=accept)

        assert again.status_code == 409
        assert again.json()["error"] == "already_answered"
        assert "answered by 'local' at " in again.json()["detail"]
        assert (await client.get(thread)).json()["status"] == "completed"


async def test_twenty_concurrent_answers_to_one_pause_have_exactly_one_winner(
    server: Any,
) -> None:
    async with server.client() as client:
        view = await start_story(client)
        thread = f"/api/threads/{view['thread_id']}"
        accept = {
            "interrupt_id": view["pauses"][0]["interrupt_id"],
            "answer": {"decision": "accept"},
        }

        responses = await asyncio.gather(
            *(client.post(f"{thread}/answers", json=accept) for _ in range(20))
        )

        codes = sorted(r.status_code for r in responses)
        assert codes == [200] + [409] * 19
        assert len((await client.get(f"{thread}/decisions")).json()["decisions"]) == 1


async def test_unknown_thread_and_unknown_workflow_get_404(server: Any) -> None:
    async with server.client() as client:
        missing = await client.get("/api/threads/nope")
        no_workflow = await client.post("/api/threads", json={"workflow": "nope", "input": {}})

    assert missing.status_code == 404
    assert missing.json()["error"] == "thread_not_found"
    assert no_workflow.status_code == 404
    assert no_workflow.json()["error"] == "workflow_not_found"


async def test_invalid_workflow_input_gets_422_naming_the_field(server: Any) -> None:
    async with server.client() as client:
        response = await client.post("/api/threads", json={"workflow": "story", "input": {}})

    assert response.status_code == 422
    assert response.json()["fields"][0]["loc"] == "prompt"


async def test_inbox_lists_waiting_pauses_newest_first_and_leaves_out_answered_ones(
    server: Any,
) -> None:
    async with server.client() as client:
        first = await start_story(client)
        second = await start_story(client)
        answered = await start_story(client)
        await client.post(
            f"/api/threads/{answered['thread_id']}/answers", json={"answer": {"decision": "accept"}}
        )

        inbox = (await client.get("/api/inbox")).json()["inbox"]

    assert [i["thread_id"] for i in inbox] == [second["thread_id"], first["thread_id"]]
    assert inbox[0]["title"] == "Review the draft"


async def test_an_offset_beyond_the_largest_sql_integer_gets_422_naming_it(server: Any) -> None:
    largest = 2**63 - 1
    async with server.client() as client:
        await start_story(client)
        pages = {
            route: [await client.get(route, params={"offset": n}) for n in (largest, largest + 1)]
            for route in ("/api/inbox", "/api/threads")
        }

    for route, (last, beyond) in pages.items():
        assert last.status_code == 200, (route, last.text)
        assert beyond.status_code == 422, (route, beyond.text)
        assert beyond.json()["fields"][0]["loc"] == "offset"
    assert pages["/api/inbox"][0].json()["inbox"] == []
    assert pages["/api/threads"][0].json()["threads"] == []


async def test_cancelled_thread_leaves_the_inbox_and_refuses_answers(server: Any) -> None:
    async with server.client() as client:
        view = await start_story(client)
        thread = f"/api/threads/{view['thread_id']}"

        cancelled = await client.post(f"{thread}/cancel")
        answer = await client.post(f"{thread}/answers", json={"answer": {"decision": "accept"}})
        inbox = (await client.get("/api/inbox")).json()["inbox"]

    assert cancelled.json()["status"] == "cancelled"
    assert answer.status_code == 409
    assert inbox == []


async def test_workflows_are_listed_with_their_input_schema(server: Any) -> None:
    async with server.client() as client:
        workflows = (await client.get("/api/workflows")).json()["workflows"]

    story = next(w for w in workflows if w["name"] == "story")
    assert "prompt" in story["input_schema"]["properties"]


async def test_agents_lists_local_tools_and_every_workflow(server: Any) -> None:
    async with server.client() as client:
        agents = (await client.get("/api/agents")).json()["agents"]

    names = {a["name"] for a in agents}
    assert {"calculator", "story"} <= names
    story = next(a for a in agents if a["name"] == "story")
    assert story["description"] and story["skills"]


async def test_openapi_documents_every_route_with_examples(server: Any) -> None:
    async with server.client() as client:
        spec = (await client.get("/openapi.json")).json()

    paths = spec["paths"]
    for path in (
        "/api/threads",
        "/api/threads/{thread_id}/answers",
        "/api/inbox",
        "/api/agents",
        "/api/chat",
        "/api/chat/continue",
        "/api/chat/status/{thread_id}",
        "/api/events",
        "/human_input",
        "/orchestrator/status/{task_id}",
        "/process",
        "/workflow_resume",
    ):
        assert path in paths, path
    schemas = spec["components"]["schemas"]
    for name in ("StartThread", "AnswerRequest", "ChatRequest", "ChatResponse", "ErrorBody"):
        assert schemas[name]["examples"], name
    answer_errors = paths["/api/threads/{thread_id}/answers"]["post"]["responses"]
    assert {"404", "409", "422"} <= set(answer_errors)


async def test_answers_keyed_by_interrupt_id_are_applied(server: Any) -> None:
    async with server.client() as client:
        view = await start_story(client)
        interrupt_id = view["pauses"][0]["interrupt_id"]

        done = await client.post(
            f"/api/threads/{view['thread_id']}/answers",
            json={"answers": {interrupt_id: {"decision": "accept"}}},
        )

    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"


async def test_an_answer_request_with_both_or_neither_form_gets_422(server: Any) -> None:
    async with server.client() as client:
        view = await start_story(client)
        url = f"/api/threads/{view['thread_id']}/answers"

        both = await client.post(url, json={"answer": {"decision": "accept"}, "answers": {}})
        neither = await client.post(url, json={})

    assert both.status_code == 422
    assert neither.status_code == 422
    assert "either `answer` or `answers`" in neither.json()["detail"]


DEPLOY = {"workflow": "deploy", "input": {"service": "user-api", "version": "v2.1.0"}}


async def test_export_edit_import_over_http_completes_the_thread(server: Any) -> None:
    async with server.client() as client:
        view = (await client.post("/api/threads", json=DEPLOY)).json()
        state = (await client.get(f"/api/threads/{view['thread_id']}/export")).json()
        assert state["steps"]["deploy"]["status"] == "paused_for_approval"
        state["steps"]["deploy"]["status"] = "completed"
        state["context"]["deployment_result"] = {"status": "deployed by hand"}

        done = await client.post("/api/threads/import", json=state)

    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"
    assert done.json()["result"]["deployment_result"] == {"status": "deployed by hand"}


async def test_a_bad_state_file_gets_422_naming_the_field_and_changes_nothing(
    server: Any,
) -> None:
    async with server.client() as client:
        view = (await client.post("/api/threads", json=DEPLOY)).json()
        export = f"/api/threads/{view['thread_id']}/export"
        state = (await client.get(export)).json()
        edited = {**state, "steps": {**state["steps"], "deploy": {**state["steps"]["deploy"]}}}
        edited["steps"]["deploy"]["status"] = "done"

        refused = await client.post("/api/threads/import", json=edited)
        after = (await client.get(export)).json()

    assert refused.status_code == 422
    assert any(f["loc"].startswith("steps.deploy.status") for f in refused.json()["fields"])
    assert after == state


async def test_thread_list_pages_through_the_callers_own_threads_only(keyed_server: Any) -> None:
    async with keyed_server.client("ann") as ann, keyed_server.client("bob") as bob:
        mine = [(await start_story(ann))["thread_id"] for _ in range(3)]
        await start_story(bob)
        await start_story(bob)
        await ann.post(f"/api/threads/{mine[0]}/cancel")  # now the most recently updated

        def ids(response: httpx.Response) -> list[str]:
            assert response.status_code == 200, response.text
            return [t["thread_id"] for t in response.json()["threads"]]

        first = ids(await ann.get("/api/threads", params={"limit": 2}))
        rest = ids(await ann.get("/api/threads", params={"limit": 2, "offset": 2}))
        waiting = ids(await ann.get("/api/threads", params={"status": "waiting"}))

    assert first == [mine[0], mine[2]]
    assert rest == [mine[1]]
    assert waiting == [mine[2], mine[1]]

"""The chat API (design-notes/4) and the compatibility routes (design-notes/1 and /3)."""

from __future__ import annotations

from typing import Any


async def test_chat_pends_for_user_input_then_completes_on_continue(server: Any) -> None:
    async with server.client() as client:
        started = await client.post("/api/chat", json={"prompt": "help me analyse data"})
        assert started.status_code == 200, started.text
        chat = started.json()
        assert chat["status"] == "pending_user_input"
        assert chat["requires_user_input"] is True
        assert chat["question_for_user"] == "What kind of data is it?"
        assert chat["pauses"][0]["response_schema"]["required"] == ["text"]

        status = (await client.get(f"/api/chat/status/{chat['thread_id']}")).json()
        assert status["status"] == "pending_user_input"

        done = await client.post(
            "/api/chat/continue", json={"thread_id": chat["thread_id"], "response": "sales data"}
        )

    assert done.status_code == 200, done.text
    assert done.json() == {
        "thread_id": chat["thread_id"],
        "status": "completed",
        "question_for_user": None,
        "requires_user_input": False,
        "final_response": "Analysed sales data for: help me analyse data",
        "task_agent_pairs": [],
        "error_message": None,
        "pauses": [],
        "progress": None,
    }


async def test_chat_with_the_id_of_a_waiting_conversation_answers_it(server: Any) -> None:
    async with server.client() as client:
        chat = (await client.post("/api/chat", json={"prompt": "q", "thread_id": "conv-1"})).json()
        assert chat["thread_id"] == "conv-1"

        done = (
            await client.post("/api/chat", json={"prompt": "logs", "thread_id": "conv-1"})
        ).json()

    assert done["status"] == "completed"
    assert done["final_response"] == "Analysed logs for: q"


async def test_continue_with_blank_text_gets_422_and_the_chat_still_waits(server: Any) -> None:
    async with server.client() as client:
        chat = (await client.post("/api/chat", json={"prompt": "q"})).json()

        bad = await client.post(
            "/api/chat/continue", json={"thread_id": chat["thread_id"], "response": ""}
        )
        status = (await client.get(f"/api/chat/status/{chat['thread_id']}")).json()

    assert bad.status_code == 422
    assert bad.json()["fields"][0]["loc"] == "text"
    assert status["status"] == "pending_user_input"


async def test_story_review_in_plain_text_through_chat_continue(server: Any) -> None:
    async with server.client() as client:
        view = (
            await client.post(
                "/api/threads", json={"workflow": "story", "input": {"prompt": "a fox"}}
            )
        ).json()
        thread_id = view["thread_id"]

        revised = (
            await client.post(
                "/api/chat/continue", json={"thread_id": thread_id, "response": "more foxes"}
            )
        ).json()
        accepted = (
            await client.post(
                "/api/chat/continue", json={"thread_id": thread_id, "response": "Accept"}
            )
        ).json()
        decisions = (await client.get(f"/api/threads/{thread_id}/decisions")).json()["decisions"]

    assert revised["status"] == "pending_user_input"
    assert revised["pauses"][0]["context"]["revision"] == 2
    assert accepted["status"] == "completed"
    assert [d["answer"] for d in decisions] == [
        {"decision": "update", "comments": "more foxes"},
        {"decision": "accept"},
    ]


async def test_process_then_workflow_resume_runs_the_story_form_loop(server: Any) -> None:
    async with server.client() as client:
        paused = (
            await client.post("/process", json={"workflow": "story", "input": "a fox"})
        ).json()
        assert paused["paused"] is True
        form = paused["form"]
        assert form["title"] == "Review the draft"
        assert [f["name"] for f in form["fields"]] == ["comments"]
        assert [a["label"] for a in form["actions"]] == ["Accept", "Update with comments"]
        first_draft = form["context"]["draft"]

        again = (
            await client.post(
                "/workflow_resume",
                json={
                    "execution_id": paused["execution_id"],
                    "data": {"decision": "update", "comments": "give it a twist"},
                },
            )
        ).json()
        assert again["paused"] is True
        assert again["form"]["context"]["revision"] == 2
        assert again["form"]["context"]["draft"] != first_draft

        done = (
            await client.post(
                "/workflow_resume",
                json={"execution_id": paused["execution_id"], "data": {"decision": "accept"}},
            )
        ).json()

    assert done["paused"] is False
    assert done["form"] is None
    assert done["response"] == {"story": again["form"]["context"]["draft"], "revisions": 2}


async def test_workflow_resume_with_an_invalid_form_gets_422_and_keeps_the_form(
    server: Any,
) -> None:
    async with server.client() as client:
        paused = (
            await client.post("/process", json={"workflow": "story", "input": "a fox"})
        ).json()
        bad = await client.post(
            "/workflow_resume",
            json={"execution_id": paused["execution_id"], "data": {"decision": "update"}},
        )
        status = (await client.get(f"/orchestrator/status/{paused['execution_id']}")).json()

    assert bad.status_code == 422
    assert bad.json()["fields"] == [{"loc": "comments", "message": "field required"}]
    assert status["status"] == "WAITING_FOR_HUMAN_INPUT"


async def test_human_input_answers_the_task_and_status_reports_it(server: Any) -> None:
    async with server.client() as client:
        chat = (await client.post("/api/chat", json={"prompt": "q"})).json()
        task = chat["thread_id"]
        waiting = (await client.get(f"/orchestrator/status/{task}")).json()

        answered = await client.post("/human_input", json={"task_id": task, "user_input": "csv"})
        after = (await client.get(f"/orchestrator/status/{task}")).json()

    assert waiting["status"] == "WAITING_FOR_HUMAN_INPUT"
    assert waiting["prompt"] == "What kind of data is it?"
    assert answered.status_code == 200
    assert after["status"] == "COMPLETED"
    assert after["result"]["final_response"] == "Analysed csv for: q"


async def test_the_server_applies_the_default_answer_when_a_deadline_passes(
    server: Any, open_sse: Any
) -> None:
    async with open_sse(None) as events, server.client() as client:
        started = await client.post(
            "/api/threads", json={"workflow": "timed", "input": {"prompt": "q"}}
        )
        thread_id = started.json()["thread_id"]
        await events.until(lambda m: m.get("event") == "completed" and m["thread_id"] == thread_id)
        view = (await client.get(f"/api/threads/{thread_id}")).json()
        decisions = (await client.get(f"/api/threads/{thread_id}/decisions")).json()["decisions"]

    assert view["status"] == "completed"
    assert view["result"]["final_response"] == "nobody answered"
    assert [d["actor"] for d in decisions] == ["system:deadline"]

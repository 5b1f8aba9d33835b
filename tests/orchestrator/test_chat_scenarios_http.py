"""design-notes/4's "Testing Interactive Workflows" over HTTP, the requests as the note writes
them, against a real server whose chat workflow is the real orchestrator."""

from typing import Any

import httpx

HEADERS = {"Content-Type": "application/json"}
NUMBERS = "Which numbers should I analyse?"


async def _post(url: str, path: str, body: dict[str, Any]) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        return await client.post(path, json=body, headers=HEADERS)


async def _get(url: str, path: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        return await client.get(path)


async def test_scenario_1_find_me_a_weather_agent_completes_with_the_agent(
    chat_server: str,
) -> None:
    response = await _post(chat_server, "/api/chat", {"prompt": "Find me a weather agent"})

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "completed"
    assert body["requires_user_input"] is False
    assert body["error_message"] is None
    assert [(p["agent"], p["chosen_by"]) for p in body["task_agent_pairs"]] == [
        ("weather", "found")
    ]
    assert "- weather: Reports the weather forecast for a city." in body["final_response"]
    thread = (await _get(chat_server, f"/api/threads/{body['thread_id']}")).json()
    assert thread["result"]["tasks"] == []
    assert thread["steps"] == {}


async def test_scenario_2_guidance_is_asked_then_the_continued_conversation_runs(
    chat_server: str,
) -> None:
    started = await _post(
        chat_server, "/api/chat", {"prompt": "Help me analyze data but I need guidance"}
    )
    assert started.status_code == 200
    first = started.json()
    assert first["status"] == "pending_user_input"
    assert first["requires_user_input"] is True
    assert first["question_for_user"].startswith(
        "What would you like me to do, and with which data?"
    )
    thread_id = first["thread_id"]

    continued = await _post(
        chat_server,
        "/api/chat/continue",
        {"response": "I want to analyze sales data", "thread_id": thread_id},
    )
    assert continued.status_code == 200
    second = continued.json()
    assert (second["thread_id"], second["status"]) == (thread_id, "pending_user_input")
    assert second["question_for_user"].startswith(NUMBERS)
    assert "“I want to analyze sales data”" in second["question_for_user"]

    finished = await _post(
        chat_server, "/api/chat/continue", {"response": "120, 340, 560", "thread_id": thread_id}
    )
    done = finished.json()
    assert done["status"] == "completed"
    assert done["requires_user_input"] is False
    assert done["final_response"].startswith("count 3, sum 1020, mean 340")
    assert [(p["task_id"], p["agent"]) for p in done["task_agent_pairs"]] == [("t1", "statistics")]
    status = (await _get(chat_server, f"/api/chat/status/{thread_id}")).json()
    assert status["status"] == "completed"
    assert status["final_response"] == done["final_response"]


async def test_the_notes_data_analysis_request_with_max_results_asks_until_it_has_the_data(
    chat_server: str,
) -> None:
    started = await _post(
        chat_server,
        "/api/chat",
        {"prompt": "I need help with data analysis", "max_results": 5},
    )
    assert started.status_code == 200
    first = started.json()
    assert first["status"] == "pending_user_input"
    assert first["question_for_user"].startswith(NUMBERS)

    again = await _post(
        chat_server,
        "/api/chat/continue",
        {
            "response": "I'm analyzing sales data from our e-commerce platform",
            "thread_id": first["thread_id"],
        },
    )
    assert again.json()["status"] == "pending_user_input"
    assert again.json()["question_for_user"].startswith(NUMBERS)

    done = await _post(
        chat_server,
        "/api/chat/continue",
        {"response": "1200 950 1430", "thread_id": first["thread_id"]},
    )
    assert done.json()["status"] == "completed"
    assert "sum 3580" in done.json()["final_response"]


async def test_max_results_given_to_the_chat_caps_the_agents_listed(chat_server: str) -> None:
    every = (await _post(chat_server, "/api/chat", {"prompt": "list all agents"})).json()
    two = (
        await _post(chat_server, "/api/chat", {"prompt": "list all agents", "max_results": 2})
    ).json()

    assert len(every["task_agent_pairs"]) > 2
    assert two["status"] == "completed"
    assert two["task_agent_pairs"] == every["task_agent_pairs"][:2]


async def test_a_bad_max_results_is_a_422_naming_the_field_and_starts_no_thread(
    chat_server: str,
) -> None:
    as_input = await _post(
        chat_server,
        "/api/threads",
        {"workflow": "orchestrator", "input": {"prompt": "list all agents", "max_results": 0}},
    )
    as_chat = await _post(
        chat_server, "/api/chat", {"prompt": "list all agents", "max_results": 51}
    )

    assert as_input.status_code == 422
    assert [f["loc"] for f in as_input.json()["fields"]] == ["max_results"]
    assert as_chat.status_code == 422
    assert [f["loc"] for f in as_chat.json()["fields"]] == ["max_results"]
    threads = (await _get(chat_server, "/api/threads")).json()
    assert threads["threads"] == []

"""A request to find agents is answered from the directory: the matches, and nothing run."""

import pytest

from pausepoint.agents.fakes import ScriptedChatModel
from pausepoint.domain import ThreadStatus
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings

WEATHER = "Reports the weather forecast for a city."


async def test_find_me_a_weather_agent_lists_the_weather_workflow_and_runs_nothing(
    weather_settings: Settings,
) -> None:
    async with ThreadService.open(weather_settings, chat_model=None) as svc:
        view = await svc.start("orchestrator", {"prompt": "Find me a weather agent"}, "ann")
        decisions = await svc.decisions(view.thread_id)

    assert view.status is ThreadStatus.COMPLETED
    assert view.pauses == []
    [pair] = view.result["task_agent_pairs"]
    assert pair["score"] > 0
    assert {k: v for k, v in pair.items() if k != "score"} == {
        "task_id": "t1",
        "task": "Find me a weather agent",
        "agent": "weather",
        "chosen_by": "found",
        "description": WEATHER,
    }
    assert view.result["answer"] == f"Agents for “weather”:\n- weather: {WEATHER}"
    assert view.result["tasks"] == []
    assert view.steps == {}
    assert decisions == []


async def test_a_find_request_nothing_matches_says_so_and_names_the_agents_there_are(
    service: ThreadService,
) -> None:
    view = await service.start("orchestrator", {"prompt": "Find me a weather agent"}, "ann")

    assert view.status is ThreadStatus.COMPLETED
    assert view.result["task_agent_pairs"] == []
    assert view.result["tasks"] == []
    answer = view.result["answer"]
    assert answer.startswith("No agent matches “weather”. The agents are: ")
    assert {"calculator", "statistics", "story", "remote"} <= set(
        answer.removeprefix("No agent matches “weather”. The agents are: ").rstrip(".").split(", ")
    )


@pytest.mark.parametrize(
    "request_",
    [
        "search for agents that convert units",
        "look for an agent to convert units",
        "Which agents can convert units?",
        "please list the agents that convert units",
        "Can you find me an agent for unit conversion",
    ],
)
async def test_find_requests_in_other_words_find_the_same_agent(
    service: ThreadService, request_: str
) -> None:
    view = await service.start("orchestrator", {"prompt": request_}, "ann")

    assert view.status is ThreadStatus.COMPLETED
    assert view.result["task_agent_pairs"][0]["agent"] == "unit-converter"
    assert view.result["tasks"] == []


async def test_list_all_agents_lists_every_agent_or_max_results_of_them(
    service: ThreadService,
) -> None:
    every = await service.start("orchestrator", {"prompt": "list all agents"}, "ann")
    two = await service.start(
        "orchestrator", {"prompt": "list all agents", "max_results": 2}, "ann"
    )

    names = [p["agent"] for p in every.result["task_agent_pairs"]]
    workflows = [w.name for w in service.workflows if w.name != "orchestrator"]
    assert sorted(names) == sorted(
        ["calculator", "statistics", "summarizer", "unit-converter", *workflows]
    )
    assert [p["agent"] for p in two.result["task_agent_pairs"]] == names[:2]
    assert two.result["answer"].count("\n- ") == 2


async def test_find_without_the_word_agent_is_a_task_to_run_not_a_directory_search(
    service: ThreadService,
) -> None:
    view = await service.start("orchestrator", {"prompt": "find the mean of 4, 8 and 15"}, "ann")

    assert view.status is ThreadStatus.COMPLETED
    [task] = view.result["tasks"]
    assert (task["agent"], task["data"]["mean"]) == ("statistics", 9)
    assert view.result["task_agent_pairs"][0]["chosen_by"] == "ranked"


async def test_with_a_chat_model_a_find_request_is_answered_without_asking_the_model(
    weather_settings: Settings,
) -> None:
    model = ScriptedChatModel(replies=[])
    async with ThreadService.open(weather_settings, chat_model=model) as svc:
        view = await svc.start("orchestrator", {"prompt": "Find me a weather agent"}, "ann")

    assert view.status is ThreadStatus.COMPLETED
    assert [p["agent"] for p in view.result["task_agent_pairs"]] == ["weather"]
    assert model.calls == []

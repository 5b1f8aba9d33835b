import json

from pausepoint.agents.fakes import ScriptedChatModel
from pausepoint.domain import ThreadStatus
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings


async def test_with_a_chat_model_the_orchestrator_parses_plans_and_answers_with_it(
    settings: Settings,
) -> None:
    model = ScriptedChatModel(
        replies=[
            json.dumps(
                {
                    "tasks": [
                        {"text": "convert 10 km to miles", "capabilities": ["convert"]},
                        {"text": "what is 2 + 2", "depends_on": [], "capabilities": ["math"]},
                    ]
                }
            ),
            "```json\n"
            + json.dumps(
                {
                    "assignments": [
                        {"task_id": "t1", "agent": "unit-converter"},
                        {"task_id": "t2", "agent": "calculator"},
                    ]
                }
            )
            + "\n```",
            json.dumps({"answer": "10 km is about 6.2 miles, and 2 + 2 is 4."}),
        ]
    )
    async with ThreadService.open(settings, chat_model=model) as svc:
        view = await svc.start(
            "orchestrator", {"prompt": "how far is 10 km in miles, and what's 2+2?"}, "ann"
        )

    assert view.status is ThreadStatus.COMPLETED
    assert view.result["answer"] == "10 km is about 6.2 miles, and 2 + 2 is 4."
    assert [t["agent"] for t in view.result["tasks"]] == ["unit-converter", "calculator"]
    assert view.result["tasks"][1]["data"]["value"] == 4
    assert len(model.calls) == 3
    assert "how far is 10 km in miles" in model.calls[0][-1].text


async def test_an_unusable_model_reply_falls_back_to_the_offline_planner(
    settings: Settings,
) -> None:
    model = ScriptedChatModel(replies=["I would rather not.", "nope", "still no JSON"])
    async with ThreadService.open(settings, chat_model=model) as svc:
        view = await svc.start("orchestrator", {"prompt": "what is 6 * 7"}, "ann")

    assert view.status is ThreadStatus.COMPLETED
    assert view.result["answer"] == "6 * 7 = 42"

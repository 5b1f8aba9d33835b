"""The orchestrator asks before it plans or runs what it cannot do: a request for guidance gets
a question, and a task without the data its agent needs is asked for it."""

import json

import pytest

from pausepoint.agents.fakes import ScriptedChatModel
from pausepoint.domain import ThreadStatus
from pausepoint.errors import InvalidAnswer
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings

GUIDANCE = "Help me analyze data but I need guidance"
GUIDANCE_TITLE = "What would you like me to do, and with which data?"


async def test_a_request_for_guidance_gets_a_question_and_no_agent_runs(
    service: ThreadService,
) -> None:
    view = await service.start("orchestrator", {"prompt": GUIDANCE}, "ann")

    assert view.status is ThreadStatus.WAITING
    [pause] = view.pauses
    assert (pause.kind, pause.title) == ("question", GUIDANCE_TITLE)
    assert pause.message is not None and "statistics" in pause.message
    assert pause.context["candidates"][0]["agent"] == "statistics"
    assert pause.response_schema is not None
    assert pause.response_schema["required"] == ["text"]
    assert view.steps == {}  # nothing planned, nothing run


async def test_the_guidance_answer_is_planned_asked_for_its_numbers_and_then_run(
    service: ThreadService,
) -> None:
    view = await service.start("orchestrator", {"prompt": GUIDANCE}, "ann")

    view = await service.answer(view.thread_id, {"text": "I want to analyze sales data"}, "ann")
    assert view.status is ThreadStatus.WAITING
    [numbers] = view.pauses
    assert (numbers.kind, numbers.title) == ("question", "Which numbers should I analyse?")
    assert numbers.context["task"] == "I want to analyze sales data"
    assert numbers.context["agent"] == "statistics"
    assert numbers.message is not None and "120, 340, 560" in numbers.message
    assert view.steps["t1"]["status"] == "planned"

    done = await service.answer(view.thread_id, {"text": "120, 340, 560"}, "ann")
    assert done.status is ThreadStatus.COMPLETED
    [task] = done.result["tasks"]
    assert (task["agent"], task["status"]) == ("statistics", "done")
    assert (task["data"]["count"], task["data"]["mean"]) == (3, 340)
    assert task["task"] == "I want to analyze sales data: 120, 340, 560"
    assert done.result["answer"].startswith("count 3, sum 1020, mean 340")
    decisions = await service.decisions(view.thread_id)
    assert [(d.actor, d.answer) for d in decisions] == [
        ("ann", {"text": "I want to analyze sales data"}),
        ("ann", {"text": "120, 340, 560"}),
    ]


async def test_an_answer_that_still_lacks_the_data_is_asked_for_again(
    service: ThreadService,
) -> None:
    view = await service.start("orchestrator", {"prompt": "I need help with data analysis"}, "ann")
    [first] = view.pauses
    assert first.title == "Which numbers should I analyse?"

    again = await service.answer(
        view.thread_id, {"text": "I'm analyzing sales data from our e-commerce platform"}, "ann"
    )
    assert again.status is ThreadStatus.WAITING
    [second] = again.pauses
    assert second.title == "Which numbers should I analyse?"
    assert second.interrupt_id != first.interrupt_id
    assert second.message is not None and "what you gave does not hold" in second.message

    done = await service.answer(view.thread_id, {"text": "10 20 30"}, "ann")
    assert done.status is ThreadStatus.COMPLETED
    assert done.result["tasks"][0]["data"]["sum"] == 60


async def test_a_guidance_answer_that_asks_for_guidance_again_is_asked_again(
    service: ThreadService,
) -> None:
    view = await service.start("orchestrator", {"prompt": GUIDANCE}, "ann")
    [first] = view.pauses

    again = await service.answer(view.thread_id, {"text": "I don't know what to do"}, "ann")

    [second] = again.pauses
    assert second.title == GUIDANCE_TITLE
    assert second.interrupt_id != first.interrupt_id
    assert second.context["request"] == "I don't know what to do"
    assert again.steps == {}


async def test_a_blank_answer_is_refused_naming_the_field_and_the_question_stays(
    service: ThreadService,
) -> None:
    view = await service.start("orchestrator", {"prompt": GUIDANCE}, "ann")

    with pytest.raises(InvalidAnswer) as refused:
        await service.answer(view.thread_id, {"text": "   "}, "ann")

    assert [f["loc"] for f in refused.value.fields] == ["text"]
    still = await service.get(view.thread_id)
    assert still.status is ThreadStatus.WAITING
    assert still.pauses == view.pauses
    assert await service.decisions(view.thread_id) == []


@pytest.mark.parametrize(
    ("request_", "question", "answer", "output"),
    [
        (
            "convert km to miles",
            "What should I convert?",
            "5 km to miles",
            "5 km = 3.1069 miles",
        ),
        (
            "summarize the meeting notes",
            "Which text should I summarise?",
            "The meeting ran long. We agreed to ship on Friday. Nobody objected to the plan.",
            "The meeting ran long. We agreed to ship on Friday.",
        ),
    ],
)
async def test_each_local_agent_asks_for_the_data_it_needs_then_uses_the_answer(
    service: ThreadService, request_: str, question: str, answer: str, output: str
) -> None:
    view = await service.start("orchestrator", {"prompt": request_}, "ann")
    [pause] = view.pauses
    assert pause.title == question

    done = await service.answer(view.thread_id, {"text": answer}, "ann")

    assert done.status is ThreadStatus.COMPLETED
    assert done.result["tasks"][0]["status"] == "done"
    assert done.result["answer"] == output


async def test_a_task_fed_by_an_earlier_one_is_not_asked_for_data(
    service: ThreadService,
) -> None:
    view = await service.start(
        "orchestrator", {"prompt": "convert 5 km to miles then summarize it"}, "ann"
    )

    assert view.status is ThreadStatus.COMPLETED
    assert [t["status"] for t in view.result["tasks"]] == ["done", "done"]


async def test_with_a_chat_model_guidance_is_asked_before_the_model_plans(
    settings: Settings,
) -> None:
    model = ScriptedChatModel(
        replies=[
            json.dumps({"tasks": [{"text": "average of 120, 340 and 560"}]}),
            json.dumps({"assignments": [{"task_id": "t1", "agent": "statistics"}]}),
            json.dumps({"answer": "Your sales average 340."}),
        ]
    )
    async with ThreadService.open(settings, chat_model=model) as svc:
        view = await svc.start("orchestrator", {"prompt": GUIDANCE}, "ann")
        assert [p.title for p in view.pauses] == [GUIDANCE_TITLE]
        assert model.calls == []

        done = await svc.answer(
            view.thread_id, {"text": "the average of my sales: 120, 340 and 560"}, "ann"
        )

    assert done.status is ThreadStatus.COMPLETED
    assert done.result["answer"] == "Your sales average 340."
    assert done.result["tasks"][0]["data"]["mean"] == 340
    assert "the average of my sales: 120, 340 and 560" in model.calls[0][-1].text

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel

from pausepoint.agents.base import Agent
from pausepoint.domain import ThreadStatus
from pausepoint.errors import InvalidAnswer
from pausepoint.orchestrator.workflow import orchestrator_workflow
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings
from pausepoint.workflows.registry import BuildContext, Workflow, WorkflowRegistry


async def test_request_for_one_local_agent_completes_with_its_real_output(
    service: ThreadService,
) -> None:
    view = await service.start("orchestrator", {"prompt": "convert 5 km to miles"}, "ann")

    assert view.status is ThreadStatus.COMPLETED
    [task] = view.result["tasks"]
    assert task["agent"] == "unit-converter"
    assert round(task["data"]["value"], 4) == 3.1069
    assert view.result["answer"] == "5 km = 3.1069 miles"


async def test_then_chains_tasks_and_passes_the_result_along(service: ThreadService) -> None:
    view = await service.start(
        "orchestrator", {"prompt": "add 2 and 3 then multiply it by 4"}, "ann"
    )

    assert view.status is ThreadStatus.COMPLETED
    assert [t["data"]["value"] for t in view.result["tasks"]] == [5, 20]
    assert view.steps["t2"]["wave"] == 1


async def test_ambiguous_request_asks_which_agent_and_the_answer_decides_the_plan(
    service: ThreadService,
) -> None:
    view = await service.start("orchestrator", {"prompt": "compute the mean of 4, 8 and 15"}, "ann")

    assert view.status is ThreadStatus.WAITING
    [pause] = view.pauses
    assert pause.kind == "question"
    assert pause.title == "Which agent should do this?"
    choices = [a.label for a in pause.actions]
    assert {"calculator", "statistics"} <= set(choices)
    assert pause.response_schema is not None
    assert pause.response_schema["properties"]["agent"]["enum"] == choices

    with pytest.raises(InvalidAnswer):
        await service.answer(view.thread_id, {"agent": "astrologer"}, "ann")
    still = await service.get(view.thread_id)
    assert [p.interrupt_id for p in still.pauses] == [pause.interrupt_id]

    done = await service.answer(view.thread_id, {"agent": "statistics"}, "ann")
    assert done.status is ThreadStatus.COMPLETED
    [task] = done.result["tasks"]
    assert task["agent"] == "statistics"
    assert task["data"]["mean"] == 9
    assert done.result["task_agent_pairs"] == [
        {
            "task_id": "t1",
            "task": "compute the mean of 4, 8 and 15",
            "agent": "statistics",
            "chosen_by": "asked",
        }
    ]


async def test_request_no_agent_fits_offers_every_agent_and_runs_the_chosen_one(
    service: ThreadService,
) -> None:
    view = await service.start("orchestrator", {"prompt": "help me with 3 and 4"}, "ann")

    [pause] = view.pauses
    workflows = {w.name for w in service.workflows if w.name != "orchestrator"}
    assert "story" in workflows
    assert {a.label for a in pause.actions} == {
        "calculator",
        "statistics",
        "summarizer",
        "unit-converter",
        *workflows,
    }
    done = await service.answer(view.thread_id, {"agent": "statistics"}, "ann")
    assert done.result["tasks"][0]["data"]["sum"] == 7


async def test_a_failing_agent_is_reported_in_the_answer(service: ThreadService) -> None:
    view = await service.start("orchestrator", {"prompt": "convert 5 km to kg"}, "ann")

    assert view.status is ThreadStatus.COMPLETED
    assert view.result["tasks"][0]["status"] == "failed"
    assert "cannot convert length (km) to mass (kg)" in view.result["answer"]


async def test_independent_tasks_run_concurrently(
    settings: Settings,
    registry_with: Callable[[Sequence[Agent]], WorkflowRegistry],
    rendezvous_pair: Callable[[], list[Any]],
) -> None:
    probes = rendezvous_pair()
    async with ThreadService.open(
        settings, workflows=registry_with(probes), chat_model=None
    ) as svc:
        view = await svc.start("orchestrator", {"prompt": "run alpha. run bravo."}, "ann")

    assert view.status is ThreadStatus.COMPLETED
    assert [t["status"] for t in view.result["tasks"]] == ["done", "done"]
    assert {t["agent"] for t in view.result["tasks"]} == {"alpha", "bravo"}
    assert all(view.steps[t]["wave"] == 0 for t in ("t1", "t2"))
    first, second = view.result["tasks"]
    assert first["started_at"] < second["finished_at"]
    assert second["started_at"] < first["finished_at"]


async def test_plan_approval_pauses_before_anything_runs_when_the_setting_is_on(
    db_url: str,
) -> None:
    settings = Settings(database_url=db_url, model="offline", approve_plans=True, _env_file=None)  # type: ignore[call-arg]
    async with ThreadService.open(settings, chat_model=None) as svc:
        view = await svc.start("orchestrator", {"prompt": "what is 6 * 7"}, "ann")
        [pause] = view.pauses
        assert pause.kind == "approval"
        assert pause.context["plan"][0]["agent"] == "calculator"
        assert pause.payload_digest
        assert view.steps["t1"]["status"] == "planned"

        approve = next(a for a in pause.actions if a.label == "Approve")
        assert approve.answer == {"decision": "approve", "digest": pause.payload_digest}
        done = await svc.answer(view.thread_id, approve.answer, "ann")
        assert done.result["answer"] == "6 * 7 = 42"

        other = await svc.start("orchestrator", {"prompt": "what is 6 * 7"}, "ann")
        rejected = await svc.answer(
            other.thread_id, {"decision": "reject", "comments": "not now"}, "ann"
        )
        assert rejected.result["answer"] == "Plan rejected by ann: not now"
        assert rejected.result["tasks"][0]["status"] == "not run"
        decisions = await svc.decisions(other.thread_id)
        assert decisions[0].payload_digest == pause.payload_digest


async def test_a_workflow_needing_structured_input_is_given_it_through_a_form(
    settings: Settings,
) -> None:

    class Payment(BaseModel):
        vendor: str
        amount: float

    def build(ctx: BuildContext) -> StateGraph[Any, Any, Any, Any]:
        def pay(state: dict[str, Any]) -> dict[str, Any]:
            return {"receipt": f"paid {state['amount']:.2f} to {state['vendor']}"}

        graph: StateGraph[Any, Any, Any, Any] = StateGraph(dict)
        graph.add_node("pay", pay)
        graph.add_edge(START, "pay")
        graph.add_edge("pay", END)
        return graph

    registry = WorkflowRegistry()
    registry.register(
        Workflow(
            name="payments",
            description="Pays a vendor invoice.",
            build=build,
            input_model=Payment,
            result=lambda v: {"receipt": v.get("receipt")},
            tags=("pay", "invoice", "vendor"),
        )
    )
    registry.register(orchestrator_workflow(registry))
    async with ThreadService.open(settings, workflows=registry, chat_model=None) as svc:
        view = await svc.start("orchestrator", {"prompt": "pay the vendor invoice"}, "ann")
        [form] = view.pauses
        assert form.kind == "form"
        assert form.title == "What should payments start with?"
        assert form.response_schema is not None
        assert set(form.response_schema["required"]) == {"vendor", "amount"}

        with pytest.raises(InvalidAnswer):
            await svc.answer(view.thread_id, {"vendor": "ACME"}, "ann")
        done = await svc.answer(view.thread_id, {"vendor": "ACME", "amount": 12.5}, "ann")

    assert done.status is ThreadStatus.COMPLETED
    assert done.result["answer"] == "paid 12.50 to ACME"


async def test_two_unclear_tasks_are_asked_about_one_after_the_other(
    service: ThreadService,
) -> None:
    view = await service.start(
        "orchestrator",
        {"prompt": "help me with 3 and 4. compute the mean of 4, 8 and 15"},
        "ann",
    )
    assert [p.context["task"] for p in view.pauses] == ["help me with 3 and 4"]

    view = await service.answer(view.thread_id, {"agent": "statistics"}, "ann")
    assert [p.context["task"] for p in view.pauses] == ["compute the mean of 4, 8 and 15"]

    done = await service.answer(view.thread_id, {"agent": "statistics"}, "ann")
    assert [(p["task_id"], p["agent"]) for p in done.result["task_agent_pairs"]] == [
        ("t1", "statistics"),
        ("t2", "statistics"),
    ]
    assert [t["data"]["sum"] for t in done.result["tasks"]] == [7, 27]


async def test_the_request_may_come_as_message_as_chat_and_a2a_doors_send_it(
    service: ThreadService,
) -> None:
    view = await service.start("orchestrator", {"message": "what is 6 * 7"}, "ann")

    assert view.result["answer"] == "6 * 7 = 42"

"""A rejected plan is a decision: the result says who rejected it and why, and nothing runs."""

from typing import Any

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from pausepoint.domain import ThreadStatus
from pausepoint.orchestrator.workflow import orchestrator_workflow
from pausepoint.persistence.serde import make_serializer
from pausepoint.service.catalog import bundled
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings
from pausepoint.workflows.registry import BuildContext


async def test_a_rejected_plan_reports_the_reason_at_the_top_and_runs_nothing(
    db_url: str,
) -> None:
    settings = Settings(database_url=db_url, model="offline", approve_plans=True, _env_file=None)  # type: ignore[call-arg]
    async with ThreadService.open(settings, chat_model=None) as svc:
        view = await svc.start("orchestrator", {"prompt": "what is 6 * 7"}, "ann")
        [approval] = view.pauses
        reject = next(a for a in approval.actions if a.label == "Reject")

        done = await svc.answer(view.thread_id, {**reject.answer, "comments": "too costly"}, "ann")
        decisions = await svc.decisions(view.thread_id)

    assert done.status is ThreadStatus.COMPLETED
    assert set(done.result["rejected"]) == {"by", "reason"}
    assert done.result["rejected"]["reason"] == "too costly"
    assert done.result["answer"].startswith("Plan rejected")
    assert done.result["answer"].endswith(": too costly")
    assert [t["status"] for t in done.result["tasks"]] == ["not run"]
    assert [(d.actor, d.answer["decision"]) for d in decisions] == [("ann", "reject")]


async def test_an_approved_plan_has_no_rejection_in_its_result(db_url: str) -> None:
    settings = Settings(database_url=db_url, model="offline", approve_plans=True, _env_file=None)  # type: ignore[call-arg]
    async with ThreadService.open(settings, chat_model=None) as svc:
        view = await svc.start("orchestrator", {"prompt": "what is 6 * 7"}, "ann")
        approve = next(a for a in view.pauses[0].actions if a.label == "Approve")
        done = await svc.answer(view.thread_id, approve.answer, "ann")

    assert done.result["answer"] == "6 * 7 = 42"
    assert "rejected" not in done.result


async def test_the_rejection_names_the_person_the_run_is_for_and_a_missing_reason_says_so() -> None:
    workflow = orchestrator_workflow(bundled(), approve_plans=True)
    graph = workflow.runnable(
        BuildContext(), InMemorySaver(serde=make_serializer(workflow.state_types))
    )

    async def reject(thread: str, answer: dict[str, Any], actor: str | None) -> Any:
        config: Any = {"configurable": {"thread_id": thread}}
        paused = await graph.ainvoke({"prompt": "what is 6 * 7"}, config)
        assert paused["__interrupt__"][0].value["title"] == "Approve the plan?"
        if actor is not None:
            config["configurable"]["langgraph_auth_user_id"] = actor
        return workflow.result(await graph.ainvoke(Command(resume=answer), config))

    by_bob = await reject("a", {"decision": "reject", "comments": "too costly"}, "bob")
    unknown = await reject("b", {"decision": "reject"}, None)

    assert by_bob["rejected"] == {"by": "bob", "reason": "too costly"}
    assert by_bob["answer"] == "Plan rejected by bob: too costly"
    assert unknown["rejected"] == {"by": None, "reason": "no reason given"}
    assert unknown["answer"] == "Plan rejected: no reason given"


async def test_through_the_service_the_rejection_names_who_answered(db_url: str) -> None:
    settings = Settings(database_url=db_url, model="offline", approve_plans=True, _env_file=None)  # type: ignore[call-arg]
    async with ThreadService.open(settings, chat_model=None) as svc:
        view = await svc.start("orchestrator", {"prompt": "what is 6 * 7"}, "ann")
        answer = {"decision": "reject", "comments": "too costly"}
        done = await svc.answer(view.thread_id, answer, "ann")

    assert done.result["rejected"] == {"by": "ann", "reason": "too costly"}
    assert done.result["answer"] == "Plan rejected by ann: too costly"

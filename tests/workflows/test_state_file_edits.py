"""State-file edits as design-notes/5 writes them: its spellings of a step status, and an
approval marked completed without injecting its output."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pausepoint.domain import ThreadStatus, digest
from pausepoint.errors import InvalidInput
from pausepoint.service.threads import ThreadService
from pausepoint.workflows.dag import RequiresApproval, StepRequest, StepSpec, WorkflowSpec

DEPLOY = {"service": "user-api", "version": "v2.1.0"}
INJECTED = {"status": "approved_and_deployed", "approved_by": "user@example.com"}
FORM = {"note": {"description": "A note."}}


class Planner:
    """Proposes a plan for approval; has no `execute`, so approving it yields the plan."""

    asks_for_approval = True

    async def run(self, request: StepRequest) -> Any:
        return RequiresApproval(message="Ship this plan?", payload={"plan": "blue", "n": 2})


class Echo:
    async def run(self, request: StepRequest) -> Any:
        return {"got": request.input}


PLAN = WorkflowSpec(
    name="plan",
    steps=(
        StepSpec(id="plan", agent="planner", output="approved_plan"),
        StepSpec(id="use", agent="echo", input="{{ approved_plan }}", depends_on=("plan",)),
    ),
)
BRANCHES = WorkflowSpec(
    name="branches",
    steps=(
        StepSpec(id="left", kind="human", form=FORM),  # type: ignore[arg-type]
        StepSpec(id="right", kind="human", form=FORM),  # type: ignore[arg-type]
    ),
)


@pytest.mark.parametrize("spelling", ["Completed", "completed", "COMPLETED", "Completed "])
async def test_the_notes_spelling_of_completed_is_accepted(
    service: ThreadService, spelling: str
) -> None:
    view = await service.start("deploy", DEPLOY, "ann")
    state = await service.export_state(view.thread_id)
    state["steps"]["deploy"]["status"] = spelling
    state["steps"]["validate_changes"]["status"] = "Completed"
    state["steps"]["verify"]["status"] = "Pending"
    state["context"]["deployment_result"] = INJECTED

    done = await service.import_state(state, "ann")

    assert done.status is ThreadStatus.COMPLETED
    assert done.result["deployment_result"] == INJECTED


@pytest.mark.parametrize(
    "unchanged", ["PausedForInput", "paused_for_input", "Paused", "paused-for-input"]
)
async def test_a_paused_step_left_in_any_spelling_stays_paused(
    dag_service: Any, unchanged: str
) -> None:
    async with dag_service(BRANCHES, {}) as service:
        view = await service.start("branches", {}, "ann")
        state = await service.export_state(view.thread_id)
        state["steps"]["left"]["status"] = "Completed"
        state["steps"]["right"]["status"] = unchanged
        state["context"]["left"] = {"note": "from the file"}

        half = await service.import_state(state, "ann")

    assert half.status is ThreadStatus.WAITING
    assert half.steps["left"]["status"] == "completed"
    assert [p.step for p in half.pauses] == ["right"]


async def test_an_unknown_status_is_refused_listing_the_spellings_there_are(
    service: ThreadService,
) -> None:
    view = await service.start("deploy", DEPLOY, "ann")
    state = await service.export_state(view.thread_id)
    edited = copy.deepcopy(state)
    edited["steps"]["deploy"]["status"] = "Approved"
    with pytest.raises(InvalidInput) as err:
        await service.import_state(edited, "ann")
    (field,) = err.value.fields
    assert field["loc"] == "steps.deploy.status"
    assert "unknown step status 'Approved'" in field["message"]
    assert "completed" in field["message"] and "paused_for_approval" in field["message"]
    assert await service.export_state(view.thread_id) == state


async def test_an_approval_marked_completed_without_its_output_takes_the_payload_asked(
    dag_service: Any,
) -> None:
    async with dag_service(PLAN, {"planner": Planner(), "echo": Echo()}) as service:
        view = await service.start("plan", {}, "ann")
        (pause,) = view.pauses
        state = await service.export_state(view.thread_id)
        state["steps"]["plan"]["status"] = "Completed"  # and nothing injected

        done = await service.import_state(state, "ann")
        (decision,) = await service.decisions(view.thread_id)

    assert done.status is ThreadStatus.COMPLETED
    assert done.result["approved_plan"] == {"plan": "blue", "n": 2} == pause.context
    assert done.steps["use"]["output"] == {"got": '{"n": 2, "plan": "blue"}'}
    assert decision.payload_digest == pause.payload_digest == digest(pause.context)
    assert decision.actor == "ann"


async def test_an_approval_completed_without_output_but_with_an_edited_payload_is_refused(
    dag_service: Any,
) -> None:
    async with dag_service(PLAN, {"planner": Planner(), "echo": Echo()}) as service:
        view = await service.start("plan", {}, "ann")
        state = await service.export_state(view.thread_id)
        edited = copy.deepcopy(state)
        edited["steps"]["plan"]["status"] = "completed"
        edited["steps"]["plan"]["payload"] = {"plan": "red", "n": 2}

        with pytest.raises(InvalidInput) as err:
            await service.import_state(edited, "ann")

        assert [f["loc"] for f in err.value.fields] == ["steps.plan.payload"]
        assert await service.export_state(view.thread_id) == state
        assert await service.decisions(view.thread_id) == []


async def test_a_deploy_marked_completed_without_its_result_is_approved_and_carried_out(
    service: ThreadService,
) -> None:
    view = await service.start("deploy", DEPLOY, "ann")
    [pause] = view.pauses
    state = await service.export_state(view.thread_id)
    edited = copy.deepcopy(state)
    edited["steps"]["deploy"]["status"] = "Completed"  # the note: injecting the result is optional

    done = await service.import_state(edited, "ann")

    assert done.status is ThreadStatus.COMPLETED
    assert done.result["deployment_result"]["status"] == "deployed"  # the agent deployed it
    assert done.steps["verify"]["status"] == "completed"
    [decision] = await service.decisions(view.thread_id)
    assert decision.answer == {"decision": "approve", "digest": pause.payload_digest}
    assert decision.payload_digest == pause.payload_digest

"""A state file is bound to the pauses it was exported for: once one is answered through any
door, importing the old file is AlreadyAnswered and changes nothing."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pausepoint.domain import ThreadStatus
from pausepoint.errors import AlreadyAnswered, Conflict, InvalidInput
from pausepoint.service.doors import Door
from pausepoint.service.threads import ThreadService
from pausepoint.workflows.dag import RequiresApproval, StepRequest, StepSpec, WorkflowSpec

DEPLOY = {"service": "user-api", "version": "v2.1.0"}
INJECTED = {"status": "approved_and_deployed", "approved_by": "user@example.com"}
FORM = {"note": {"description": "A note."}}


class Planner:
    asks_for_approval = True

    async def run(self, request: StepRequest) -> Any:
        return RequiresApproval(message="Ship this plan?", payload={"plan": "blue"})


#: An approval, then a form: answering the first pause leaves the thread waiting on the next.
TWO_STOPS = WorkflowSpec(
    name="two-stops",
    steps=(
        StepSpec(id="plan", agent="planner"),
        StepSpec(id="confirm", kind="human", form=FORM, depends_on=("plan",)),  # type: ignore[arg-type]
    ),
)
AGENTS = {"planner": Planner()}


async def test_the_export_records_the_interrupt_id_of_each_paused_step(
    service: ThreadService,
) -> None:
    view = await service.start("deploy", DEPLOY, "ann")
    state = await service.export_state(view.thread_id)
    assert state["steps"]["deploy"]["interrupt_id"] == view.pauses[0].interrupt_id
    assert "interrupt_id" not in state["steps"]["validate_changes"]


async def test_importing_a_file_whose_pause_was_answered_since_is_already_answered(
    dag_service: Any,
) -> None:
    async with dag_service(TWO_STOPS, AGENTS) as service:
        view = await service.start("two-stops", {}, "ann")
        (plan,) = view.pauses
        old = await service.export_state(view.thread_id)
        old["steps"]["plan"]["status"] = "completed"
        old["context"]["plan"] = {"plan": "from the file"}
        approve = {"decision": "approve", "digest": plan.payload_digest}
        answered = await service.answer(view.thread_id, approve, "ann")
        (confirm,) = answered.pauses  # the next pause, which the file never saw
        after = await service.export_state(view.thread_id)

        with pytest.raises(AlreadyAnswered) as err:
            await service.import_state(old, "ann")

        assert err.value.status == 409
        assert f"step 'plan' waited on pause {plan.interrupt_id}" in err.value.detail
        assert "answered since" in err.value.detail
        now = await service.get(view.thread_id)
        assert now.status is ThreadStatus.WAITING
        assert [p.interrupt_id for p in now.pauses] == [confirm.interrupt_id]
        assert now.steps["plan"]["output"] == {"plan": "blue"}  # the approval, not the file
        assert [d.interrupt_id for d in await service.decisions(view.thread_id)] == [
            plan.interrupt_id
        ]
        assert await service.export_state(view.thread_id) == after


async def test_through_a_door_the_refusal_says_who_answered_and_when(dag_service: Any) -> None:
    async with dag_service(TWO_STOPS, AGENTS) as service:
        view = await service.start("two-stops", {}, "ann")
        old = await service.export_state(view.thread_id)
        old["steps"]["plan"]["status"] = "Completed"
        approve = {"decision": "approve", "digest": view.pauses[0].payload_digest}
        await Door(service, "ann").answer(view.thread_id, approve)
        (decision,) = await service.decisions(view.thread_id)

        with pytest.raises(AlreadyAnswered) as err:
            await Door(service, "ann").import_state(old)

        assert err.value.code == "already_answered"
        assert f"answered by 'ann' at {decision.decided_at.isoformat()}" in err.value.detail
        assert len(await service.decisions(view.thread_id)) == 1
        assert (await service.get(view.thread_id)).status is ThreadStatus.WAITING


async def test_a_deploy_answered_to_its_end_refuses_the_old_file_and_stays_as_answered(
    service: ThreadService,
) -> None:
    view = await service.start("deploy", DEPLOY, "ann")
    old = await service.export_state(view.thread_id)
    old["steps"]["deploy"]["status"] = "completed"
    old["context"]["deployment_result"] = INJECTED
    approve = {"decision": "approve", "digest": view.pauses[0].payload_digest}
    answered = await service.answer(view.thread_id, approve, "ann")

    with pytest.raises(Conflict):
        await service.import_state(old, "ann")

    now = await service.get(view.thread_id)
    assert now.status is ThreadStatus.COMPLETED
    assert now.result == answered.result
    assert now.result["deployment_result"]["status"] == "deployed"
    assert len(await service.decisions(view.thread_id)) == 1


async def test_a_file_exported_before_a_sibling_pause_was_answered_is_refused_too(
    dag_service: Any,
) -> None:
    spec = WorkflowSpec(
        name="branches",
        steps=(
            StepSpec(id="left", kind="human", form=FORM),  # type: ignore[arg-type]
            StepSpec(id="right", kind="human", form=FORM),  # type: ignore[arg-type]
        ),
    )
    async with dag_service(spec, {}) as service:
        view = await service.start("branches", {}, "ann")
        by_step = {p.step: p for p in view.pauses}
        old = await service.export_state(view.thread_id)
        old["steps"]["left"]["status"] = "completed"
        old["context"]["left"] = {"note": "from the file"}
        await service.resume(view.thread_id, {by_step["right"].interrupt_id: {"note": "r"}}, "ann")
        before = await service.export_state(view.thread_id)

        with pytest.raises(AlreadyAnswered):
            await service.import_state(old, "ann")

        assert await service.export_state(view.thread_id) == before
        still = await service.get(view.thread_id)
    assert [p.interrupt_id for p in still.pauses] == [by_step["left"].interrupt_id]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda step: step.pop("interrupt_id"), "interrupt id of the pause this file answers"),
        (lambda step: step.update(interrupt_id="0" * 32), "no longer pending"),
        (lambda step: step.update(interrupt_id=7), "must be the interrupt id"),
    ],
)
async def test_a_paused_step_without_its_own_pause_id_is_refused_naming_it(
    service: ThreadService, edit: Any, message: str
) -> None:
    view = await service.start("deploy", DEPLOY, "ann")
    state = await service.export_state(view.thread_id)
    edited = copy.deepcopy(state)
    edited["steps"]["deploy"]["status"] = "completed"
    edited["context"]["deployment_result"] = INJECTED
    edit(edited["steps"]["deploy"])

    with pytest.raises(InvalidInput) as err:
        await service.import_state(edited, "ann")

    (field,) = err.value.fields
    assert field["loc"] == "steps.deploy.interrupt_id"
    assert message in field["message"]
    assert await service.export_state(view.thread_id) == state
    assert await service.decisions(view.thread_id) == []

"""The deploy workflow end to end through ThreadService: approve, edit, reject, wrong digest."""

from __future__ import annotations

import pytest

from pausepoint.domain import ThreadStatus, digest
from pausepoint.errors import Conflict, InvalidAnswer
from pausepoint.service.threads import ThreadService

INPUT = {"service": "user-api", "version": "v2.1.0"}


async def test_deploy_pauses_for_approval_with_the_plan_and_its_digest(
    service: ThreadService,
) -> None:
    view = await service.start("deploy", INPUT, "ann")
    assert view.status is ThreadStatus.WAITING
    (pause,) = view.pauses
    assert pause.kind == "approval"
    assert pause.context["service"] == "user-api"
    assert pause.payload_digest == digest(pause.context)
    assert view.steps["validate_changes"]["status"] == "completed"
    assert view.steps["deploy"]["status"] == "paused"
    assert view.steps["verify"]["status"] == "pending"


async def test_approving_the_digest_deploys_and_verifies(service: ThreadService) -> None:
    view = await service.start("deploy", INPUT, "ann")
    pause = view.pauses[0]
    done = await service.answer(
        view.thread_id, {"decision": "approve", "digest": pause.payload_digest}, "ann"
    )
    assert done.status is ThreadStatus.COMPLETED
    assert done.result["deployment_result"]["status"] == "deployed"
    assert done.result["verification"]["healthy"] is True
    assert done.steps["deploy"]["approval"]["edited"] is False
    (decision,) = await service.decisions(view.thread_id)
    assert decision.payload_digest == pause.payload_digest


async def test_approving_with_an_edited_payload_deploys_the_edit(service: ThreadService) -> None:
    view = await service.start("deploy", INPUT, "ann")
    pause = view.pauses[0]
    edited = {**pause.context, "target": "staging"}
    done = await service.answer(
        view.thread_id,
        {"decision": "approve", "digest": pause.payload_digest, "edited_payload": edited},
        "ann",
    )
    assert done.result["deployment_result"]["target"] == "staging"
    (decision,) = await service.decisions(view.thread_id)
    assert decision.payload_digest == digest(edited)


async def test_an_edited_payload_failing_its_schema_is_422_and_still_waits(
    service: ThreadService,
) -> None:
    view = await service.start("deploy", INPUT, "ann")
    pause = view.pauses[0]
    with pytest.raises(InvalidAnswer) as err:
        await service.answer(
            view.thread_id,
            {
                "decision": "approve",
                "digest": pause.payload_digest,
                "edited_payload": {**pause.context, "target": "moon"},
            },
            "ann",
        )
    assert any("edited_payload" in f["loc"] for f in err.value.fields)
    again = await service.get(view.thread_id)
    assert again.status is ThreadStatus.WAITING
    assert [p.interrupt_id for p in again.pauses] == [pause.interrupt_id]
    assert await service.decisions(view.thread_id) == []


async def test_approving_a_different_digest_is_a_conflict(service: ThreadService) -> None:
    view = await service.start("deploy", INPUT, "ann")
    with pytest.raises(Conflict):
        await service.answer(view.thread_id, {"decision": "approve", "digest": "0" * 64}, "ann")
    again = await service.get(view.thread_id)
    assert again.status is ThreadStatus.WAITING
    assert await service.decisions(view.thread_id) == []


async def test_a_rejection_is_a_decision_that_ends_the_run_saying_who_and_why(
    service: ThreadService,
) -> None:
    view = await service.start("deploy", INPUT, "ann")
    done = await service.answer(
        view.thread_id, {"decision": "reject", "reason": "freeze week"}, "ann"
    )
    assert done.status is ThreadStatus.COMPLETED
    assert done.error is None
    assert done.result["rejected"] == {
        "step": "deploy",
        "by": "ann",
        "reason": "freeze week",
        "handled": False,
    }
    assert done.result["final_response"] == "Rejected by ann: freeze week"
    assert done.result["success"] is True
    assert "deployment_result" not in done.result["context"]
    assert done.steps["deploy"]["status"] == "failed"
    assert done.steps["deploy"]["rejected"] is True
    assert done.steps["verify"]["status"] == "skipped"

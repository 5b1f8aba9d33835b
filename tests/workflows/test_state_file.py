"""State files: export, edit a paused approval to completed, import, and resume."""

from __future__ import annotations

import copy

import pytest

from pausepoint.domain import ThreadStatus
from pausepoint.errors import InvalidInput
from pausepoint.service.threads import ThreadService

INPUT = {"service": "user-api", "version": "v2.1.0"}
INJECTED = {"status": "approved_and_deployed", "approved_by": "user@example.com"}


async def test_export_shows_the_paused_step_with_its_message_and_payload(
    service: ThreadService,
) -> None:
    view = await service.start("deploy", INPUT, "ann")
    state = await service.export_state(view.thread_id)
    assert state["workflow"] == "deploy"
    assert state["context"]["validation_result"]["ok"] is True
    deploy = state["steps"]["deploy"]
    assert deploy["status"] == "paused_for_approval"
    assert "user-api" in deploy["message"]
    assert deploy["payload"] == view.pauses[0].context


async def test_export_edit_import_completes_from_the_edited_step(service: ThreadService) -> None:
    view = await service.start("deploy", INPUT, "ann")
    state = await service.export_state(view.thread_id)
    state["steps"]["deploy"]["status"] = "completed"
    state["context"]["deployment_result"] = INJECTED

    done = await service.import_state(state, "ann")

    assert done.status is ThreadStatus.COMPLETED
    assert done.result["deployment_result"] == INJECTED
    assert done.result["verification"]["healthy"] is True
    (decision,) = await service.decisions(view.thread_id)
    assert decision.actor == "ann"
    assert decision.interrupt_id == view.pauses[0].interrupt_id


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (
            lambda s: s["steps"]["deploy"].update(status="completed", payload={"target": "x"}),
            "steps.deploy.payload",
        ),
        (
            lambda s: s["steps"].update(nope={"status": "completed", "output_key": "x"}),
            "steps.nope",
        ),
        (lambda s: s["steps"]["verify"].update(status="completed"), "steps.verify.status"),
        (lambda s: s["steps"]["deploy"].update(status="done"), "steps.deploy.status"),
        (
            lambda s: s["context"].update(validation_result={"ok": False}),
            "context.validation_result",
        ),
    ],
)
async def test_a_bad_edit_is_refused_naming_the_field_and_the_thread_is_unchanged(
    service: ThreadService, edit: object, field: str
) -> None:
    view = await service.start("deploy", INPUT, "ann")
    state = await service.export_state(view.thread_id)
    edited = copy.deepcopy(state)
    edit(edited)  # type: ignore[operator]
    with pytest.raises(InvalidInput) as err:
        await service.import_state(edited, "ann")
    assert any(f["loc"].startswith(field) for f in err.value.fields), err.value.fields
    assert await service.export_state(view.thread_id) == state
    assert await service.decisions(view.thread_id) == []

"""design-notes/5's result fields: paused, success, pause_reason, steps_executed (this run only).

While a thread waits its `result` is empty, so each paused step in `steps` carries the fields
of the run that paused, and the exported state file carries them at its top level.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pausepoint.domain import ThreadStatus
from pausepoint.service.threads import ThreadService
from pausepoint.workflows.dag import SpecError, StepSpec, WorkflowSpec, dag_workflow

DEPLOY = {"service": "user-api", "version": "v2.1.0"}
FORM = {"note": {"description": "A note."}}


async def test_a_deploy_paused_for_approval_shows_paused_its_reason_and_the_one_step_it_ran(
    service: ThreadService,
) -> None:
    started = await service.start("deploy", DEPLOY, "ann")
    (pause,) = started.pauses

    view = await service.get(started.thread_id)
    state = await service.export_state(started.thread_id)

    assert view.status is ThreadStatus.WAITING and view.result is None
    deploy = view.steps["deploy"]
    assert (deploy["paused"], deploy["pause_reason"], deploy["steps_executed"]) == (
        True,
        "Please review and approve deployment to production: user-api v2.1.0",
        1,
    )
    assert deploy["pause_reason"] == pause.message
    assert started.steps["deploy"]["steps_executed"] == 1
    assert "paused" not in view.steps["validate_changes"]
    assert {k: state[k] for k in ("paused", "success", "pause_reason", "steps_executed")} == {
        "paused": True,
        "success": True,
        "pause_reason": pause.message,
        "steps_executed": 1,
    }


async def test_the_approved_run_reports_success_and_counts_only_the_steps_it_ran(
    service: ThreadService,
) -> None:
    view = await service.start("deploy", DEPLOY, "ann")
    digest = view.pauses[0].payload_digest

    done = await service.answer(view.thread_id, {"decision": "approve", "digest": digest}, "ann")

    assert done.status is ThreadStatus.COMPLETED
    result = done.result
    assert (result["paused"], result["success"], result["pause_reason"]) == (False, True, None)
    assert result["steps_executed"] == 2  # deploy and verify; validate_changes ran before
    assert result["context"]["deployment_result"] == result["deployment_result"]
    assert result["context"]["service"] == "user-api"
    assert result["context"]["validation_result"]["ok"] is True
    state = await service.export_state(view.thread_id)
    assert (state["paused"], state["success"], state["steps_executed"]) == (False, True, 2)


async def test_a_run_that_never_pauses_counts_every_step(
    dag_service: Any, make_agent: Callable[..., Any]
) -> None:
    spec = WorkflowSpec(
        name="line",
        steps=(
            StepSpec(id="a", agent="plain"),
            StepSpec(id="b", agent="plain", depends_on=("a",)),
            StepSpec(id="c", agent="plain", depends_on=("b",)),
        ),
    )
    async with dag_service(spec, {"plain": make_agent()}) as service:
        view = await service.start("line", {}, "ann")
    assert view.status is ThreadStatus.COMPLETED
    assert {k: view.result[k] for k in ("paused", "success", "pause_reason")} == {
        "paused": False,
        "success": True,
        "pause_reason": None,
    }
    assert view.result["steps_executed"] == 3


async def test_each_resume_counts_the_steps_since_the_last_resume(
    dag_service: Any, make_agent: Callable[..., Any]
) -> None:
    spec = WorkflowSpec(
        name="branches",
        steps=(
            StepSpec(id="research", agent="plain"),
            StepSpec(id="left", kind="human", form=FORM, depends_on=("research",)),  # type: ignore[arg-type]
            StepSpec(id="right", kind="human", form=FORM),  # type: ignore[arg-type]
            StepSpec(id="merge", agent="plain", depends_on=("left", "right")),
        ),
    )
    async with dag_service(spec, {"plain": make_agent()}) as service:
        view = await service.start("branches", {}, "ann")
        by_step = {p.step: p for p in view.pauses}
        assert [view.steps[s]["steps_executed"] for s in ("left", "right")] == [1, 1]

        half = await service.resume(
            view.thread_id, {by_step["left"].interrupt_id: {"note": "l"}}, "ann"
        )
        assert half.steps["right"]["steps_executed"] == 1  # left only, not research again
        assert half.steps["right"]["pause_reason"] == by_step["right"].message
        assert "paused" not in half.steps["left"]

        done = await service.resume(
            view.thread_id, {by_step["right"].interrupt_id: {"note": "r"}}, "ann"
        )
    assert done.result["steps_executed"] == 2  # right and merge
    assert done.result["paused"] is False


async def test_a_step_a_state_file_marks_completed_is_not_counted_as_executed(
    service: ThreadService,
) -> None:
    view = await service.start("deploy", DEPLOY, "ann")
    state = await service.export_state(view.thread_id)
    state["steps"]["deploy"]["status"] = "completed"
    state["context"]["deployment_result"] = {"status": "approved_and_deployed"}

    done = await service.import_state(state, "ann")

    assert done.result["steps_executed"] == 1  # verify; deploy was done by hand
    assert done.result["verification"]["healthy"] is True


@pytest.mark.parametrize("name", ["success", "paused", "steps_executed", "context"])
def test_a_step_output_named_like_a_result_field_is_refused_naming_the_step(name: str) -> None:
    spec = WorkflowSpec(name="t", steps=(StepSpec(id="check", agent="echo", output=name),))
    with pytest.raises(SpecError, match=rf"step 'check' outputs '{name}', a name the result"):
        dag_workflow(spec, {"echo": object()})  # type: ignore[dict-item]


def test_the_cli_shows_the_paused_fields_while_the_deploy_waits(run_cli: Any) -> None:
    started = run_cli(
        "run", "deploy", "--input", '{"service": "user-api", "version": "v2.1.0"}', "--json"
    )
    assert started.code == 0, started.stderr
    shown = run_cli("show", started.json()["thread_id"], "--json")
    assert shown.code == 0, shown.stderr
    deploy = shown.json()["steps"]["deploy"]
    assert deploy["paused"] is True
    assert deploy["pause_reason"].startswith("Please review and approve deployment to production")
    assert deploy["steps_executed"] == 1

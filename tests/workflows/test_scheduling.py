"""Readiness scheduling, pauses in parallel branches, retries and restarts."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest

from pausepoint.domain import ThreadStatus
from pausepoint.workflows.dag import StepRequest, StepSpec, WorkflowSpec

FORM = {"note": {"description": "A note."}}


async def test_a_ready_step_starts_before_a_slow_unrelated_sibling_finishes(
    dag_service: Any, journal: Any, make_agent: Any
) -> None:
    async def wait_for_downstream(request: StepRequest) -> None:
        # The slow sibling holds until the fast branch's next step has started; with
        # lock-step waves that never happens, and it gives up after the timeout.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(journal.event("after_fast").wait(), timeout=10)

    spec = WorkflowSpec(
        name="race",
        steps=(
            StepSpec(id="slow", agent="slow"),
            StepSpec(id="fast", agent="plain"),
            StepSpec(id="after_fast", agent="plain", depends_on=("fast",)),
            StepSpec(id="join", agent="plain", depends_on=("slow", "after_fast")),
        ),
    )
    agents = {"slow": make_agent(wait_for_downstream), "plain": make_agent()}
    async with dag_service(spec, agents) as service:
        view = await service.start("race", {}, "ann")
    assert view.status is ThreadStatus.COMPLETED
    assert journal.index("start", "after_fast") < journal.index("finish", "slow")
    assert journal.index("finish", "slow") < journal.index("start", "join")


def two_branch_spec() -> WorkflowSpec:
    return WorkflowSpec(
        name="branches",
        steps=(
            StepSpec(id="research", agent="plain"),
            StepSpec(id="left", kind="human", form=FORM, depends_on=("research",)),  # type: ignore[arg-type]
            StepSpec(id="right", kind="human", form=FORM),  # type: ignore[arg-type]
            StepSpec(id="merge", agent="plain", depends_on=("left", "right")),
        ),
    )


@pytest.mark.parametrize("first", ["left", "right"])
async def test_two_paused_branches_answered_in_either_order_run_the_sibling_once(
    dag_service: Any, journal: Any, make_agent: Any, first: str
) -> None:
    async with dag_service(two_branch_spec(), {"plain": make_agent()}) as service:
        view = await service.start("branches", {}, "ann")
        assert view.status is ThreadStatus.WAITING
        by_step = {p.step: p for p in view.pauses}
        assert set(by_step) == {"left", "right"}
        assert {i.interrupt_id for i in await service.inbox("ann")} == {
            p.interrupt_id for p in view.pauses
        }

        second = "right" if first == "left" else "left"
        half = await service.resume(
            view.thread_id, {by_step[first].interrupt_id: {"note": first}}, "ann"
        )
        assert half.status is ThreadStatus.WAITING
        assert [p.interrupt_id for p in half.pauses] == [by_step[second].interrupt_id]
        assert [i.interrupt_id for i in await service.inbox("ann")] == [
            by_step[second].interrupt_id
        ]
        assert half.steps[first]["status"] == "completed"
        assert half.steps["merge"]["status"] == "pending"

        done = await service.resume(
            view.thread_id, {by_step[second].interrupt_id: {"note": second}}, "ann"
        )
        assert await service.inbox("ann") == []
    assert done.status is ThreadStatus.COMPLETED
    assert done.result["left"] == {"note": "left"}
    assert journal.calls == {"research": 1, "merge": 1}


async def test_both_pauses_answered_in_one_call(
    dag_service: Any, journal: Any, make_agent: Any
) -> None:
    async with dag_service(two_branch_spec(), {"plain": make_agent()}) as service:
        view = await service.start("branches", {}, "ann")
        answers = {p.interrupt_id: {"note": str(p.step)} for p in view.pauses}
        done = await service.resume(view.thread_id, answers, "ann")
    assert done.status is ThreadStatus.COMPLETED
    assert journal.calls == {"research": 1, "merge": 1}


async def test_failing_agent_fails_its_step_and_the_thread_with_its_message(
    dag_service: Any, journal: Any, make_agent: Any
) -> None:
    spec = WorkflowSpec(
        name="fragile",
        steps=(
            StepSpec(id="fetch", agent="broken"),
            StepSpec(id="other", agent="plain"),
            StepSpec(id="use", agent="plain", depends_on=("fetch",)),
        ),
    )
    agents = {"broken": make_agent(fail_times=9), "plain": make_agent()}
    async with dag_service(spec, agents) as service:
        view = await service.start("fragile", {}, "ann")
    assert view.status is ThreadStatus.FAILED
    assert "fetch broke" in (view.error or "")
    assert view.steps["fetch"]["status"] == "failed"
    assert "fetch broke" in view.steps["fetch"]["error"]
    assert view.steps["other"]["status"] == "completed"
    assert view.steps["use"]["status"] == "skipped"


async def test_retries_with_backoff_then_succeeds(
    dag_service: Any, journal: Any, make_agent: Any, clock: Any
) -> None:
    spec = WorkflowSpec(
        name="flaky",
        steps=(StepSpec(id="fetch", agent="flaky", retries=3, backoff_seconds=0.5),),
    )
    async with dag_service(spec, {"flaky": make_agent(fail_times=2)}) as service:
        view = await service.start("flaky", {}, "ann")
    assert view.status is ThreadStatus.COMPLETED
    assert view.steps["fetch"]["attempts"] == 3
    assert clock.sleeps == [0.5, 1.0]
    assert view.steps["fetch"]["started_at"] < view.steps["fetch"]["finished_at"]


class Crash(BaseException):
    """Stands in for the process dying: nothing in the service catches it."""


async def test_restart_after_a_crash_reruns_only_unfinished_steps(
    dag_service: Any, journal: Any, make_agent: Any
) -> None:
    async def crash_first_time(request: StepRequest) -> None:
        if journal.calls[request.step] == 1:
            raise Crash

    spec = WorkflowSpec(
        name="crashy",
        steps=(
            StepSpec(id="a", agent="plain"),
            StepSpec(id="b", agent="plain"),
            StepSpec(id="c", agent="crash", depends_on=("a", "b")),
        ),
    )
    agents = {"plain": make_agent(), "crash": make_agent(crash_first_time)}
    async with dag_service(spec, agents) as service:
        with pytest.raises(Crash):
            await service.start("crashy", {}, "ann", thread_id="t1")
        stopped = await service.get("t1")
        assert stopped.status is ThreadStatus.RUNNING
        assert [stopped.steps[s]["status"] for s in "abc"] == ["completed", "completed", "running"]
    async with dag_service(spec, agents) as service:  # start-up recovery finishes it
        view = await service.get("t1")
    assert view.status is ThreadStatus.COMPLETED
    assert journal.calls == {"a": 1, "b": 1, "c": 2}

"""Approvals from any agent: the digest approved is the digest of what the person saw."""

from __future__ import annotations

from typing import Any

from pausepoint.domain import ThreadStatus
from pausepoint.workflows.dag import RequiresApproval, StepRequest, StepSpec, WorkflowSpec


class Proposer:
    """Proposes a new plan on every call (like a chat model would)."""

    def __init__(self) -> None:
        self.runs = 0

    async def run(self, request: StepRequest) -> Any:
        self.runs += 1
        return RequiresApproval(message="ok?", payload={"plan": self.runs})


class DeclaredProposer(Proposer):
    asks_for_approval = True


SPEC = WorkflowSpec(name="plan", steps=(StepSpec(id="plan", agent="proposer"),))
#: The design-notes/5 fields of the run the approval resumed: it ran the one step.
APPROVED_RUN = {
    "paused": False,
    "success": True,
    "pause_reason": None,
    "steps_executed": 1,
    "context": {"plan": {"plan": 1}},
}


async def test_an_undeclared_agents_first_proposal_is_what_gets_approved(dag_service: Any) -> None:
    agent = Proposer()
    async with dag_service(SPEC, {"proposer": agent}) as service:
        view = await service.start("plan", {}, "ann")
        pause = view.pauses[0]
        assert pause.context == {"plan": 1}
        done = await service.answer(
            view.thread_id, {"decision": "approve", "digest": pause.payload_digest}, "ann"
        )
    assert done.status is ThreadStatus.COMPLETED
    assert done.result == {"plan": {"plan": 1}, **APPROVED_RUN}


async def test_a_declared_agent_is_not_called_again_when_its_step_resumes(
    dag_service: Any,
) -> None:
    agent = DeclaredProposer()
    async with dag_service(SPEC, {"proposer": agent}) as service:
        view = await service.start("plan", {}, "ann")
        pause = view.pauses[0]
        done = await service.answer(
            view.thread_id, {"decision": "approve", "digest": pause.payload_digest}, "ann"
        )
    assert done.result == {"plan": {"plan": 1}, **APPROVED_RUN}
    assert agent.runs == 1

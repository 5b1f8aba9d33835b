"""Compatibility routes of design-notes/1 and /3, thin over the same service calls."""

from __future__ import annotations

from fastapi import APIRouter

from pausepoint.api.bodies import JsonRoute
from pausepoint.api.deps import Person
from pausepoint.api.render import orchestrator_status, process_response
from pausepoint.api.routes.threads import ERRORS
from pausepoint.api.schemas import (
    HumanInput,
    OrchestratorStatus,
    ProcessRequest,
    ProcessResponse,
    WorkflowResume,
)

router = APIRouter(tags=["compatibility"], route_class=JsonRoute)


@router.post("/human_input", responses=ERRORS)
async def human_input(body: HumanInput, person: Person) -> OrchestratorStatus:
    """Answer a waiting task: text is mapped onto the pause's form, an object is the answer."""
    if isinstance(body.user_input, str):
        view = await person.reply(body.task_id, body.user_input)
    else:
        view = await person.answer(body.task_id, body.user_input)
    return orchestrator_status(view)


@router.get("/orchestrator/status/{task_id}", responses=ERRORS)
async def task_status(task_id: str, person: Person) -> OrchestratorStatus:
    return orchestrator_status(await person.get(task_id))


@router.post("/process", responses=ERRORS)
async def process(body: ProcessRequest, person: Person) -> ProcessResponse:
    """Run a workflow: `{paused, execution_id, form}` when it waits, `{response}` when done."""
    data = {"prompt": body.input} if isinstance(body.input, str) else body.input
    return process_response(await person.start(body.workflow, data))


@router.post("/workflow_resume", responses=ERRORS)
async def workflow_resume(body: WorkflowResume, person: Person) -> ProcessResponse:
    """Submit a paused execution's form; returns the next form or the final response."""
    if isinstance(body.data, str):
        view = await person.reply(body.execution_id, body.data)
    else:
        view = await person.answer(body.execution_id, body.data, interrupt_id=body.interrupt_id)
    return process_response(view)

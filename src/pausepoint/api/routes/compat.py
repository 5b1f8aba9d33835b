"""Compatibility routes of design-notes/1 and /3, thin over the same service calls."""

from __future__ import annotations

from fastapi import APIRouter, Response

from pausepoint.api.bodies import JsonRoute
from pausepoint.api.deps import Person
from pausepoint.api.render import orchestrator_status, process_response
from pausepoint.api.routes.threads import ERRORS, Wait, running, still_running
from pausepoint.api.schemas import (
    HumanInput,
    OrchestratorStatus,
    ProcessRequest,
    ProcessResponse,
    WorkflowResume,
)

router = APIRouter(tags=["compatibility"], route_class=JsonRoute)


@router.post("/human_input", responses={**ERRORS, **running(OrchestratorStatus)})
async def human_input(
    body: HumanInput, person: Person, response: Response, wait: Wait = 30
) -> OrchestratorStatus:
    """Answer a waiting task: text is mapped onto the pause's form, an object is the answer.
    202 while the run goes on past `wait` seconds (its progress on /orchestrator/status)."""
    if isinstance(body.user_input, str):
        view = await person.reply(body.task_id, body.user_input, wait=wait)
    else:
        view = await person.answer(body.task_id, body.user_input, wait=wait)
    return orchestrator_status(still_running(view, response))


@router.get("/orchestrator/status/{task_id}", responses=ERRORS)
async def task_status(task_id: str, person: Person) -> OrchestratorStatus:
    return orchestrator_status(await person.get(task_id))


@router.post("/process", responses={**ERRORS, **running(ProcessResponse)})
async def process(
    body: ProcessRequest, person: Person, response: Response, wait: Wait = 30
) -> ProcessResponse:
    """Run a workflow: `{paused, execution_id, form}` when it waits, `{response}` when done;
    202 with the execution running when it goes on past `wait` seconds."""
    data = {"prompt": body.input} if isinstance(body.input, str) else body.input
    view = await person.start(body.workflow, data, wait=wait)
    return process_response(still_running(view, response))


@router.post("/workflow_resume", responses={**ERRORS, **running(ProcessResponse)})
async def workflow_resume(
    body: WorkflowResume, person: Person, response: Response, wait: Wait = 30
) -> ProcessResponse:
    """Submit a paused execution's form; returns the next form or the final response (202
    while the run goes on past `wait` seconds)."""
    if isinstance(body.data, str):
        view = await person.reply(body.execution_id, body.data, wait=wait)
    else:
        view = await person.answer(
            body.execution_id, body.data, interrupt_id=body.interrupt_id, wait=wait
        )
    return process_response(still_running(view, response))

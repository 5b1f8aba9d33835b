"""Compatibility routes of design-notes/1 and /3, thin over the same service calls."""

from __future__ import annotations

from fastapi import APIRouter

from pausepoint.api import answering
from pausepoint.api.bodies import JsonRoute
from pausepoint.api.deps import Service, User, visible_thread
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
async def human_input(body: HumanInput, service: Service, user: User) -> OrchestratorStatus:
    """Answer a waiting task: text is mapped onto the pause's form, an object is the answer."""
    if isinstance(body.user_input, str):
        view = await answering.reply(service, body.task_id, body.user_input, user)
    else:
        view = await answering.answer(service, body.task_id, user, answer=body.user_input)
    return orchestrator_status(view)


@router.get("/orchestrator/status/{task_id}", responses=ERRORS)
async def task_status(task_id: str, service: Service, user: User) -> OrchestratorStatus:
    return orchestrator_status(await visible_thread(service, task_id, user))


@router.post("/process", responses=ERRORS)
async def process(body: ProcessRequest, service: Service, user: User) -> ProcessResponse:
    """Run a workflow: `{paused, execution_id, form}` when it waits, `{response}` when done."""
    data = {"prompt": body.input} if isinstance(body.input, str) else body.input
    return process_response(await service.start(body.workflow, data, user))


@router.post("/workflow_resume", responses=ERRORS)
async def workflow_resume(body: WorkflowResume, service: Service, user: User) -> ProcessResponse:
    """Submit a paused execution's form; returns the next form or the final response."""
    if isinstance(body.data, str):
        view = await answering.reply(service, body.execution_id, body.data, user)
    else:
        view = await answering.answer(
            service, body.execution_id, user, answer=body.data, interrupt_id=body.interrupt_id
        )
    return process_response(view)

"""/api/threads: start, list, show, answer, cancel threads; their decision log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response

from pausepoint.api.bodies import JsonRoute
from pausepoint.api.deps import Limit, Offset, Person, Service, User
from pausepoint.api.schemas import AnswerRequest, DecisionList, ErrorBody, StartThread, ThreadList
from pausepoint.domain import ThreadStatus, ThreadView

router = APIRouter(prefix="/api/threads", tags=["threads"], route_class=JsonRoute)

#: Every refusal a route may send, all `ErrorBody`: 413 a body over PAUSEPOINT_MAX_BODY_BYTES,
#: 415 a body not sent as JSON, 422 a body that is not a JSON document or a body or parameter
#: that fails validation (api/bodies.py).
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (401, 403, 404, 409, 413, 415, 422)
}


@router.post("/import", responses=ERRORS)
async def import_thread(
    state: Annotated[dict[str, Any], Body(examples=[{"thread_id": "…", "steps": {}}])],
    person: Person,
) -> ThreadView:
    """Resume a thread from its edited state file (from `GET /api/threads/{id}/export`)."""
    return await person.import_state(state)


#: `?wait=`: how long a start or an answer waits for the run to stop before it answers 202.
Wait = Annotated[
    float,
    Query(
        ge=0,
        le=3600,
        description="Seconds to wait for the run to pause or end (0: answer at once). A run "
        "still going then goes on in the server: 202 with the thread running.",
    ),
]


def running(model: type[Any]) -> dict[int | str, dict[str, Any]]:
    """The 202 a route answers with `model` while the run it started or resumed goes on."""
    return {202: {"model": model, "description": "Accepted: stored, and running in the server."}}


RUNNING = running(ThreadView)


def still_running(view: ThreadView, response: Response) -> ThreadView:
    """`view`, said with 202 when its run goes on (any door's reply to a start or answer)."""
    if view.status is ThreadStatus.RUNNING:
        response.status_code = 202
    return view


def thread_reply(view: ThreadView, status: int) -> Response:
    """`view` as JSON with `status`, or 202 while its run goes on, written by the model itself:
    FastAPI would check the view against its own model again first (about 30 µs a reply)."""
    reply = Response(view.model_dump_json(), status_code=status, media_type="application/json")
    still_running(view, reply)
    return reply


@router.post("", status_code=201, response_model=ThreadView, responses={**ERRORS, **RUNNING})
async def start_thread(body: StartThread, person: Person, wait: Wait = 30) -> Response:
    """Start a workflow: 201 when the thread has paused, completed or failed within `wait`
    seconds, else 202 with it running (the start is stored either way)."""
    view = await person.start(body.workflow, body.input, thread_id=body.thread_id, wait=wait)
    return thread_reply(view, 201)


@router.get("", responses=ERRORS)
async def list_threads(
    service: Service,
    user: User,
    status: ThreadStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ThreadList:
    """Your threads, most recently updated first."""
    return ThreadList(
        threads=await service.list_threads(status, limit=limit, offset=offset, owner=user)
    )


@router.get("/{thread_id}", responses=ERRORS)
async def get_thread(thread_id: str, person: Person) -> ThreadView:
    """Status, pending pauses (with response_schema and actions), step states, result."""
    return await person.get(thread_id)


@router.post("/{thread_id}/answers", response_model=ThreadView, responses={**ERRORS, **RUNNING})
async def answer_thread(
    thread_id: str, body: AnswerRequest, person: Person, wait: Wait = 30
) -> Response:
    """Answer the pending pause(s). 422 names each bad field; 409 if already answered; 202
    when the run it resumes goes on past `wait` seconds (the answer is recorded)."""
    if body.answers is not None:
        view = await person.resume(thread_id, body.answers, wait=wait)
    else:
        view = await person.answer(
            thread_id, body.answer, interrupt_id=body.interrupt_id, wait=wait
        )
    return thread_reply(view, 200)


@router.post("/{thread_id}/cancel", responses=ERRORS)
async def cancel_thread(thread_id: str, person: Person) -> ThreadView:
    return await person.cancel(thread_id)


@router.get("/{thread_id}/export", responses=ERRORS)
async def export_thread(thread_id: str, person: Person) -> dict[str, Any]:
    """The thread as an editable state file: workflow, context, steps, decisions."""
    return await person.export_state(thread_id)


@router.get("/{thread_id}/decisions", responses=ERRORS)
async def thread_decisions(thread_id: str, person: Person) -> DecisionList:
    """Who answered what, when, on which payload digest."""
    return DecisionList(decisions=await person.decisions(thread_id))

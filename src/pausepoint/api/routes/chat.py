"""The chat API of design-notes/4 over the chat workflow (`PAUSEPOINT_CHAT_WORKFLOW`)."""

from __future__ import annotations

from typing import cast

from fastapi import APIRouter, Request, Response

from pausepoint.api.bodies import JsonRoute
from pausepoint.api.deps import Person
from pausepoint.api.render import chat_response
from pausepoint.api.routes.threads import ERRORS, Wait, running, still_running
from pausepoint.api.schemas import ChatContinue, ChatRequest, ChatResponse
from pausepoint.settings import Settings

router = APIRouter(prefix="/api/chat", tags=["chat"], route_class=JsonRoute)


def chat_workflow(request: Request) -> str:
    return cast(Settings, request.app.state.settings).chat_workflow


RUNNING = running(ChatResponse)


@router.post("", responses={**ERRORS, **RUNNING})
async def chat(
    body: ChatRequest, request: Request, person: Person, response: Response, wait: Wait = 30
) -> ChatResponse:
    """Start a conversation (or, with the id of a waiting one, answer it); 202 with status
    `running` when it runs on past `wait` seconds (follow it on /api/chat/status)."""
    extra = {"max_results": body.max_results} if body.max_results is not None else {}
    view = await person.start_or_reply(
        chat_workflow(request), body.prompt, body.thread_id, extra=extra, wait=wait
    )
    return chat_response(still_running(view, response))


@router.post("/continue", responses={**ERRORS, **RUNNING})
async def continue_chat(
    body: ChatContinue, person: Person, response: Response, wait: Wait = 30
) -> ChatResponse:
    """Answer a paused conversation in plain text (mapped onto the pause's form); 202 when
    the run goes on past `wait` seconds."""
    view = await person.reply(body.thread_id, body.response, wait=wait)
    return chat_response(still_running(view, response))


@router.get("/status/{thread_id}", responses=ERRORS)
async def chat_status(thread_id: str, person: Person) -> ChatResponse:
    return chat_response(await person.get(thread_id))

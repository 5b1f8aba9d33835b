"""WS /ws/chat: design-notes/4's chat protocol plus the caller's thread events.

In: `{"type": "start", "prompt", "thread_id"?}` (or `"workflow"` and `"input"` for any
workflow), `{"type": "continue", "thread_id", "response"}`, `{"type": "answer", "thread_id",
"answer", "interrupt_id"?}`, `{"type": "status", "thread_id"}`.
Out: `{"type": "response", ...ChatResponse}` for each command, `{"type": "event", ...}` for
each event of the caller's threads (a pause arrives with `status: "WAITING_FOR_HUMAN_INPUT"`
and its `prompt`), `{"type": "error", "error", "detail", "fields"}`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any, cast

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from pausepoint.api.deps import authenticate
from pausepoint.api.errors import error_body
from pausepoint.api.render import chat_response, event_message
from pausepoint.errors import InvalidInput, InvalidRequest, PausepointError
from pausepoint.jsontext import parse_json
from pausepoint.service.doors import Door
from pausepoint.service.events import ThreadEvent
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings

router = APIRouter(tags=["push"])

Message = dict[str, Any]


def _text(message: Message, key: str) -> str:
    value = message.get(key)
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{key!r} is required", fields=[{"loc": key, "message": "required"}])
    return value


def _optional_text(message: Message, key: str) -> str | None:
    value = message.get(key)
    if value is None or isinstance(value, str):
        return value or None
    raise InvalidInput(f"{key!r} must be a string", fields=[{"loc": key, "message": "not text"}])


async def _command(person: Door, workflow: str, message: Message) -> Message:
    kind = message.get("type")
    if kind == "start":
        thread_id = _optional_text(message, "thread_id")
        if isinstance(message.get("workflow"), str):
            view = await person.start(
                message["workflow"], message.get("input") or {}, thread_id=thread_id
            )
        else:
            prompt = _text(message, "prompt")
            view = await person.start_or_reply(workflow, prompt, thread_id)
    elif kind == "continue":
        view = await person.reply(_text(message, "thread_id"), _text(message, "response"))
    elif kind == "answer":
        view = await person.answer(
            _text(message, "thread_id"),
            message.get("answer"),
            interrupt_id=_optional_text(message, "interrupt_id"),
        )
    elif kind == "status":
        view = await person.get(_text(message, "thread_id"))
    else:
        raise InvalidInput(f"unknown message type {kind!r}: start, continue, answer or status")
    return {"type": "response", **chat_response(view).model_dump(mode="json")}


async def _forward(
    events: asyncio.Queue[ThreadEvent], out: asyncio.Queue[Message], user: str
) -> None:
    while True:
        event = await events.get()
        if user in event.audience():
            await out.put(event_message(event))


async def _send(websocket: WebSocket, out: asyncio.Queue[Message]) -> None:
    while True:
        await websocket.send_text(json.dumps(await out.get(), default=str))


@router.websocket("/ws/chat")
async def ws_chat(websocket: WebSocket) -> None:
    try:
        user = authenticate(
            websocket, websocket.headers.get("authorization"), websocket.query_params.get("token")
        )
    except PausepointError as exc:
        await websocket.close(code=1008, reason=exc.detail[:120])
        return
    service = cast(ThreadService, websocket.app.state.service)
    workflow = cast(Settings, websocket.app.state.settings).chat_workflow
    await websocket.accept()
    out: asyncio.Queue[Message] = asyncio.Queue()
    async with service.events.subscribe() as events:
        await out.put({"type": "connected", "user": user})
        tasks = [
            asyncio.create_task(_forward(events, out, user)),
            asyncio.create_task(_send(websocket, out)),
        ]
        try:
            while True:
                raw = await websocket.receive_text()
                try:
                    message = parse_json(raw, "message")
                    if not isinstance(message, dict):
                        raise InvalidRequest("a message is a JSON object")
                    reply = await _command(Door(service, user), workflow, message)
                except PausepointError as exc:
                    reply = {"type": "error", **error_body(exc)}
                await out.put(reply)
        except WebSocketDisconnect:
            pass
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

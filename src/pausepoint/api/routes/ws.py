"""WS /ws/chat: design-notes/4's chat protocol plus the caller's thread events.

In: `{"type": "start", "prompt", "thread_id"?}` (or `"workflow"` and `"input"` for any
workflow), `{"type": "continue", "thread_id", "response", "interrupt_id"?}`, `{"type":
"answer", "thread_id", "answer", "interrupt_id"?}`, `{"type": "status", "thread_id"}`.
Out: `{"type": "response", ...ChatResponse}` for each command, `{"type": "event", ...}` for
each event of the caller's threads (a pause arrives with `status: "WAITING_FOR_HUMAN_INPUT"`
and its `prompt`), `{"type": "error", "error", "detail", "fields"}`.

The key: `Authorization: Bearer KEY`, or `?token=KEY`, or — for browsers, which can send no
header and should not put a key in a URL (URLs end up in access logs) — the subprotocols
`pausepoint` and `pausepoint.key.KEY`; the socket is accepted with `pausepoint`.

The note's client answers whenever a message has `requires_user_input`, so on one socket
exactly one message per pause carries it (whichever shows the pause first, the event or the
reply), and only for a pause this person may answer. `start` always starts a new
conversation: an id already taken (`"new-conversation"` on every start, as the note's client
sends) gets a fresh one, returned in `thread_id`. A `continue` answers the pause this socket
showed for that thread (or names it with `interrupt_id`); if it was answered meanwhile the
reply is a 409 saying by whom, never an answer to the next pause.
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
from pausepoint.domain import Pause, ThreadView
from pausepoint.errors import InvalidInput, InvalidRequest, PausepointError, ThreadNotFound
from pausepoint.jsontext import parse_json
from pausepoint.service.decisions import may_answer
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


class Shown:
    """The pauses one socket has shown its person as needing their input."""

    def __init__(self, user: str) -> None:
        self.user = user
        self._announced: set[str] = set()
        #: thread id -> the interrupt id of the pause last shown for it
        self.latest: dict[str, str] = {}

    def mark(self, message: Message, thread_id: str, pause: Pause | None, owner: str) -> Message:
        """`message` with `requires_user_input` set only on the first showing of a pause the
        person may answer."""
        if pause is None or not message.get("requires_user_input"):
            return message
        if pause.interrupt_id in self._announced or not may_answer(self.user, pause, owner):
            return {**message, "requires_user_input": False}
        self._announced.add(pause.interrupt_id)
        self.latest[thread_id] = pause.interrupt_id
        return message


async def _fresh_id(person: Door, thread_id: str | None) -> str | None:
    """`thread_id` for a new conversation, or a fresh id when that one is taken."""
    if thread_id is None:
        return None
    try:
        await person.service.get(thread_id)
    except ThreadNotFound:
        return thread_id
    return None


async def _command(person: Door, workflow: str, message: Message, shown: Shown) -> Message:
    kind = message.get("type")
    view: ThreadView
    if kind == "start":
        thread_id = await _fresh_id(person, _optional_text(message, "thread_id"))
        if isinstance(message.get("workflow"), str):
            view = await person.start(
                message["workflow"], message.get("input") or {}, thread_id=thread_id
            )
        else:
            view = await person.start(
                workflow, {"prompt": _text(message, "prompt")}, thread_id=thread_id
            )
    elif kind == "continue":
        thread_id = _text(message, "thread_id")
        interrupt_id = _optional_text(message, "interrupt_id") or shown.latest.get(thread_id)
        view = await person.reply(thread_id, _text(message, "response"), interrupt_id=interrupt_id)
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
    reply = {"type": "response", **chat_response(view).model_dump(mode="json")}
    pause = view.pauses[0] if view.pauses else None
    return shown.mark(reply, view.thread_id, pause, view.owner)


async def _forward(
    events: asyncio.Queue[ThreadEvent], out: asyncio.Queue[Message], shown: Shown
) -> None:
    while True:
        event = await events.get()
        if shown.user in event.audience():
            message = event_message(event)
            await out.put(shown.mark(message, event.thread_id, event.pause, event.owner))


async def _send(websocket: WebSocket, out: asyncio.Queue[Message]) -> None:
    while True:
        await websocket.send_text(json.dumps(await out.get(), default=str))


#: The subprotocol a browser offers its key in (`pausepoint.key.KEY`), beside `pausepoint`.
KEY_PROTOCOL = "pausepoint.key."


def _offered_key(websocket: WebSocket) -> tuple[str | None, str | None]:
    """The key offered as a subprotocol, if any, and the subprotocol to accept with."""
    offered = [p.strip() for p in websocket.headers.get("sec-websocket-protocol", "").split(",")]
    keys = [p.removeprefix(KEY_PROTOCOL) for p in offered if p.startswith(KEY_PROTOCOL)]
    return (keys[0] if keys else None), ("pausepoint" if "pausepoint" in offered else None)


@router.websocket("/ws/chat")
async def ws_chat(websocket: WebSocket) -> None:
    offered, subprotocol = _offered_key(websocket)
    try:
        user = authenticate(
            websocket,
            websocket.headers.get("authorization"),
            websocket.query_params.get("token") or offered,
        )
    except PausepointError as exc:
        await websocket.close(code=1008, reason=exc.detail[:120])
        return
    service = cast(ThreadService, websocket.app.state.service)
    workflow = cast(Settings, websocket.app.state.settings).chat_workflow
    await websocket.accept(subprotocol=subprotocol)
    out: asyncio.Queue[Message] = asyncio.Queue()
    shown = Shown(user)
    async with service.events.subscribe() as events:
        await out.put({"type": "connected", "user": user})
        tasks = [
            asyncio.create_task(_forward(events, out, shown)),
            asyncio.create_task(_send(websocket, out)),
        ]
        try:
            while True:
                raw = await websocket.receive_text()
                try:
                    message = parse_json(raw, "message")
                    if not isinstance(message, dict):
                        raise InvalidRequest("a message is a JSON object")
                    reply = await _command(Door(service, user), workflow, message, shown)
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

"""GET /api/events: the caller's thread events as Server-Sent Events."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from pausepoint.api.deps import Service, User
from pausepoint.api.render import event_message
from pausepoint.api.routes.threads import ERRORS
from pausepoint.service.events import EventBus

router = APIRouter(prefix="/api", tags=["push"])

KEEPALIVE_SECONDS = 15.0


async def _stream(events: EventBus, user: str) -> AsyncIterator[str]:
    async with events.subscribe() as queue:
        yield ": subscribed\n\n"  # the client knows it will hear everything from here on
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if user in event.audience():
                data = json.dumps(event_message(event), default=str)
                yield f"event: {event.type}\ndata: {data}\n\n"


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, **ERRORS},
)
async def events(service: Service, user: User) -> StreamingResponse:
    """Events of your threads (and pauses assigned to you): started, paused, completed, ...

    Each is `event: TYPE` with `data:` the same JSON object WS /ws/chat pushes. Browsers'
    EventSource cannot send headers: pass the key as `?token=KEY`.
    """
    return StreamingResponse(
        _stream(service.events, user),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )

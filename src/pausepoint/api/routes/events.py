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
#: Events sent in one write at most.
BATCH = 100
#: How long the first event of a write waits for others to join it.
GATHER_SECONDS = 0.01


async def _stream(events: EventBus, user: str) -> AsyncIterator[str]:
    async with events.subscribe() as queue:
        yield ": subscribed\n\n"  # the client knows it will hear everything from here on
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            # what else comes within a moment goes out with it, in one write (a fast run's
            # events come in bursts: one write each would cost the run more than they do)
            await asyncio.sleep(GATHER_SECONDS)
            batch = [event]
            while not queue.empty() and len(batch) < BATCH:
                batch.append(queue.get_nowait())
            chunk = "".join(
                f"event: {e.type}\ndata: {json.dumps(event_message(e), default=str)}\n\n"
                for e in batch
                if user in e.audience()
            )
            if chunk:
                yield chunk


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

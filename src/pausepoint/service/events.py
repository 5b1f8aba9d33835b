"""The event bus: thread events published by ThreadService, read by push doors (WS, SSE)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from pausepoint.domain import Pause, ThreadStatus
from pausepoint.service.decisions import audience

logger = logging.getLogger(__name__)

EventType = Literal[
    "started", "paused", "answered", "resumed", "completed", "failed", "cancelled", "step"
]


class ThreadEvent(BaseModel):
    type: EventType
    thread_id: str
    workflow: str
    status: ThreadStatus
    owner: str
    at: datetime
    pause: Pause | None = None
    actor: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)

    def audience(self) -> set[str]:
        """Who may receive this event: the thread's owner and the pause's assignee."""
        return audience(self.owner, [self.pause] if self.pause is not None else [])


class EventBus:
    """In-process fan-out. A slow subscriber loses its oldest events rather than block others."""

    def __init__(self, queue_size: int = 1000) -> None:
        self._queues: set[asyncio.Queue[ThreadEvent]] = set()
        self._queue_size = queue_size

    def publish(self, event: ThreadEvent) -> None:
        for queue in list(self._queues):
            if queue.full():
                logger.warning("event subscriber is full; dropping its oldest event")
                queue.get_nowait()
            queue.put_nowait(event)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[ThreadEvent]]:
        queue: asyncio.Queue[ThreadEvent] = asyncio.Queue(self._queue_size)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)

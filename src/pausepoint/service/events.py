"""The event bus: thread events published by ThreadService, read by push doors (WS, SSE)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from pausepoint.domain import Pause, Progress, ThreadStatus
from pausepoint.service.decisions import audience

logger = logging.getLogger(__name__)

EventType = Literal[
    "started",
    "paused",
    "answered",
    "resumed",
    "completed",
    "failed",
    "cancelled",
    "step",
    # while a run goes on (service/streaming.py): a node starting and finishing, what the
    # graph reports with get_stream_writer(), a chat model's tokens (batched)
    "node_started",
    "node_finished",
    "progress",
    "tokens",
    # a cancel of a thread whose run goes on in another process: that process stops it
    "cancel_requested",
    # its owner changed a waiting thread's state by hand (service/edits.py)
    "state_updated",
]

#: The events of a run going on: for the thread's owner and whoever's answer it runs on.
RUN_EVENTS = frozenset({"resumed", "node_started", "node_finished", "progress", "tokens"})
#: The events after which a thread is no longer running.
STOPS = frozenset({"paused", "completed", "failed", "cancelled"})


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
        """Who may receive this event: the thread's owner and the pause's assignee (a run's
        events: also whoever's answer it runs on)."""
        people = audience(self.owner, [self.pause] if self.pause is not None else [])
        if self.type in RUN_EVENTS and self.actor:
            people.add(self.actor)
        return people


class EventBus:
    """In-process fan-out. A slow subscriber loses its oldest events rather than block others."""

    #: Whether other processes hear what is published here (PgEventBus).
    shared = False

    def __init__(self, queue_size: int = 1000) -> None:
        self._queues: set[asyncio.Queue[ThreadEvent]] = set()
        self._queue_size = queue_size
        #: the latest progress of each thread running here: (node, text, at), made a
        #: `Progress` only when asked for (a run's every node and report goes through here)
        self._progress: dict[str, tuple[Any, Any, datetime]] = {}
        #: the latest version (row update time) of each thread this process has announced
        self._versions: dict[str, datetime] = {}

    def progress(self, thread_id: str, stored: dict[str, Any] | None = None) -> Progress | None:
        """The latest progress of a thread running here (or, on Postgres, anywhere); else as
        its row has it (`stored`, written by whichever process runs it)."""
        heard = self._progress.get(thread_id)
        if heard is None:
            return Progress.model_validate(stored) if stored is not None else None
        node, text, at = heard
        return Progress(node=node, text=text, at=at)

    def saw(self, thread_id: str, version: datetime) -> None:
        """Note that this process announced the thread as its row was at `version` (only
        where a feed reads it back and prunes it: not on a bus other processes share)."""
        if self.shared:
            return
        known = self._versions.get(thread_id)
        if known is None or version > known:
            self._versions[thread_id] = version

    def version(self, thread_id: str) -> datetime | None:
        """The latest version of the thread announced here, if remembered (service/feed.py)."""
        return self._versions.get(thread_id)

    def forget_versions(self, *, before: datetime) -> None:
        """Forget the versions older than `before` (changes no look will meet again)."""
        self._versions = {t: v for t, v in self._versions.items() if v >= before}

    def publish(self, event: ThreadEvent) -> None:
        if event.type == "progress" or event.type == "node_started":
            # a node starting, or a report with no text, keeps the text its node said last
            node, text = event.data.get("node"), event.data.get("text")
            if text is None and (latest := self._progress.get(event.thread_id)) is not None:
                text = latest[1] if latest[0] == node else None
            self._progress[event.thread_id] = (node, text, event.at)
        elif event.type in STOPS:
            self._progress.pop(event.thread_id, None)
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

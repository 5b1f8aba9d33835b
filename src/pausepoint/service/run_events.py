"""What a run tells the world: its events on the bus and its progress in the thread's row.

A mixin of `RunLoop` (service/runs.py), on its event bus, clock and store.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from pausepoint.domain import Pause, ThreadStatus
from pausepoint.persistence.records import ThreadRecord
from pausepoint.persistence.store import Store
from pausepoint.service.events import EventBus, EventType, ThreadEvent
from pausepoint.service.streaming import Publish


class RunEvents:
    """Publishing a thread's events and storing its progress."""

    events: EventBus
    clock: Callable[[], datetime]
    store: Store

    def _run_event(self, record: ThreadRecord, actor: str | None) -> Publish:
        """Publish what a run of `record` reports, for its owner and `actor`."""
        running = replace(record, status=ThreadStatus.RUNNING)

        def publish(type: EventType, data: dict[str, Any]) -> None:
            self.publish(type, running, actor=actor, data=data)

        return publish

    def _store_progress(self, record: ThreadRecord) -> Callable[[dict[str, Any]], Awaitable[None]]:
        async def store(progress: dict[str, Any]) -> None:
            await self.store.set_progress(
                record.thread_id, {**progress, "at": self.clock().isoformat()}
            )

        return store

    def publish(
        self,
        type: EventType,
        record: ThreadRecord,
        *,
        pause: Pause | None = None,
        actor: str | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> None:
        self.events.saw(record.thread_id, record.updated_at)
        self.events.publish(
            ThreadEvent(
                type=type,
                thread_id=record.thread_id,
                workflow=record.workflow,
                status=record.status,
                owner=record.owner,
                at=self.clock(),
                pause=pause,
                actor=actor,
                data=dict(data or {}),
            )
        )

"""Which notifications a change makes: the outbox rows written with it, in its transaction.

A pause that starts waiting is posted to every webhook that takes `paused` and mailed to whom
it waits for (its assignee, else the thread's owner), when `PAUSEPOINT_EMAILS` has their
address; with a deadline, a `reminder` row is written too, due `remind_before_minutes` before
it (the sender drops it if the pause was answered by then). An escalation notifies the new
assignee (`escalated`); a thread's end (`completed`, `failed`) goes to the webhooks.

Each row is one message to one place, its `id` the event id a receiver dedupes by; the event
(`payload`) links to the thread on the page (`PAUSEPOINT_PUBLIC_URL`), never to an answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from pausepoint.domain import Pause
from pausepoint.persistence.records import NotificationRow, PauseRow, ThreadRecord
from pausepoint.settings import Settings

#: The events mailed to a person (the others go to webhooks only).
MAILED = frozenset({"paused", "escalated", "reminder"})


def page_url(settings: Settings, thread_id: str) -> str | None:
    """The thread on the page (which opens its pause), when the server's public URL is set."""
    if not settings.public_url:
        return None
    return f"{settings.public_url.rstrip('/')}/#thread={thread_id}"


def pause_json(pause: Pause, row: PauseRow | None) -> dict[str, Any]:
    """What an event says of a pause: enough to decide whether to open it."""
    deadline = row.deadline if row is not None else None
    return {
        "interrupt_id": pause.interrupt_id,
        "kind": pause.kind,
        "title": pause.title,
        "message": pause.message,
        "context": pause.context,
        "response_schema": pause.response_schema,
        "actions": [a.model_dump(mode="json") for a in pause.actions],
        "assignee": row.assignee if row is not None else pause.assignee,
        "deadline": deadline.isoformat() if deadline is not None else None,
    }


class Notices:
    """The outbox rows of each kind of change, as the settings route them."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime]) -> None:
        self.settings = settings
        self._clock = clock
        self.enabled = bool(settings.webhooks or (settings.smtp_url and settings.emails))

    def event(
        self,
        type: str,
        record: ThreadRecord,
        *,
        pause: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> dict[str, Any]:
        return {
            "id": uuid.uuid4().hex,
            "type": type,
            "at": self._clock().isoformat(),
            "thread_id": record.thread_id,
            "workflow": record.workflow,
            "status": record.status.value,
            "owner": record.owner,
            "url": page_url(self.settings, record.thread_id),
            "pause": pause,
            "error": error,
        }

    def rows(
        self,
        event: dict[str, Any],
        person: str | None = None,
        *,
        due: datetime | None = None,
    ) -> list[NotificationRow]:
        """One row per webhook that takes the event, and one for `person`'s address (for the
        events people are mailed); each its own id, the event's id the first one's."""
        now = self._clock()
        places: list[tuple[str, str]] = [
            ("webhook", hook.url) for hook in self.settings.webhooks if hook.wants(event["type"])
        ]
        address = self.settings.emails.get(person) if person else None
        if address and self.settings.smtp_url and event["type"] in MAILED:
            places.append(("email", address))
        rows = []
        for n, (channel, target) in enumerate(places):
            payload = event if n == 0 else {**event, "id": uuid.uuid4().hex}
            rows.append(
                NotificationRow(
                    id=payload["id"],
                    channel=channel,
                    target=target,
                    event=event["type"],
                    thread_id=event["thread_id"],
                    payload=payload,
                    created_at=now,
                    next_at=due,
                )
            )
        return rows

    def paused(
        self, record: ThreadRecord, pauses: Sequence[Pause], rows: Sequence[PauseRow]
    ) -> list[NotificationRow]:
        """For pauses that start waiting: `paused`, and a `reminder` before a deadline."""
        if not self.enabled:
            return []
        by_id = {r.interrupt_id: r for r in rows}
        remind = timedelta(minutes=self.settings.remind_before_minutes)
        out: list[NotificationRow] = []
        for pause in pauses:
            row = by_id.get(pause.interrupt_id)
            shown = pause_json(pause, row)
            person = (row.assignee if row is not None else pause.assignee) or record.owner
            out += self.rows(self.event("paused", record, pause=shown), person)
            if row is not None and row.deadline is not None and remind > timedelta(0):
                due = max(row.deadline - remind, self._clock())
                out += self.rows(self.event("reminder", record, pause=shown), person, due=due)
        return out

    def escalated(self, record: ThreadRecord, pause: Pause, assignee: str) -> list[NotificationRow]:
        if not self.enabled:
            return []
        shown = {**pause_json(pause, None), "assignee": assignee, "deadline": None}
        return self.rows(self.event("escalated", record, pause=shown), assignee)

    def ended(self, record: ThreadRecord, error: str | None = None) -> list[NotificationRow]:
        """For a thread that completed or failed (`record` with its new status)."""
        if not self.enabled:
            return []
        type = "failed" if error is not None else "completed"
        return self.rows(self.event(type, record, error=error))

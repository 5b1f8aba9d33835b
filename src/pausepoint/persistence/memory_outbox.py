"""The `notifications` table's twin in a dict: the outbox part of `MemoryStore`.

Same semantics as `pausepoint.persistence.sql.outbox` (tests/persistence/test_outbox_store.py
runs one set of tests on all three stores). Each method's changes happen with no `await`
between them, so on the event loop each is one transaction; `_notify` is the first change of
the `MemoryStore` methods that notify, so its Conflict leaves them none.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from pausepoint.errors import Conflict
from pausepoint.persistence.records import NotificationRow


def _utc(value: datetime) -> datetime:
    """As a SQL store reads a time back: aware UTC (a naive one is taken as UTC)."""
    return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).astimezone(UTC)


def _stored(n: NotificationRow) -> NotificationRow:
    """`n` as a SQL store gives it back: its payload's JSON round trip, its times in UTC."""
    next_at = _utc(n.next_at) if n.next_at is not None else None
    payload = json.loads(json.dumps(n.payload))
    return replace(n, payload=payload, created_at=_utc(n.created_at), next_at=next_at)


class MemoryOutbox:
    """Notifications in a dict, by id (see the module)."""

    def __init__(self) -> None:
        self._outbox: dict[str, NotificationRow] = {}

    def _notify(self, rows: Sequence[NotificationRow]) -> None:
        """Insert `rows`, all or none; Conflict if an id is taken."""
        ids = [n.id for n in rows]
        if len(set(ids)) < len(ids) or any(i in self._outbox for i in ids):
            raise Conflict("a notification with this id already exists; nothing was written")
        self._outbox.update((n.id, _stored(n)) for n in rows)

    async def add_notifications(self, rows: Sequence[NotificationRow]) -> None:
        self._notify(rows)

    async def claim_notifications(
        self, now: datetime, until: datetime, limit: int
    ) -> list[NotificationRow]:
        at = _utc(now)
        due = [
            n
            for n in self._outbox.values()
            if n.status == "pending" and (n.next_at is None or n.next_at <= at)
        ]
        due.sort(key=lambda n: (n.created_at, n.id))
        claimed = [replace(n, next_at=_utc(until)) for n in due[:limit]]
        self._outbox.update((n.id, n) for n in claimed)
        return claimed

    async def finish_notification(
        self, id: str, status: str, attempts: int, next_at: datetime | None, last_error: str | None
    ) -> bool:
        found = self._outbox.get(id)
        if found is None:
            return False
        self._outbox[id] = replace(
            found,
            status=status,
            attempts=attempts,
            next_at=_utc(next_at) if next_at is not None else None,
            last_error=last_error,
        )
        return True

    async def list_notifications(
        self, status: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[NotificationRow]:
        found = [n for n in self._outbox.values() if status is None or n.status == status]
        found.sort(key=lambda n: (n.created_at, n.id), reverse=True)
        return found[offset : offset + limit]

    async def get_notification(self, id: str) -> NotificationRow | None:
        return self._outbox.get(id)

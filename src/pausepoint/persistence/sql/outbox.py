"""The `notifications` table in SQL: the outbox a sender delivers from.

A mixin of `SqlStore`, written on its dialect hooks (hooks.py). A change that people must hear about writes its rows in its own transaction
(`_write_notifying`: `SqlStore.set_status`, and `escalate`, here because handing a pause to
someone else is a change they must hear about); a sender claims due rows for a while
(`claim_notifications`), delivers them and records how it went (`finish_notification`).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from pausepoint.errors import Conflict
from pausepoint.persistence.records import NotificationRow
from pausepoint.persistence.sql.hooks import DialectHooks, Row

_Step = tuple[str, Sequence[Any]]

_INSERT = (
    "INSERT INTO notifications (id, channel, target, event, thread_id, payload, status, "
    "attempts, next_at, last_error, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

#: `{lock}`: how the dialect keeps two claims at once from taking the same rows.
_CLAIM = (
    "UPDATE notifications SET next_at = ? WHERE id IN (SELECT id FROM notifications "
    "WHERE status = 'pending' AND (next_at IS NULL OR next_at <= ?) "
    "ORDER BY created_at, id LIMIT ?{lock}) RETURNING *"
)


class OutboxSql(DialectHooks):
    """The outbox's rows, for any dialect `SqlStore` supports."""

    #: Appended to the claim's row selection: Postgres' `FOR UPDATE SKIP LOCKED`, so a
    #: concurrent claim takes other rows; SQLite needs none (a write holds the database).
    CLAIM_LOCK: ClassVar[str] = ""
    DUPLICATE: ClassVar[type[Exception]]

    @abstractmethod
    async def _write(self, steps: Sequence[_Step]) -> None: ...

    def _notification(self, row: Row) -> NotificationRow:
        return NotificationRow(
            id=row["id"],
            channel=row["channel"],
            target=row["target"],
            event=row["event"],
            thread_id=row["thread_id"],
            payload=dict(self._read_json(row["payload"])),
            created_at=self._read_time(row["created_at"]),
            status=row["status"],
            attempts=int(row["attempts"]),
            next_at=self._read_time(row["next_at"]) if row["next_at"] is not None else None,
            last_error=row["last_error"],
        )

    def _insert_notification(self, n: NotificationRow) -> _Step:
        next_at = self._time(n.next_at) if n.next_at is not None else None
        return (
            _INSERT,
            (
                n.id,
                n.channel,
                n.target,
                n.event,
                n.thread_id,
                self._json(n.payload),
                n.status,
                n.attempts,
                next_at,
                n.last_error,
                self._time(n.created_at),
            ),
        )

    async def _write_notifying(
        self, steps: Sequence[_Step], notifications: Sequence[NotificationRow]
    ) -> None:
        """Run `steps` and insert `notifications` as one transaction; Conflict (and nothing
        written) if a notification's id is taken."""
        try:
            await self._write([*steps, *map(self._insert_notification, notifications)])
        except self.DUPLICATE as exc:
            raise Conflict(
                "a notification with this id already exists; nothing was written"
            ) from exc

    async def escalate(
        self,
        thread_id: str,
        interrupt_id: str,
        assignee: str,
        *,
        notifications: Sequence[NotificationRow] = (),
    ) -> None:
        update = (
            "UPDATE pauses SET assignee = ?, answerer = ?, deadline = NULL "
            "WHERE thread_id = ? AND interrupt_id = ?"
        )
        await self._write_notifying(
            [(update, (assignee, assignee, thread_id, interrupt_id))], notifications
        )

    # the outbox

    async def add_notifications(self, rows: Sequence[NotificationRow]) -> None:
        if rows:
            await self._write_notifying((), rows)

    async def claim_notifications(
        self, now: datetime, until: datetime, limit: int
    ) -> list[NotificationRow]:
        rows = await self._execute(
            _CLAIM.format(lock=self.CLAIM_LOCK),
            (self._time(until), self._time(now), limit),
            scan=True,
        )
        # RETURNING gives no order; the claim's is oldest first.
        return sorted(map(self._notification, rows), key=lambda n: (n.created_at, n.id))

    async def finish_notification(
        self, id: str, status: str, attempts: int, next_at: datetime | None, last_error: str | None
    ) -> bool:
        rows = await self._execute(
            "UPDATE notifications SET status = ?, attempts = ?, next_at = ?, last_error = ? "
            "WHERE id = ? RETURNING id",
            (
                status,
                attempts,
                self._time(next_at) if next_at is not None else None,
                last_error,
                id,
            ),
        )
        return bool(rows)

    async def list_notifications(
        self, status: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[NotificationRow]:
        sql = "SELECT * FROM notifications"
        args: tuple[str, ...] = ()
        if status is not None:
            sql, args = sql + " WHERE status = ?", (status,)
        rows = await self._execute(
            sql + " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
            (*args, limit, offset),
            scan=True,
        )
        return [self._notification(r) for r in rows]

    async def get_notification(self, id: str) -> NotificationRow | None:
        rows = await self._execute("SELECT * FROM notifications WHERE id = ?", (id,))
        return self._notification(rows[0]) if rows else None

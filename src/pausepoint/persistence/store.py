"""The interface of Pausepoint's tables (threads, decision log, pause index, leases, outbox).

Implemented once in SQL for SQLite (`SqliteStore`, the embedded default) and PostgreSQL
(`PostgresStore`), both in `pausepoint.persistence.sql`, and in plain Python by `MemoryStore`
(`pausepoint.persistence.memory`); tests/persistence/test_store_contract.py holds all three to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from pausepoint.domain import Decision, InboxItem, ThreadStatus
from pausepoint.persistence.records import (
    ApiRunRecord,
    ApiThreadRecord,
    NotificationRow,
    PauseRow,
    ThreadRecord,
    ThreadState,
)


class Store(Protocol):
    async def create_thread(self, record: ThreadRecord, input: Any = None) -> None:
        """Insert the thread with the JSON `input` it starts on; Conflict if one with its id
        exists."""
        ...

    async def thread_input(self, thread_id: str) -> Any:
        """The input the thread was started on (None if it has none, or no thread)."""
        ...

    async def reopen_thread(
        self, thread_id: str, input: Any, now: datetime, was: ThreadStatus = ThreadStatus.COMPLETED
    ) -> bool:
        """Set a thread that is `was` (completed, by default) running again with `input` stored
        as its input; False (and nothing changed) if it is not `was`."""
        ...

    async def set_progress(self, thread_id: str, progress: dict[str, Any]) -> None:
        """Record what a running thread is doing now (a thread no longer running keeps
        none: `set_status` clears it)."""
        ...

    async def get_thread(self, thread_id: str) -> ThreadRecord | None: ...

    async def thread_state(self, thread_id: str) -> ThreadState | None:
        """The thread with its pause-index rows and unapplied decisions, as one read."""
        ...

    async def list_threads(
        self, status: ThreadStatus | None, limit: int, offset: int, owner: str | None = None
    ) -> list[ThreadRecord]:
        """Threads (of `status`, of `owner`, when given), most recently updated first."""
        ...

    async def changed_threads(self, since: datetime, limit: int) -> list[ThreadRecord]:
        """Threads whose row changed after `since` (by anyone), oldest change first."""
        ...

    async def put_api_thread(self, record: ApiThreadRecord) -> bool:
        """Insert the LangGraph API's row of a thread; False (and nothing written) if the id
        has one already."""
        ...

    async def set_api_thread(self, record: ApiThreadRecord) -> None:
        """Write the row, or replace the metadata and update time of the one there."""
        ...

    async def get_api_thread(self, thread_id: str) -> ApiThreadRecord | None: ...

    async def list_api_threads(self, owner: str | None = None) -> list[ApiThreadRecord]:
        """The LangGraph API's thread rows (of `owner`, when given), newest first."""
        ...

    async def delete_api_thread(self, thread_id: str) -> bool:
        """Delete the LangGraph API's row of a thread; False if it had none."""
        ...

    async def put_api_run(self, record: ApiRunRecord) -> bool:
        """Insert a run of the LangGraph API; False (and nothing written) if its id has one
        already."""
        ...

    async def get_api_run(self, run_id: str) -> ApiRunRecord | None: ...

    async def list_api_runs(
        self, thread_id: str, *, limit: int = 10, offset: int = 0, status: str | None = None
    ) -> list[ApiRunRecord]:
        """The thread's LangGraph API runs (of `status`, when given), newest created first
        (ties: run id descending)."""
        ...

    async def latest_api_run(self, thread_id: str) -> ApiRunRecord | None:
        """The thread's newest LangGraph API run, in `list_api_runs`' order."""
        ...

    async def pending_api_runs(self, limit: int = 500) -> list[ApiRunRecord]:
        """LangGraph API runs queued (`pending`) on any thread, oldest created first."""
        ...

    async def set_api_run_status(
        self, run_id: str, status: str, updated_at: datetime, *, only_from: str | None = None
    ) -> bool:
        """Set a LangGraph API run's status as of `updated_at` (only if it is `only_from`,
        when given: a claim, or an end that a stop recorded first keeps); False if there is
        no such run (or it was not `only_from`)."""
        ...

    async def delete_api_run(self, run_id: str) -> bool:
        """Delete a LangGraph API run; False if there was none."""
        ...

    async def set_status(
        self,
        thread_id: str,
        status: ThreadStatus,
        now: datetime,
        error: str | None = None,
        pauses: Sequence[PauseRow] | None = None,
        applied: Sequence[str] = (),
        *,
        notifications: Sequence[NotificationRow] = (),
        outcome: str | None = None,
    ) -> None:
        """In one transaction: update the thread's status (and `outcome`, what a completed
        thread came to); with `pauses`, make its pause-index rows exactly these; mark the
        decisions for the `applied` interrupt ids applied; insert `notifications` into the
        outbox. Conflict, and nothing written, if a notification's id is taken."""
        ...

    async def record_decisions(
        self, decisions: Sequence[Decision], running_since: datetime | None = None
    ) -> None:
        """Insert all or none; raise AlreadyAnswered if any pause already has a decision.
        With `running_since`, in the same transaction the thread (all decisions are for one)
        is marked running as of then, and the answered pauses leave the pause index: the run
        that applies them goes on in the background."""
        ...

    async def decisions(self, thread_id: str) -> list[Decision]: ...

    async def unapplied_decisions(self, thread_id: str) -> list[Decision]: ...

    async def threads_needing_recovery(self) -> list[str]:
        """Threads with unapplied decisions or left running by a process that stopped."""
        ...

    async def delete_decisions(self, thread_id: str, interrupt_ids: Sequence[str]) -> None:
        """Take back decisions that were never applied because the graph refused them."""
        ...

    async def inbox(
        self, actor: str, limit: int, offset: int, *, others: bool = False
    ) -> list[InboxItem]:
        """The pauses `actor` answers, newest first (then by thread); with `others`, every
        pause of the threads `actor` owns or answers a pause of, whoever it waits for (newest
        first, then by thread and interrupt id)."""
        ...

    async def pause_rows(self, thread_id: str) -> list[PauseRow]:
        """The thread's pause-index rows (effective assignee and absolute deadline)."""
        ...

    async def due_pauses(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        """(thread id, interrupt id) of pending pauses whose deadline is at or before `now`."""
        ...

    async def escalate(
        self,
        thread_id: str,
        interrupt_id: str,
        assignee: str,
        *,
        notifications: Sequence[NotificationRow] = (),
    ) -> None:
        """Hand a pending pause to `assignee` and clear its deadline; in the same transaction
        insert `notifications` into the outbox (Conflict, and nothing written, if an id is
        taken)."""
        ...

    async def add_notifications(self, rows: Sequence[NotificationRow]) -> None:
        """Insert `rows` into the outbox, all or none; Conflict if an id is taken."""
        ...

    async def claim_notifications(
        self, now: datetime, until: datetime, limit: int
    ) -> list[NotificationRow]:
        """Take up to `limit` pending notifications due at `now` (no `next_at`, or at or before
        `now`), oldest created first, and set their `next_at` to `until` in the same atomic
        step, so no other claim (another server's) takes them before `until`. Two claims at
        once get disjoint rows. The rows come back as they are after the claim."""
        ...

    async def finish_notification(
        self, id: str, status: str, attempts: int, next_at: datetime | None, last_error: str | None
    ) -> bool:
        """Record how a delivery went (sent; pending again at `next_at`; dead); False if
        there is no such notification."""
        ...

    async def list_notifications(
        self, status: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[NotificationRow]:
        """Notifications (of `status`, when given), newest created first (ties: id
        descending)."""
        ...

    async def get_notification(self, id: str) -> NotificationRow | None: ...

    async def try_lease(self, thread_id: str, holder: str, until: float, now: float) -> bool:
        """Take or renew the thread's lease; True when `holder` holds it afterwards."""
        ...

    async def lease_holder(self, thread_id: str) -> tuple[str, float] | None: ...

    async def release_lease(self, thread_id: str, holder: str) -> None: ...

    async def close(self) -> None: ...

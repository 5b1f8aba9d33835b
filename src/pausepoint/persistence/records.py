"""Rows of Pausepoint's own tables, as frozen values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pausepoint.domain import Decision, Pause, ThreadStatus, ThreadSummary, outcome_of


@dataclass(frozen=True, slots=True)
class ThreadRecord:
    thread_id: str
    workflow: str
    owner: str
    status: ThreadStatus
    created_at: datetime
    updated_at: datetime
    error: str | None = None
    #: What the running graph last said it is doing (`{"node", "text", "at"}`), written now
    #: and then by the process running it; None once the run has stopped.
    progress: dict[str, Any] | None = None

    #: What a completed thread came to (`domain.outcome_of` its result), kept as it completes;
    #: None while it has not, and in rows written before outcomes were kept.
    outcome: str | None = None

    def summary(self) -> ThreadSummary:
        return ThreadSummary(
            thread_id=self.thread_id,
            workflow=self.workflow,
            status=self.status,
            owner=self.owner,
            created_at=self.created_at,
            updated_at=self.updated_at,
            error=self.error,
            outcome=(
                self.outcome
                if self.status is ThreadStatus.COMPLETED
                else outcome_of(self.status, None)
            ),
        )


@dataclass(frozen=True, slots=True)
class PauseRow:
    """One pending pause in the pause index.

    `pause` is the whole pause as the checkpoint holds it, and `checkpoint_id` the
    checkpoint the thread was at when it was indexed: while the thread waits and no decision
    is unapplied, they are what an answer is checked against, without reading the checkpoint.
    Both are None in rows written before they were kept (and `checkpoint_id` is filled by the
    store).
    """

    interrupt_id: str
    kind: str
    title: str
    assignee: str | None
    deadline: datetime | None
    pause: Pause | None = None
    checkpoint_id: str | None = None
    #: The pause in one line, for lists (`service.pauses.summary_of`); None in older rows.
    summary: str | None = None


@dataclass(frozen=True, slots=True)
class ThreadState:
    """What an answer checks, read in one trip: the thread's row, its pause-index rows and
    its decisions not yet applied."""

    record: ThreadRecord
    pauses: list[PauseRow]
    unapplied: list[Decision]


@dataclass(frozen=True, slots=True)
class ApiThreadRecord:
    """A thread as the LangGraph API door knows it: who created it there and its metadata.
    A thread created through that API has no row in `threads` until a run starts it."""

    thread_id: str
    owner: str
    metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ApiRunRecord:
    """A run of the LangGraph API door: which thread and assistant, who made it, how it stands."""

    run_id: str
    thread_id: str
    assistant_id: str
    owner: str
    #: "pending" | "running" | "success" | "error" | "timeout" | "interrupted"
    status: str
    metadata: dict[str, Any]
    #: the run's create request as JSON (input, command, config, stream_mode, ...)
    kwargs: dict[str, Any]
    multitask_strategy: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class NotificationRow:
    """One notification in the outbox: a message to deliver to one place (a webhook, an email
    address), written in the same transaction as the change that causes it."""

    #: unique; also the event id a receiver dedupes by
    id: str
    #: "webhook" | "email"
    channel: str
    #: the webhook's URL, or the email address
    target: str
    #: the event: "paused" | "escalated" | "reminder" | "completed" | "failed" | ...
    event: str
    thread_id: str
    #: what to send (the event's JSON; for email, what the message is built from)
    payload: dict[str, Any]
    created_at: datetime
    #: "pending" | "sent" | "dead"
    status: str = "pending"
    attempts: int = 0
    #: when it is next due (pending), when it was sent or given up (sent, dead)
    next_at: datetime | None = None
    last_error: str | None = None

"""Rows of Pausepoint's own tables, as frozen values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pausepoint.domain import ThreadStatus


@dataclass(frozen=True, slots=True)
class ThreadRecord:
    thread_id: str
    workflow: str
    owner: str
    status: ThreadStatus
    created_at: datetime
    updated_at: datetime
    error: str | None = None


@dataclass(frozen=True, slots=True)
class PauseRow:
    """One pending pause in the pause index."""

    interrupt_id: str
    kind: str
    title: str
    assignee: str | None
    deadline: datetime | None

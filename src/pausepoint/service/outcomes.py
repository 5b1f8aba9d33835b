"""What the run loop knows and leaves: `Known` (read or written already under the thread's
lease, so not read again) and `Outcome` (where a run left a thread)."""

from __future__ import annotations

from dataclasses import dataclass

from langgraph.types import StateSnapshot

from pausepoint.domain import Decision
from pausepoint.persistence.records import PauseRow, ThreadRecord
from pausepoint.service.pauses import Stop


@dataclass(frozen=True, slots=True)
class Known:
    """What a caller already read or wrote under the thread's lease, so the run loop does not
    read it again; a field left None is read when needed."""

    #: The thread's latest checkpoint.
    snapshot: StateSnapshot | None = None
    #: The ids of the pauses pending when the run begins (a start: none).
    pending: frozenset[str] | None = None
    #: The thread's unapplied decisions.
    unapplied: tuple[Decision, ...] | None = None


#: Nothing read yet: every field is read when needed.
NOTHING_KNOWN = Known()


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where a run left a thread: its record and, when already known, its checkpoint's stop
    and its pause-index rows as just written."""

    record: ThreadRecord
    stop: Stop | None
    rows: tuple[PauseRow, ...] | None = None

"""Value types shared by every door: the pause contract, answers, decisions, thread views."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PauseKind = Literal["question", "form", "approval", "review"]


class ThreadStatus(StrEnum):
    WAITING = "waiting"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in (ThreadStatus.COMPLETED, ThreadStatus.FAILED, ThreadStatus.CANCELLED)


class Action(BaseModel):
    """A button a door may show. Choosing it answers `answer`, merged with the `fields` typed in."""

    model_config = ConfigDict(frozen=True)

    label: str
    answer: dict[str, Any] = Field(default_factory=dict)
    fields: list[str] = Field(
        default_factory=list, description="Answer fields the person fills in for this action."
    )


class OnTimeout(BaseModel):
    """What happens when a pause's deadline passes unanswered.

    `answer`: apply `answer` as if a person gave it; `escalate`: hand the pause to
    `assignee`; `fail`: the thread fails. Applied by the deadline sweeper as `system:deadline`.
    """

    model_config = ConfigDict(frozen=True)

    action: Literal["answer", "escalate", "fail"]
    answer: Any = None
    assignee: str | None = None


class PauseRequest(BaseModel):
    """What a node hands to `interrupt()`: a Pause before LangGraph gave it an id and schema."""

    model_config = ConfigDict(frozen=True)

    kind: PauseKind = "question"
    title: str
    message: str = ""
    context: dict[str, Any] = Field(default_factory=dict)
    actions: list[Action] = Field(default_factory=list)
    payload_digest: str | None = None
    assignee: str | None = None
    deadline: datetime | timedelta | None = Field(
        default=None, description="When the pause times out: a time, or a duration from the pause."
    )
    on_timeout: OnTimeout | None = Field(
        default=None, description="What the sweeper does at the deadline (default: fail)."
    )
    step: str | None = Field(default=None, description="The workflow step that paused.")


class Pause(PauseRequest):
    """A pending pause as every door sees it (the pause contract of DESIGN.md)."""

    interrupt_id: str
    response_schema: dict[str, Any] | None = None
    resume_as: str | None = Field(
        default=None,
        description="How an answer becomes the graph's resume value (workflows/dialects.py): "
        "as it is (null), as Agent Inbox responses, or as HITL middleware decisions.",
    )

    def deadline_from(self, paused_at: datetime) -> datetime | None:
        """The absolute deadline of a pause first seen at `paused_at`."""
        if isinstance(self.deadline, timedelta):
            return paused_at + self.deadline
        return self.deadline


class Decision(BaseModel):
    """One row of the decision log: who answered which pause, with what, on which payload."""

    model_config = ConfigDict(frozen=True)

    thread_id: str
    interrupt_id: str
    checkpoint_id: str
    actor: str
    decided_at: datetime
    answer: Any
    payload_digest: str
    applied_at: datetime | None = None


#: The actor of answers the deadline sweeper applies.
SYSTEM_DEADLINE = "system:deadline"


class Progress(BaseModel):
    """What a running thread is doing: the node running and the latest text it reported
    (`get_stream_writer()`), as of `at`."""

    node: str | None = None
    text: str | None = None
    at: datetime


OUTCOME_DESCRIPTION = (
    "What the thread came to, in a word: its status, except that a completed thread whose "
    "result says it was rejected is `rejected`, and one whose tasks did not all finish is "
    "`failed` or `partly failed` (none for threads that completed before outcomes were kept)."
)


def outcome_of(status: ThreadStatus, result: Any) -> str:
    """What a thread came to, for people: a rejection is a decision, not a success or a
    crash; a run whose tasks failed is not a success (the page's words for a thread)."""
    if status is ThreadStatus.COMPLETED and isinstance(result, dict):
        rejected = result.get("rejected")
        if rejected and not (isinstance(rejected, dict) and rejected.get("handled")):
            return "rejected"
        tasks = result.get("tasks")
        tasks = [t for t in tasks if isinstance(t, dict)] if isinstance(tasks, list) else []
        failed = [t for t in tasks if t.get("status") and t.get("status") != "done"]
        if failed:
            return "failed" if len(failed) == len(tasks) else "partly failed"
    return status.value


class ThreadView(BaseModel):
    """A thread as a door shows it."""

    thread_id: str
    workflow: str
    status: ThreadStatus
    owner: str
    created_at: datetime
    updated_at: datetime
    pauses: list[Pause] = Field(default_factory=list)
    result: Any = None
    error: str | None = None
    steps: dict[str, Any] = Field(default_factory=dict, description="Per-step states, if any.")
    progress: Progress | None = Field(
        default=None, description="While running: the node and what it last reported."
    )
    outcome: str | None = Field(default=None, description=OUTCOME_DESCRIPTION)


class ThreadSummary(BaseModel):
    thread_id: str
    workflow: str
    status: ThreadStatus
    owner: str
    created_at: datetime
    updated_at: datetime
    error: str | None = None
    outcome: str | None = Field(default=None, description=OUTCOME_DESCRIPTION)


#: Which pauses an inbox lists: `mine` those waiting for the person, `waiting` every pause of
#: the threads they may see, whoever it waits for.
InboxShow = Literal["mine", "waiting"]


class InboxItem(BaseModel):
    """A pending pause from the pause index: enough to list it without loading the thread."""

    thread_id: str
    interrupt_id: str
    workflow: str
    kind: PauseKind
    title: str
    summary: str | None = Field(
        default=None,
        description="The pause in one line: its message, else the first of its context "
        "(none for pauses indexed before summaries were kept).",
    )
    assignee: str | None
    owner: str
    deadline: datetime | None
    created_at: datetime


def digest(payload: Any) -> str:
    """SHA-256 of a JSON value in canonical form (sorted keys, no spaces)."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()

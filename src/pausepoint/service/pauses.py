"""LangGraph interrupts as the Pauses every door shows, and a checkpoint's stop."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from langgraph.types import Interrupt, StateSnapshot

from pausepoint.domain import Pause
from pausepoint.persistence.records import PauseRow
from pausepoint.workflows.dialects import pause_of


def pause_from_interrupt(interrupt_id: str, value: Any, schema: Any) -> Pause:
    """Build the Pause every door shows from a LangGraph interrupt, in whichever dialect the
    graph wrote it (workflows/dialects.py)."""
    return pause_of(interrupt_id, value, schema)


def pauses_of(snapshot: StateSnapshot) -> list[Pause]:
    """The pending pauses of a checkpoint."""
    return pauses_from(snapshot.interrupts)


def pauses_from(interrupts: Sequence[Interrupt]) -> list[Pause]:
    """The pauses, once each: a pause deep in nested subgraphs (a workflow's task inside the
    orchestrator) can be listed more than once."""
    unique = {i.id: i for i in interrupts}
    return [pause_from_interrupt(i.id, i.value, i.response_schema) for i in unique.values()]


def checkpoint_of(snapshot: StateSnapshot) -> str:
    """The id of the checkpoint `snapshot` was read from."""
    return str(snapshot.config["configurable"]["checkpoint_id"])


def effective(row: PauseRow) -> Pause:
    """The indexed pause with the assignee and absolute deadline it has now (an escalation
    moves both)."""
    assert row.pause is not None
    return row.pause.model_copy(update={"assignee": row.assignee, "deadline": row.deadline})


def indexed(pauses: Sequence[Pause], rows: Sequence[PauseRow]) -> list[Pause]:
    """The pauses with their effective assignee and absolute deadline from the index rows."""
    by_id = {r.interrupt_id: r for r in rows}
    out = []
    for pause in pauses:
        row = by_id.get(pause.interrupt_id)
        if row is not None:
            pause = pause.model_copy(update={"assignee": row.assignee, "deadline": row.deadline})
        out.append(pause)
    return out


def row_of(pause: Pause, now: datetime) -> PauseRow:
    """The pause-index row of a pause that starts waiting at `now`."""
    deadline = pause.deadline_from(now)
    return PauseRow(
        pause.interrupt_id,
        pause.kind,
        pause.title,
        pause.assignee,
        in_utc(deadline),
        pause,
        summary=summary_of(pause),
    )


#: The longest summary a list shows, in characters.
SUMMARY_CHARS = 140


def summary_of(pause: Pause) -> str | None:
    """The pause in one line of words, to tell it from others with the same title: its
    message, then the first field of its context (`key: value`), cut to `SUMMARY_CHARS`;
    None when it has neither."""
    parts = [pause.message] if pause.message.strip() else []
    for key, value in pause.context.items():
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        parts.append(f"{key}: {text}")
        break
    line = " — ".join(" ".join(part.split()) for part in parts)
    if not line:
        return None
    return line if len(line) <= SUMMARY_CHARS else line[: SUMMARY_CHARS - 1].rstrip() + "…"


def in_utc(moment: datetime | None) -> datetime | None:
    """`moment` as the stores give it back: in UTC (a naive one taken to be UTC already)."""
    if moment is None or moment.tzinfo is None:
        return moment.replace(tzinfo=UTC) if moment else None
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Stop:
    """What a thread's latest checkpoint holds, as far as a view needs it."""

    #: The graph's state: a mapping, or what a functional-API entrypoint returned.
    values: Any
    pauses: list[Pause]

    @classmethod
    def of(cls, snapshot: StateSnapshot) -> Stop:
        return cls(snapshot.values, pauses_of(snapshot))

    @property
    def state(self) -> Mapping[str, Any]:
        """The values as a mapping (empty when they are not one)."""
        return self.values if isinstance(self.values, Mapping) else {}

"""Static breakpoints (`compile(interrupt_before=[...], interrupt_after=[...])`) as pauses.

LangGraph stops at a static breakpoint without an interrupt: the checkpoint has tasks to run and
none waits for an answer, which is also how a run that died in the middle of a step leaves a
thread. A breakpoint is told apart as LangGraph itself tells it (`should_interrupt`): a node it
stops before is next, or one it stops after has just run, and the state changed since the last
breakpoint was passed. Every door then shows a pause, "Paused before review", with one action,
Continue; the answer is checked, logged and applied exactly once like any other, and continues
the run (LangGraph passes a breakpoint on a run with no input, not on `Command(resume=...)`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.pregel import Pregel
from langgraph.pregel._algo import should_interrupt
from langgraph.types import Interrupt, StateSnapshot

#: The id of a breakpoint's pause starts so; the rest is the id of the checkpoint it stops at.
PREFIX = "breakpoint-"


def is_breakpoint(interrupt_id: str) -> bool:
    return interrupt_id.startswith(PREFIX)


@dataclass(frozen=True, slots=True)
class _Task:
    """What `should_interrupt` reads of a task: its node's name (and no hidden tag)."""

    name: str
    config: None = None


async def with_breakpoint(
    graph: Pregel[Any, Any, Any, Any],
    saver: BaseCheckpointSaver[Any] | None,
    snapshot: StateSnapshot,
) -> StateSnapshot:
    """`snapshot`, with the pause of the static breakpoint it stops at as its interrupt."""
    before, after = graph.interrupt_before_nodes, graph.interrupt_after_nodes
    if snapshot.interrupts or not snapshot.next or not (before or after) or saver is None:
        return snapshot
    saved = await saver.aget_tuple(snapshot.config)
    if saved is None:
        return snapshot
    where, nodes = "before", _stops(saved.checkpoint, before, snapshot.next)
    if not nodes and after and snapshot.parent_config is not None:
        ran = (await graph.aget_state(snapshot.parent_config)).next
        where, nodes = "after", _stops(saved.checkpoint, after, ran)
    if not nodes:
        return snapshot
    checkpoint_id = str(snapshot.config["configurable"]["checkpoint_id"])
    pause = _pause(where, nodes, snapshot.next)
    return snapshot._replace(interrupts=(Interrupt(pause, id=PREFIX + checkpoint_id),))


def _stops(checkpoint: Any, nodes: Any, names: Sequence[str]) -> list[str]:
    if not nodes:
        return []
    tasks: list[Any] = [_Task(n) for n in names]
    return [t.name for t in should_interrupt(checkpoint, nodes, tasks)]


def _pause(where: str, nodes: Sequence[str], next: Sequence[str]) -> dict[str, Any]:
    """The pause request of a breakpoint `where` ("before"/"after") `nodes`."""
    listed = ", ".join(nodes)
    return {
        "title": f"Paused {where} {listed}",
        "message": (
            f"The graph stops {where} {listed} (a breakpoint it was compiled with); "
            "continue when ready."
        ),
        "context": {"next": list(next)},
        "actions": [{"label": "Continue", "answer": {"continue": True}}],
    }

"""Static breakpoints (`compile(interrupt_before=[...], interrupt_after=[...])`, or a run's own,
service/run_options.py) as pauses.

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
from weakref import WeakKeyDictionary

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.pregel import Pregel
from langgraph.pregel._algo import should_interrupt
from langgraph.types import Interrupt, StateSnapshot

from pausepoint.service.run_options import RunOptions

#: The id of a breakpoint's pause starts so; the rest is the id of the checkpoint it stops at.
PREFIX = "breakpoint-"


def is_breakpoint(interrupt_id: str) -> bool:
    return interrupt_id.startswith(PREFIX)


def ends_with_its_state(graph: Pregel[Any, Any, Any, Any], options: RunOptions) -> bool:
    """Whether a run of `graph` (with `options`) that stopped without an interrupt has run to
    its end, its output the whole state its last checkpoint holds: no breakpoint (the run's,
    the graph's, a subgraph's) could have stopped it, and its output channels are its state's.
    """
    if options.interrupt_before or options.interrupt_after:
        return False
    return graph.output_channels == graph.stream_channels and not _has_breakpoints(graph)


def _has_breakpoints(graph: Pregel[Any, Any, Any, Any]) -> bool:
    found = _BREAKPOINTS.get(graph)
    if found is None:
        graphs = [graph, *(sub for _, sub in graph.get_subgraphs(recurse=True))]
        found = any(
            getattr(g, "interrupt_before_nodes", None) or getattr(g, "interrupt_after_nodes", None)
            for g in graphs
        )
        _BREAKPOINTS[graph] = found
    return found


#: Whether a compiled graph, or a subgraph of it, has static breakpoints.
_BREAKPOINTS: WeakKeyDictionary[Pregel[Any, Any, Any, Any], bool] = WeakKeyDictionary()


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
    if snapshot.interrupts or not snapshot.next or saver is None:
        return snapshot
    # the run's own breakpoints, else the graph's (as LangGraph picks them)
    options = RunOptions.of(snapshot.metadata)
    before = options.interrupt_before or graph.interrupt_before_nodes
    after = options.interrupt_after or graph.interrupt_after_nodes
    if not (before or after):
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
    own = bool(options.interrupt_before or options.interrupt_after)
    pause = _pause(where, nodes, snapshot.next, own)
    return snapshot._replace(interrupts=(Interrupt(pause, id=PREFIX + checkpoint_id),))


def _stops(checkpoint: Any, nodes: Any, names: Sequence[str]) -> list[str]:
    if not nodes:
        return []
    tasks: list[Any] = [_Task(n) for n in names]
    return [t.name for t in should_interrupt(checkpoint, nodes, tasks)]


def _pause(where: str, nodes: Sequence[str], next: Sequence[str], own: bool) -> dict[str, Any]:
    """The pause request of a breakpoint `where` ("before"/"after") `nodes` (`own`: the run's
    own, else the graph's)."""
    listed = ", ".join(nodes)
    set_by = "a breakpoint set on the run" if own else "a breakpoint it was compiled with"
    return {
        "title": f"Paused {where} {listed}",
        "message": (f"The graph stops {where} {listed} ({set_by}); continue when ready."),
        "context": {"next": list(next)},
        "actions": [{"label": "Continue", "answer": {"continue": True}}],
    }

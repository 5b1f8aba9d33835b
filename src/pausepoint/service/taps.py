"""Taps: a door that hands on a run's own stream (the LangGraph API door) asks for the graph's
stream parts, in the stream modes it names, for the runs of one thread in this process.

Thread events (service/events.py) are Pausepoint's account of a run, the same for every door;
a tap is the graph's raw account, as `graph.astream(..., stream_mode=modes)` gives it without
`version="v2"`: `(mode, namespace, chunk)`, a `values` chunk with the interrupts it stopped at
under `__interrupt__`. A run reads the modes its thread's taps ask for on top of its own
(service/streaming.py); a thread without taps costs nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, cast

#: The stream modes a tap may ask for (LangGraph's names).
StreamMode = Literal[
    "values", "updates", "messages", "custom", "debug", "checkpoints", "tasks", "events"
]
#: (`events`: every callback event of the run, `astream_events(version="v2")`'s)
MODES: frozenset[str] = frozenset(
    ("values", "updates", "messages", "custom", "debug", "checkpoints", "tasks", "events")
)

#: `send(mode, namespace, chunk)`, called in the run's task for every part the tap asked for.
Send = Callable[[str, tuple[str, ...], Any], None]


@dataclass(frozen=True, slots=True, eq=False)
class Tap:
    """What one listener asks of a thread's runs."""

    modes: frozenset[str]
    send: Send
    #: also the parts of subgraphs (namespace not empty)
    subgraphs: bool = False

    def wants(self, mode: str, ns: tuple[str, ...]) -> bool:
        return mode in self.modes and (self.subgraphs or not ns)


class Taps:
    """The taps of this process, by thread."""

    def __init__(self) -> None:
        self._by_thread: dict[str, list[Tap]] = {}

    @contextmanager
    def tap(
        self, thread_id: str, modes: Collection[str], send: Send, *, subgraphs: bool = False
    ) -> Iterator[Tap]:
        """Hand `thread_id`'s runs' parts in `modes` to `send` while the context is open."""
        unknown = set(modes) - MODES
        if unknown:
            raise ValueError(f"unknown stream modes: {', '.join(sorted(unknown))}")
        tap = Tap(frozenset(modes), send, subgraphs)
        self._by_thread.setdefault(thread_id, []).append(tap)
        try:
            yield tap
        finally:
            taps = self._by_thread[thread_id]
            taps.remove(tap)
            if not taps:
                del self._by_thread[thread_id]

    def of(self, thread_id: str) -> tuple[Tap, ...]:
        return tuple(self._by_thread.get(thread_id, ()))


def modes_of(taps: Collection[Tap]) -> set[StreamMode]:
    """Every mode some tap asks for."""
    return {cast(StreamMode, m) for t in taps for m in t.modes}

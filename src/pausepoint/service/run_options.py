"""What a run may ask of LangGraph beyond its input: breakpoints of its own
(`interrupt_before`/`interrupt_after`, as LangGraph Studio and the LangGraph API set them per run),
its durability, and the earlier checkpoint it runs from (time travel: `checkpoint_id`, a replay or
a fork from there, as langgraph-api passes it in the run's config).

A run's options travel with the checkpoints it writes: LangGraph copies the run config's scalar
metadata into each checkpoint's metadata, so the options are read back from there wherever the
run is not at hand — the breakpoint a thread stopped at is told apart with the breakpoints of the
run that stopped there (service/breakpoints.py), and a run a dead process left in the middle of a
step goes on with the options it had (RunLoop.settle).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from langchain_core.runnables import RunnableConfig

Durability = Literal["sync", "async", "exit"]
Nodes = Literal["*"] | tuple[str, ...]

#: The checkpoint metadata keys a run's options are kept under.
BEFORE, AFTER, DURABILITY = (
    "pausepoint_interrupt_before",
    "pausepoint_interrupt_after",
    "pausepoint_durability",
)
DURABILITIES: tuple[Durability, ...] = ("sync", "async", "exit")


def nodes(value: str | Sequence[str] | None) -> Nodes:
    """`"*"` (every node) or the node names given."""
    if value is None:
        return ()
    if isinstance(value, str):
        return "*" if value == "*" else (value,)
    return tuple(value)


@dataclass(frozen=True, slots=True)
class RunOptions:
    interrupt_before: Nodes = ()
    interrupt_after: Nodes = ()
    durability: Durability | None = None
    #: the checkpoint the run goes on from (None: the thread's latest); not kept in metadata
    checkpoint_id: str | None = None

    def configured(self, config: RunnableConfig) -> RunnableConfig:
        """`config` addressing the checkpoint the run goes on from, when it names one."""
        if self.checkpoint_id is None:
            return config
        configurable = {**config.get("configurable", {}), "checkpoint_id": self.checkpoint_id}
        return {**config, "configurable": configurable}

    def check(self, known: Sequence[str]) -> None:
        """ValueError naming a breakpoint node the graph does not have."""
        for where, listed in (
            ("interrupt_before", self.interrupt_before),
            ("interrupt_after", self.interrupt_after),
        ):
            if listed == "*":
                continue
            unknown = [n for n in listed if n not in known]
            if unknown:
                raise ValueError(
                    f"{where}: no node {', '.join(map(repr, unknown))} in the graph "
                    f"(its nodes: {', '.join(known)})"
                )

    def metadata(self) -> dict[str, str]:
        """The options as checkpoint metadata (scalars: LangGraph keeps no others)."""
        kept: dict[str, str] = {}
        if self.interrupt_before:
            kept[BEFORE] = _joined(self.interrupt_before)
        if self.interrupt_after:
            kept[AFTER] = _joined(self.interrupt_after)
        if self.durability is not None:
            kept[DURABILITY] = self.durability
        return kept

    @classmethod
    def of(cls, metadata: Mapping[str, Any] | None) -> RunOptions:
        """The options of the run that wrote a checkpoint with `metadata`."""
        metadata = metadata or {}
        durability = metadata.get(DURABILITY)
        return cls(
            interrupt_before=_split(metadata.get(BEFORE)),
            interrupt_after=_split(metadata.get(AFTER)),
            durability=cast(Durability, durability) if durability in DURABILITIES else None,
        )

    def stream_kwargs(self) -> dict[str, Any]:
        """The options as `astream`'s keyword arguments."""
        kwargs: dict[str, Any] = {}
        if self.interrupt_before:
            kwargs["interrupt_before"] = _listed(self.interrupt_before)
        if self.interrupt_after:
            kwargs["interrupt_after"] = _listed(self.interrupt_after)
        if self.durability is not None:
            kwargs["durability"] = self.durability
        return kwargs


NO_OPTIONS = RunOptions()


def _joined(listed: Nodes) -> str:
    return "*" if listed == "*" else "\n".join(listed)


def _split(kept: Any) -> Nodes:
    if not isinstance(kept, str) or not kept:
        return ()
    return "*" if kept == "*" else tuple(kept.split("\n"))


def _listed(listed: Nodes) -> Literal["*"] | list[str]:
    return "*" if listed == "*" else list(listed)

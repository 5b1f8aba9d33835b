"""What the LangGraph API reads of a thread beyond a ThreadView: its checkpoints (the latest,
one by id, its history), the graphs to draw, and this door's own thread rows (`api_threads`).

ThreadService offers no public call for these yet, so this module is the one place of the door
that reaches into the service's run loop (its compiled graphs, `snapshot`) and its store; when
ThreadService grows `state`/`history`/`api_threads` calls, only this module changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.pregel import Pregel
from langgraph.types import StateSnapshot

from pausepoint.persistence.records import ThreadRecord
from pausepoint.persistence.store import Store
from pausepoint.service.breakpoints import is_breakpoint
from pausepoint.service.runs import RunLoop
from pausepoint.service.threads import ThreadService
from pausepoint.workflows.registry import BuildContext


class Checkpoints:
    """A thread's checkpoints and the door's thread rows, read through `service`."""

    def __init__(self, service: ThreadService) -> None:
        self._runs: RunLoop = service._runs
        self.store: Store = service._store
        self._drawn: dict[str, Pregel[Any, Any, Any, Any]] = {}

    def now(self) -> datetime:
        """The service's clock."""
        return self._runs.clock()

    async def record(self, thread_id: str) -> ThreadRecord | None:
        """Pausepoint's row of the thread (None for a thread no run has started)."""
        return await self.store.get_thread(thread_id)

    async def latest(self, record: ThreadRecord) -> StateSnapshot:
        """The latest checkpoint, as langgraph-api shows it: a breakpoint it stopped at is no
        interrupt (every other door shows it as a pause), just the nodes `next`."""
        snapshot = await self._runs.snapshot(record)
        kept = tuple(i for i in snapshot.interrupts if not is_breakpoint(i.id))
        return snapshot._replace(interrupts=kept)

    async def at(self, record: ThreadRecord, checkpoint: Mapping[str, Any]) -> StateSnapshot:
        """The checkpoint `checkpoint` names (`checkpoint_id`, `checkpoint_ns`...)."""
        _, graph = self._runs.workflow(record)
        return await graph.aget_state(self._config(record, checkpoint))

    async def history(
        self,
        record: ThreadRecord,
        *,
        limit: int,
        before: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        checkpoint: Mapping[str, Any] | None = None,
    ) -> list[StateSnapshot]:
        """The thread's checkpoints, newest first."""
        _, graph = self._runs.workflow(record)
        before_config = self._config(record, before) if before else None
        return [
            s
            async for s in graph.aget_state_history(
                self._config(record, checkpoint or {}),
                filter=dict(metadata) if metadata else None,
                before=before_config,
                limit=limit,
            )
        ]

    def graph(self, workflow: str) -> Pregel[Any, Any, Any, Any]:
        """Workflow `workflow` compiled without a checkpointer, to draw and describe."""
        if workflow not in self._drawn:
            wf = self._runs.workflows.get(workflow)
            self._drawn[workflow] = wf.runnable(BuildContext(settings=self._runs.settings), None)
        return self._drawn[workflow]

    @staticmethod
    def _config(record: ThreadRecord, checkpoint: Mapping[str, Any]) -> RunnableConfig:
        configurable = {"checkpoint_ns": "", **checkpoint, "thread_id": record.thread_id}
        return {"configurable": configurable}

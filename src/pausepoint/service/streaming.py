"""A run heard as it goes, so that what happens while a graph runs becomes thread events for
every push door (SSE, WebSocket, A2A streaming, the CLI, the page):

* a node starting and finishing (`node_started`, `node_finished` with its duration in ms);
* what the graph reports with `get_stream_writer()` (`progress`): a string, or a mapping whose
  `progress` or `message` (else `text`, `status`) is the human text, the whole value kept;
* a chat model's tokens (`tokens`), batched: at most one event per `TOKEN_EVERY` seconds per
  node, and whatever is left when the node finishes.

Only the graph's own nodes count as nodes (a subgraph's inner steps do not); progress and
tokens come from any depth. What the run returns is what `ainvoke(..., version="v2")` would
have: the last values and the interrupts they carry.

Two ways, the same events: a run nobody taps is `ainvoke` with listeners in its config
(service/listening.py: nearly free); a run a LangGraph API stream taps is `astream` with the
modes the taps ask for beside `tasks`, `custom` and `messages` (which costs LangGraph's
concurrent streaming, 16-35% of a fast run).

The latest progress is also written to the thread's row, at most once per `STORE_EVERY`
seconds and not before the run has gone on that long, so other processes (the CLI, another
server on the same SQLite file) can show it too without a fast run paying for a write. Progress
held back by that is written when its window has passed, if the run is still going.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, Literal, cast

from langchain_core.runnables import RunnableConfig
from langgraph.pregel import Pregel
from langgraph.types import GraphOutput, Interrupt
from langgraph.types import StreamMode as GraphMode
from pydantic_core import to_jsonable_python

from pausepoint.service.events import EventType
from pausepoint.service.listening import can_listen, listened
from pausepoint.service.run_options import NO_OPTIONS, RunOptions
from pausepoint.service.taps import Tap, modes_of

logger = logging.getLogger(__name__)

#: The stream modes a run reads.
MODES: list[Literal["values", "tasks", "custom", "messages"]] = [
    "values",
    "tasks",
    "custom",
    "messages",
]
#: How often a node's tokens go out at most (seconds).
TOKEN_EVERY = 0.05
#: How often the latest progress is written to the thread's row at most (seconds).
STORE_EVERY = 1.0

TEXT_KEYS = ("progress", "message", "text", "status")

Publish = Callable[[EventType, dict[str, Any]], None]
Store = Callable[[dict[str, Any]], Awaitable[None]]


def progress_text(value: Any) -> str | None:
    """The human text of what a graph reported: a string, or a mapping's `progress` /
    `message` / `text` / `status` string."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        for key in TEXT_KEYS:
            if isinstance(text := value.get(key), str):
                return text
    return None


class RunStream:
    """Reads one run's stream, publishing its events; `run` returns its output."""

    def __init__(
        self,
        publish: Publish,
        store: Store,
        clock: Callable[[], float],
        taps: tuple[Tap, ...] = (),
    ) -> None:
        self._publish = publish
        self._taps = taps
        #: the graph's output channels (what a tap's values hold)
        self._outputs: frozenset[str] = frozenset()
        self._store = store
        self._clock = clock
        self._began = clock()
        self._stored_at: float | None = None
        #: the latest progress not yet written, when it will be, and the write going on
        self._held: dict[str, Any] | None = None
        self._later: asyncio.TimerHandle | None = None
        self._storing: asyncio.Task[None] | None = None
        #: task id -> (node, started at), for the graph's own running tasks
        self._running: dict[str, tuple[str, float]] = {}
        #: node -> (tokens not yet sent, when the last batch went)
        self._tokens: dict[str, tuple[list[str], float]] = {}

    async def run(
        self,
        graph: Pregel[Any, Any, Any, Any],
        payload: Any,
        config: RunnableConfig,
        options: RunOptions = NO_OPTIONS,
    ) -> GraphOutput[Any]:
        config = options.configured(config)
        outputs = graph.output_channels
        self._outputs = frozenset([outputs] if isinstance(outputs, str) else outputs)
        try:
            if not self._taps and can_listen(config):
                # nothing asks for LangGraph's own stream: hear the run as it goes instead
                listeners = (self._started, self._finished, self._progress, self._token)
                with listened(config, *listeners) as heard:
                    output: GraphOutput[Any] = await graph.ainvoke(
                        payload, heard, version="v2", **options.stream_kwargs()
                    )
            else:
                output = await self._streamed(graph, payload, config, options)
        finally:
            if self._later is not None:
                self._later.cancel()
            if self._storing is not None:
                self._storing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._storing
        for node in list(self._tokens):
            self._flush(node)
        return output

    async def _streamed(
        self,
        graph: Pregel[Any, Any, Any, Any],
        payload: Any,
        config: RunnableConfig,
        options: RunOptions,
    ) -> GraphOutput[Any]:
        """The run through `astream`, for the taps that want LangGraph's own parts."""
        latest: Any = None
        interrupts: list[Interrupt] = []
        asked = modes_of(self._taps)
        modes: list[GraphMode] = [*MODES, *cast(set[GraphMode], asked - set(MODES) - {"events"})]
        parts: AsyncIterator[Any] = (
            self._with_events(graph, payload, config, modes, options)
            if "events" in asked
            else graph.astream(
                payload,
                config,
                stream_mode=modes,
                subgraphs=True,
                version="v2",
                **options.stream_kwargs(),
            )
        )
        async for part in parts:
            kind, ns = part["type"], part["ns"]
            data: Any = part["data"]
            if self._taps:
                self._tap(kind, ns, data, part.get("interrupts"))
            if kind == "values":
                if not ns:
                    latest = data
                    interrupts.extend(part.get("interrupts", ()))
            elif kind == "tasks":
                if not ns:
                    self._task(data)
            elif kind == "custom":
                self._progress(data, ns)
            elif kind == "messages":
                self._token(*data)
        return GraphOutput(value=latest, interrupts=tuple(interrupts))

    async def _with_events(
        self,
        graph: Pregel[Any, Any, Any, Any],
        payload: Any,
        config: RunnableConfig,
        modes: list[GraphMode],
        options: RunOptions,
    ) -> AsyncIterator[dict[str, Any]]:
        """The run's parts as `astream(version="v2")` gives them, read from `astream_events`
        (as langgraph-api does for `stream_mode: "events"`): the root run's stream chunks are
        the parts, every other event goes to the taps that asked for `events`."""
        run_id = uuid.uuid4()
        async for event in graph.astream_events(
            payload,
            {**config, "run_id": run_id},
            version="v2",
            stream_mode=modes,
            subgraphs=True,
            **options.stream_kwargs(),
        ):
            if event["event"] == "on_chain_stream" and event["run_id"] == str(run_id):
                ns, kind, data = event["data"]["chunk"]
                stopped: tuple[Any, ...] = ()
                if kind == "values" and isinstance(data, dict) and "__interrupt__" in data:
                    data = dict(data)
                    stopped = tuple(data.pop("__interrupt__"))
                yield {"type": kind, "ns": ns, "data": data, "interrupts": stopped}
            else:
                self._tap("events", (), event, None)

    def _tap(self, kind: str, ns: tuple[str, ...], data: Any, stopped: Any) -> None:
        """Hand the part to the taps that asked for it, as `astream(..., output_keys=
        graph.output_channels)` without `version="v2"` gives it (as langgraph-api streams it):
        values of the output schema's keys, with the interrupts they stopped at under
        `__interrupt__`."""
        if kind == "values" and isinstance(data, dict):
            data = {k: v for k, v in data.items() if k in self._outputs}
            if stopped:
                data["__interrupt__"] = stopped
        for tap in self._taps:
            if tap.wants(kind, ns):
                try:
                    tap.send(kind, ns, data)
                except Exception:  # a listener's failure is not the run's
                    logger.warning("a tap failed on a %s part", kind, exc_info=True)

    def _node_of(self, ns: tuple[str, ...]) -> str | None:
        """The graph's own node a part from namespace `ns` comes from."""
        if ns:
            return ns[0].split(":", 1)[0]
        if len(self._running) == 1:
            return next(iter(self._running.values()))[0]
        return None

    def _task(self, data: Mapping[str, Any]) -> None:
        """A `tasks` part: the task starting, or its result (or error, or interrupts)."""
        task_id, node = str(data["id"]), str(data["name"])
        if "result" not in data and "error" not in data:
            self._started(task_id, node)
        else:
            error = str(data["error"]) if data.get("error") else None
            self._finished(task_id, node, error, bool(data.get("interrupts")))

    def _started(self, task_id: str, node: str) -> None:
        self._running[task_id] = (node, self._clock())
        self._publish("node_started", {"node": node, "task_id": task_id})

    def _finished(self, task_id: str, node: str, error: str | None, interrupted: bool) -> None:
        _, began = self._running.pop(task_id, (node, self._clock()))
        self._flush(node)
        finished: dict[str, Any] = {
            "node": node,
            "task_id": task_id,
            "ms": round((self._clock() - began) * 1000, 3),
        }
        if error:
            finished["error"] = error
        if interrupted:
            finished["interrupted"] = True
        self._publish("node_finished", finished)

    def _progress(self, value: Any, ns: tuple[str, ...]) -> None:
        value = to_jsonable_python(value, fallback=repr)
        event = {"node": self._node_of(ns), "text": progress_text(value), "value": value}
        self._publish("progress", event)
        if event["text"] is None:
            return
        self._held = {"node": event["node"], "text": event["text"]}
        if self._later is None:  # written when it may be (at once, when it may already)
            loop = asyncio.get_running_loop()
            self._later = loop.call_later(max(self._store_in(), 0), self._store_later)

    def _store_in(self) -> float:
        """Seconds until progress may be written to the row."""
        now = self._clock()
        since = self._began if self._stored_at is None else self._stored_at
        return since + STORE_EVERY - now

    async def _store_held(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            self._stored_at = self._clock()
            await self._store(held)

    def _store_later(self) -> None:
        self._later = None
        if self._storing is not None and not self._storing.done():  # its window comes next
            wait = max(self._store_in(), TOKEN_EVERY)
            self._later = asyncio.get_running_loop().call_later(wait, self._store_later)
            return
        self._storing = asyncio.create_task(self._store_guarded())

    async def _store_guarded(self) -> None:
        try:
            await self._store_held()
        except Exception:  # the run goes on; only other processes' view of it is late
            logger.warning("could not write the run's progress to its thread", exc_info=True)

    def _token(self, chunk: Any, metadata: Any) -> None:
        text = getattr(chunk, "content", None)
        if not isinstance(text, str) or not text:
            return
        node = str(metadata.get("langgraph_node", "")) if isinstance(metadata, dict) else ""
        pending, sent_at = self._tokens.get(node, ([], self._clock()))
        pending.append(text)
        self._tokens[node] = (pending, sent_at)
        if self._clock() - sent_at >= TOKEN_EVERY:
            self._flush(node)

    def _flush(self, node: str) -> None:
        pending, _ = self._tokens.pop(node, ([], 0.0))
        if pending:
            self._publish("tokens", {"node": node, "text": "".join(pending)})
            self._tokens[node] = ([], self._clock())


def monotonic() -> float:
    return time.monotonic()

"""A run heard without LangGraph's concurrent streaming: what `RunStream` needs while a graph
runs (its nodes starting and finishing, the progress it reports, a chat model's tokens), taken
from the run itself as it happens, while the graph runs with plain `ainvoke`.

Why: any one of `astream`'s `custom` or `messages` modes, or `subgraphs=True`, makes LangGraph
race a waiter task against every step of the run, which costs a run 16-35%
(docs/benchmarks.md, `bench/stream_modes.py`). Heard this way, the same events cost a few
percent:

* nodes: a LangChain callback handler (`Listener`) sees each of the graph's own nodes start and
  end (a node's run is a child of the graph's run; a subgraph's inner steps are not);
* progress: the run's `Runtime` carries our stream writer, so `get_stream_writer()` in a node,
  at any depth, calls it. LangGraph keeps a writer handed in only when the config also holds a
  parent stream (`CONFIG_KEY_STREAM`, as a subgraph's run has); ours listens to no mode;
* tokens: the same handler is LangGraph's own `StreamMessagesHandler`, as
  `stream_mode="messages"` installs it (with it, a chat model called with `ainvoke` streams).

The two config keys and the handler are LangGraph internals (`langgraph==1.2.22` is pinned);
tests/service/test_listening.py fails if one of them stops working.

Everything is handed to the callbacks on the event loop's thread: a sync node runs in a worker
thread, and what it reports is queued in order and handed over when the node ends, or by a
look every `DRAIN_EVERY` seconds while it runs (a fast node's progress costs no wake-up).
"""

from __future__ import annotations

import asyncio
import collections
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from langchain_core.runnables import RunnableConfig
from langgraph._internal._constants import CONFIG_KEY_RUNTIME, CONFIG_KEY_STREAM
from langgraph.config import get_config
from langgraph.errors import GraphInterrupt
from langgraph.pregel._messages import StreamMessagesHandler
from langgraph.pregel.protocol import StreamProtocol
from langgraph.runtime import Runtime

#: A node started: (task id, node).
Started = Callable[[str, str], None]
#: A node finished: (task id, node, error text or None, interrupted).
Finished = Callable[[str, str, str | None, bool], None]
#: The graph reported progress: (value, namespace).
Reported = Callable[[Any, tuple[str, ...]], None]
#: A chat model wrote: (message chunk, its metadata).
Wrote = Callable[[Any, Any], None]


def can_listen(config: RunnableConfig) -> bool:
    """Whether the run's config leaves room for our handlers (callbacks as a list or none)."""
    callbacks = config.get("callbacks")
    return callbacks is None or isinstance(callbacks, list)


#: How often what a sync node reported from its worker thread is handed to the loop, at most
#: this late (seconds); a node that ends sooner hands it over as it ends.
DRAIN_EVERY = 0.05


class OnLoop:
    """Calls a function on the event loop's thread, in the order the calls were made: at once
    from the loop's thread, else queued. The queue is emptied before the next call made on the
    loop's thread (a node's end comes after what it reported) and by a look every
    `DRAIN_EVERY` seconds until `close`, so a worker never wakes the loop: each wake-up is a
    write to the loop's self-pipe and a turn of the loop, racing the node for the GIL. `close`
    stops the looks and hands over what is left. Made on the loop's thread."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._queued: collections.deque[tuple[Callable[..., None], tuple[Any, ...]]] = (
            collections.deque()
        )
        self._lock = threading.Lock()
        self._look: asyncio.TimerHandle | None = self._loop.call_later(DRAIN_EVERY, self._looked)

    def __call__(self, fn: Callable[..., None], *args: Any) -> None:
        if threading.get_ident() == self._thread:
            if self._queued:
                self._drain()  # what a worker thread said before this comes first
            fn(*args)
            return
        with self._lock:
            self._queued.append((fn, args))

    def _looked(self) -> None:
        self._drain()
        self._look = self._loop.call_later(DRAIN_EVERY, self._looked)

    def close(self) -> None:
        if self._look is not None:
            self._look.cancel()
            self._look = None
        self._drain()

    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._queued:
                    return
                fn, args = self._queued.popleft()
            fn(*args)


class Listener(StreamMessagesHandler):
    """One callback handler for the run (each handler costs every callback event a dispatch):
    LangGraph's messages handler, which hands on a chat model's tokens and the messages of the
    nodes' outputs, and the graph's own nodes starting and finishing (the runs whose parent is
    the graph's run)."""

    def __init__(
        self, root: UUID, on_loop: OnLoop, started: Started, finished: Finished, wrote: Wrote
    ):
        def messages(chunk: tuple[tuple[str, ...], str, Any]) -> None:
            _, _, (message, metadata) = chunk
            on_loop(wrote, message, metadata)

        super().__init__(messages, subgraphs=True)
        self._root = root
        self._on_loop = on_loop
        self._started = started
        self._finished = finished
        #: a running node's run id -> (task id, node)
        self._nodes: dict[UUID, tuple[str, str]] = {}

    def on_chain_start(
        self,
        serialized: dict[str, Any],
        inputs: dict[str, Any],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        super().on_chain_start(
            serialized,
            inputs,
            run_id=run_id,
            parent_run_id=parent_run_id,
            tags=tags,
            metadata=metadata,
            **kwargs,
        )
        if parent_run_id != self._root or not metadata or "langgraph_node" not in metadata:
            return
        node = str(metadata["langgraph_node"])
        # a node's namespace is "node:task id"
        task_id = str(metadata.get("langgraph_checkpoint_ns", "")).rpartition(":")[2]
        self._nodes[run_id] = (task_id, node)
        self._on_loop(self._started, task_id, node)

    def on_chain_end(  # type: ignore[override]  # (LangGraph's handler names it `response`)
        self,
        outputs: dict[str, Any],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        **kwargs: Any,
    ) -> Any:
        super().on_chain_end(outputs, run_id=run_id, parent_run_id=parent_run_id, **kwargs)
        if (task := self._nodes.pop(run_id, None)) is not None:
            self._on_loop(self._finished, *task, None, False)

    def on_chain_error(
        self,
        error: BaseException,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        **kwargs: Any,
    ) -> Any:
        super().on_chain_error(error, run_id=run_id, parent_run_id=parent_run_id, **kwargs)
        if (task := self._nodes.pop(run_id, None)) is None:
            return
        if isinstance(error, asyncio.CancelledError):
            return  # the run was stopped (cancelled, timed out): it says so itself
        if isinstance(error, GraphInterrupt):
            self._on_loop(self._finished, *task, None, True)
        else:
            self._on_loop(self._finished, *task, str(error) or type(error).__name__, False)


@contextmanager
def listened(
    config: RunnableConfig,
    started: Started,
    finished: Finished,
    reported: Reported,
    wrote: Wrote,
) -> Iterator[RunnableConfig]:
    """`config` with the run's listeners in it (`can_listen(config)` must hold), for one run
    in the block; what is still queued is handed over as the block ends."""
    on_loop = OnLoop()
    root = config.get("run_id") or uuid.uuid4()

    def writer(value: Any) -> None:
        # as LangGraph's own writer: the namespace of the graph the writing node is in
        ns = str(get_config().get("configurable", {}).get("checkpoint_ns", ""))
        on_loop(reported, value, tuple(ns.split("|")[:-1]))

    configurable: Mapping[str, Any] = config.get("configurable") or {}
    given = configurable.get(CONFIG_KEY_RUNTIME)
    runtime = (
        given.override(stream_writer=writer)
        if isinstance(given, Runtime)
        else Runtime(stream_writer=writer)
    )
    heard: RunnableConfig = {
        **config,
        "run_id": root,
        "callbacks": [
            *(config.get("callbacks") or []),  # type: ignore[misc]
            Listener(root, on_loop, started, finished, wrote),
        ],
        "configurable": {
            **configurable,
            CONFIG_KEY_RUNTIME: runtime,
            CONFIG_KEY_STREAM: StreamProtocol(_ignore, set()),
        },
    }
    try:
        yield heard
    finally:
        on_loop.close()


def _ignore(chunk: Any) -> None:
    """The parent stream that listens to no mode."""

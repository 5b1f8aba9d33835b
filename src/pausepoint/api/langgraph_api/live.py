"""Runs of the LangGraph API going on in this process, as the API streams them.

A run's events are what langgraph-api sends: `metadata` (`{run_id, attempt}`) first, then the
graph's stream parts in the modes asked for (`values`, `updates`, `messages` as tuples or as
`messages/partial|complete|metadata`, `custom`, `debug`, `checkpoints`, `tasks`), named
`mode|namespace...` for a subgraph's. Each event is encoded once, when the run gives it, and
kept while the run goes on and for a while after (the `KEEP` latest runs), so that a client
may join a run or reconnect after `Last-Event-ID`; every follower reads the same list.
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import BaseMessageChunk, message_chunk_to_message

from pausepoint.api.langgraph_api.shapes import jsonable

#: How many finished runs' events this process keeps for late joiners.
KEEP = 256

#: The API's stream modes, as LangGraph's (`messages` either way; `events` it does not read).
GRAPH_MODE = {"messages-tuple": "messages"}


def encode(data: Any) -> bytes:
    return json.dumps(jsonable(data), separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(eq=False)
class LiveRun:
    """One run's events so far, and whether it has ended."""

    run_id: str
    thread_id: str
    #: the API's stream modes asked for
    modes: frozenset[str] = frozenset({"values"})
    events: list[tuple[str, bytes]] = field(default_factory=list)
    done: bool = False
    #: the last `values` chunk (with `__interrupt__` when the run stopped at interrupts)
    last_values: Any = None
    _messages: dict[str, Any] = field(default_factory=dict)
    _waiters: list[asyncio.Future[None]] = field(default_factory=list)

    def push(self, event: str, data: Any) -> None:
        self.events.append((event, data if isinstance(data, bytes) else encode(data)))
        self._wake()

    def part(self, mode: str, ns: tuple[str, ...], chunk: Any) -> None:
        """A stream part of the graph (a tap's `send`)."""
        if mode == "values" and not ns:
            self.last_values = chunk
        suffix = "".join(f"|{n}" for n in ns)
        if mode == "messages":
            if "messages-tuple" in self.modes:
                self.push(f"messages{suffix}", chunk)
            if "messages" in self.modes:
                self._message(chunk)
        elif mode in self.modes:
            self.push(f"{mode}{suffix}", chunk)

    def _message(self, chunk: Any) -> None:
        """`messages` as langgraph-api sends it: a message's metadata when it first shows,
        then the message so far (`partial`, for a chunk) or whole (`complete`)."""
        message, metadata = chunk
        key = str(getattr(message, "id", None))
        if key in self._messages:
            self._messages[key] = self._messages[key] + message
        else:
            self._messages[key] = message
            self.push("messages/metadata", {key: {"metadata": metadata}})
        so_far = self._messages[key]
        if isinstance(message, BaseMessageChunk):
            self.push("messages/partial", [so_far])
        else:
            whole = (
                message_chunk_to_message(so_far) if isinstance(so_far, BaseMessageChunk) else so_far
            )
            self.push("messages/complete", [whole])

    def finish(self) -> None:
        self.done = True
        self._wake()

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def ended(self) -> None:
        while not self.done:
            await self._changed()

    async def _changed(self) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        await waiter

    async def follow(self, after: int = -1) -> AsyncIterator[tuple[int, str, bytes]]:
        """The events after index `after`, then each as it comes, until the run ends."""
        at = after + 1
        while True:
            while at < len(self.events):
                event, data = self.events[at]
                yield at, event, data
                at += 1
            if self.done:
                return
            await self._changed()


class LiveRuns:
    """This process's live runs (and its latest finished ones), by run id."""

    def __init__(self) -> None:
        self._runs: OrderedDict[str, LiveRun] = OrderedDict()

    def add(self, run: LiveRun) -> LiveRun:
        self._runs[run.run_id] = run
        finished = [r for r in self._runs.values() if r.done]
        for old in finished[: max(0, len(finished) - KEEP)]:
            del self._runs[old.run_id]
        return run

    def get(self, run_id: str) -> LiveRun | None:
        return self._runs.get(run_id)


def sse(index: int | None, event: str, data: bytes) -> bytes:
    """One server-sent event as langgraph-api writes it."""
    head = f"event: {event}\r\ndata: ".encode()
    tail = f"\r\nid: {index}\r\n\r\n".encode() if index is not None else b"\r\n\r\n"
    return head + data + tail

"""What LangGraph's own `astream` costs against `ainvoke`, mode by mode, before Pausepoint does
anything: a graph of three nodes that each report progress with `get_stream_writer()` and a
fourth that pauses, on an in-memory checkpointer, run to its pause. Pausepoint's runs read
`values`, `tasks`, `custom` and `messages` with `subgraphs=True` (service/streaming.py).

The ways are interleaved round by round in one process, so machine load hits all alike; the
figures are medians and ratios to `ainvoke`.

    .venv/bin/python bench/stream_modes.py --rounds 400 [--async-nodes]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.config import get_stream_writer
from langgraph.graph import START, StateGraph
from langgraph.types import interrupt

Run = Callable[[], Awaitable[None]]


class Report(TypedDict, total=False):
    topic: str
    a: int
    b: int
    c: int
    d: Any


def graph(async_nodes: bool) -> Any:
    def step(name: str) -> Any:
        def run(state: Report) -> dict[str, int]:
            get_stream_writer()({"progress": f"running {name}"})
            return {name: 1}

        async def arun(state: Report) -> dict[str, int]:
            return run(state)

        return arun if async_nodes else run

    def ask(state: Report) -> dict[str, Any]:
        return {"d": interrupt("ok?")}

    builder = StateGraph(Report)
    for name in "abc":
        builder.add_node(name, step(name))
    builder.add_node("d", ask)
    builder.add_edge(START, "a")
    builder.add_edge("a", "b")
    builder.add_edge("b", "c")
    builder.add_edge("c", "d")
    return builder.compile(checkpointer=InMemorySaver())


def ways(compiled: Any) -> dict[str, Run]:
    def config() -> Any:
        return {"configurable": {"thread_id": uuid.uuid4().hex}}

    async def invoke() -> None:
        await compiled.ainvoke({"topic": "x"}, config(), version="v2")

    def streaming(modes: list[str], subgraphs: bool) -> Run:
        async def run() -> None:
            parts = compiled.astream(
                {"topic": "x"}, config(), stream_mode=modes, subgraphs=subgraphs, version="v2"
            )
            async for _ in parts:
                pass

        return run

    return {
        "ainvoke": invoke,
        "values": streaming(["values"], False),
        "values, subgraphs=True": streaming(["values"], True),
        "values+tasks": streaming(["values", "tasks"], False),
        "values+custom": streaming(["values", "custom"], False),
        "values+messages": streaming(["values", "messages"], False),
        "Pausepoint's: values+tasks+custom+messages, subgraphs": streaming(
            ["values", "tasks", "custom", "messages"], True
        ),
    }


async def measure(rounds: int, async_nodes: bool) -> dict[str, float]:
    runs = ways(graph(async_nodes))
    times: dict[str, list[float]] = {name: [] for name in runs}
    for round_ in range(rounds + 20):
        for name, run in runs.items():
            t0 = time.perf_counter()
            await run()
            if round_ >= 20:  # the first rounds warm up
                times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(samples) for name, samples in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=400)
    parser.add_argument("--async-nodes", action="store_true")
    args = parser.parse_args()
    medians = asyncio.run(measure(args.rounds, args.async_nodes))
    base = medians["ainvoke"]
    kind = "async" if args.async_nodes else "sync"
    print(f"astream vs ainvoke, 4 {kind} nodes (3 progress writes, 1 pause), {args.rounds} rounds:")
    for name, median in medians.items():
        print(f"  {name:55s} {median * 1000:6.3f} ms  {median / base:.3f}x")


if __name__ == "__main__":
    main()

"""Readiness scheduling vs LangGraph supersteps on the same DAG, in the same run.

    .venv/bin/python bench/dag_readiness.py [--runs 20]

Two chains of five steps meet in a join. Chain `a` is 250, 50, 50, 50, 50 ms; chain `b`
is 50, 50, 50, 50, 250 ms. The critical path is 450 ms. Lock-step supersteps wait for the
slowest step of each wave (250 + 50 + 50 + 50 + 250 = 650 ms); readiness scheduling starts
each step as soon as its own input is done. Both run the same agents and step logic with an
in-memory checkpointer; the figure is the median wall time of `--runs` runs.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

from langgraph.checkpoint.memory import InMemorySaver

from pausepoint.workflows.dag import StepRequest, StepSpec, WorkflowSpec, dag_workflow
from pausepoint.workflows.registry import BuildContext

CHAINS = {"a": [250, 50, 50, 50, 50], "b": [50, 50, 50, 50, 250]}
DURATIONS = {f"{c}{i}": ms for c, steps in CHAINS.items() for i, ms in enumerate(steps, 1)}
CRITICAL_PATH_MS = max(sum(steps) for steps in CHAINS.values())
SUPERSTEP_BOUND_MS = sum(max(wave) for wave in zip(*CHAINS.values(), strict=True))


class SleepAgent:
    async def run(self, request: StepRequest) -> Any:
        await asyncio.sleep(DURATIONS.get(request.step, 0) / 1000)
        return request.step


def spec() -> WorkflowSpec:
    steps = [
        StepSpec(id=f"{c}{i}", agent="sleep", depends_on=(f"{c}{i - 1}",) if i > 1 else ())
        for c, chain in CHAINS.items()
        for i in range(1, len(chain) + 1)
    ]
    ends = tuple(f"{c}{len(chain)}" for c, chain in CHAINS.items())
    steps.append(StepSpec(id="join", agent="sleep", depends_on=ends))
    return WorkflowSpec(name="bench", steps=tuple(steps))


async def plain_asyncio(dag: WorkflowSpec) -> None:
    """The floor: the same agents scheduled by bare asyncio, no LangGraph, no checkpoints."""
    agent = SleepAgent()
    done: dict[str, asyncio.Task[Any]] = {}

    async def step(spec: StepSpec) -> Any:
        for dep in spec.depends_on:
            await done[dep]
        return await agent.run(StepRequest("bench", spec.id, "", {}))

    for spec in dag.steps:
        done[spec.id] = asyncio.create_task(step(spec))
    await asyncio.gather(*done.values())


async def timed_floor(dag: WorkflowSpec) -> float:
    start = time.perf_counter()
    await plain_asyncio(dag)
    return (time.perf_counter() - start) * 1000


async def timed(graph: Any, payload: Any, thread: str) -> float:
    start = time.perf_counter()
    await graph.ainvoke(payload, {"configurable": {"thread_id": thread}})
    return (time.perf_counter() - start) * 1000


async def main(runs: int) -> None:
    workflow = dag_workflow(spec(), {"sleep": SleepAgent()})
    ctx = BuildContext()
    readiness = workflow.runnable(ctx, InMemorySaver())
    superstep = workflow.build(ctx).compile(checkpointer=InMemorySaver())
    await timed(readiness, {}, "warm-r")
    await timed(superstep, {"inputs": {}}, "warm-s")
    ready_ms: list[float] = []
    step_ms: list[float] = []
    floor_ms: list[float] = []
    for i in range(runs):  # interleaved, so all see the same machine load
        ready_ms.append(await timed(readiness, {}, f"r{i}"))
        step_ms.append(await timed(superstep, {"inputs": {}}, f"s{i}"))
        floor_ms.append(await timed_floor(spec()))
    ready, steps = statistics.median(ready_ms), statistics.median(step_ms)
    floor = statistics.median(floor_ms)
    print(f"critical path            {CRITICAL_PATH_MS:7.1f} ms")
    print(f"superstep lower bound    {SUPERSTEP_BOUND_MS:7.1f} ms")
    print(
        f"bare asyncio (floor)     {floor:7.1f} ms  median of {runs}  ratio {floor / CRITICAL_PATH_MS:.3f}"
    )
    print(
        f"readiness (entrypoint)   {ready:7.1f} ms  median of {runs}  ratio {ready / CRITICAL_PATH_MS:.3f}"
    )
    print(
        f"supersteps (StateGraph)  {steps:7.1f} ms  median of {runs}  ratio {steps / CRITICAL_PATH_MS:.3f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    asyncio.run(main(parser.parse_args().runs))

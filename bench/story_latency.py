"""Start->pause and answer->next pause for the story workflow: ThreadService vs raw LangGraph.

Raw = the same graph compiled with AsyncSqliteSaver and driven with `ainvoke` and
`Command(resume=...)`, no decision log, no pause index. Both call `ainvoke(version="v2")`,
which streams values only and is faster than the default "v1" (which also streams updates to
find the interrupts): the baseline is the fastest way to drive the graph, not the default.
Both run in the same process, on files in the same folder, interleaved (each going first in
turn) so that machine load hits both alike.

    .venv/bin/python bench/story_latency.py --rounds 200
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.types import Command

from pausepoint.persistence.serde import make_serializer
from pausepoint.persistence.sql import connect
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings
from pausepoint.workflows.registry import BuildContext
from pausepoint.workflows.story import STORY

UPDATE = {"decision": "update", "comments": "make it funnier"}


def ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


async def run(rounds: int, folder: Path) -> dict[str, float]:
    settings = Settings(database_url=f"sqlite:///{folder / 'service.db'}", _env_file=None)  # type: ignore[call-arg]
    conn = await connect(folder / "raw.db", 30_000)
    saver = AsyncSqliteSaver(conn, serde=make_serializer(STORY.state_types))
    raw = STORY.build(BuildContext()).compile(checkpointer=saver)
    times: dict[str, list[float]] = {
        k: [] for k in ("svc_start", "svc_answer", "raw_start", "raw_answer")
    }
    async with ThreadService.open(settings, chat_model=None) as service:

        async def svc() -> tuple[float, float]:
            t0 = time.perf_counter()
            view = await service.start("story", {"prompt": "a fox"}, "bench")
            t1 = time.perf_counter()
            await service.resume(view.thread_id, {view.pauses[0].interrupt_id: UPDATE}, "bench")
            return t1 - t0, time.perf_counter() - t1

        async def bare() -> tuple[float, float]:
            config: Any = {"configurable": {"thread_id": uuid.uuid4().hex}}
            t0 = time.perf_counter()
            out = await raw.ainvoke({"prompt": "a fox"}, config, version="v2")
            t1 = time.perf_counter()
            interrupt_id = out.interrupts[0].id
            await raw.ainvoke(Command(resume={interrupt_id: UPDATE}), config, version="v2")
            return t1 - t0, time.perf_counter() - t1

        for round_ in range(rounds):
            ways = [("svc", svc), ("raw", bare)]
            for way, call in ways if round_ % 2 == 0 else ways[::-1]:  # each goes first in turn
                start, answer = await call()
                times[f"{way}_start"].append(start)
                times[f"{way}_answer"].append(answer)
    await conn.close()
    return {k: ms(v) for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        r = asyncio.run(run(args.rounds, Path(tmp)))
    print(f"story latency, {args.rounds} rounds, medians (ms):")
    print(
        f"  start->pause   service {r['svc_start']:.2f}  raw {r['raw_start']:.2f}  ratio {r['svc_start'] / r['raw_start']:.2f}x"
    )
    print(
        f"  answer->pause  service {r['svc_answer']:.2f}  raw {r['raw_answer']:.2f}  ratio {r['svc_answer'] / r['raw_answer']:.2f}x"
    )


if __name__ == "__main__":
    main()

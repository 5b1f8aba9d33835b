"""Inbox query time with N paused threads (the pause index) vs a scan of the checkpoints.

The threads are real: each is a story started through ThreadService, paused at its review.
The baseline is what an inbox without an index must do: `alist` over every checkpoint and
keep the threads whose latest checkpoint has a pending interrupt.

    .venv/bin/python bench/inbox.py --threads 10000
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from pausepoint.persistence.serde import make_serializer
from pausepoint.persistence.sqlite import connect
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings
from pausepoint.workflows.story import STORY


async def run(n: int, folder: Path, queries: int) -> dict[str, float]:
    db = folder / "inbox.db"
    settings = Settings(database_url=f"sqlite:///{db}", _env_file=None)  # type: ignore[call-arg]
    async with ThreadService.open(settings, chat_model=None) as service:
        t0 = time.perf_counter()
        for i in range(n):
            await service.start("story", {"prompt": f"story {i}"}, f"user{i % 100}")
        fill = time.perf_counter() - t0
        samples = []
        for q in range(queries):
            t = time.perf_counter()
            items = await service.inbox(f"user{q % 100}", limit=50)
            samples.append(time.perf_counter() - t)
            assert len(items) == min(50, n // 100)
    samples.sort()
    conn = await connect(db, 30_000)
    saver = AsyncSqliteSaver(conn, serde=make_serializer(STORY.state_types))
    t = time.perf_counter()
    latest: dict[str, bool] = {}
    async for tup in saver.alist(None):
        thread_id = tup.config["configurable"]["thread_id"]
        if thread_id not in latest:  # alist yields newest first per thread
            latest[thread_id] = any(w[1] == "__interrupt__" for w in tup.pending_writes or [])
    scan = time.perf_counter() - t
    await conn.close()
    assert sum(latest.values()) == n
    return {
        "fill_s": fill,
        "p50_ms": statistics.median(samples) * 1000,
        "p99_ms": samples[int(len(samples) * 0.99) - 1] * 1000,
        "scan_s": scan,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        r = asyncio.run(run(args.threads, Path(tmp), args.queries))
    print(f"inbox with {args.threads} paused threads ({args.queries} queries, 50 per page):")
    print(f"  pause index   p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms")
    print(f"  alist scan    {r['scan_s'] * 1000:.0f} ms for one pass")
    print(f"  (filled in {r['fill_s']:.1f} s through ThreadService.start)")


if __name__ == "__main__":
    main()

"""A worker for crash trials: starts stories and answers them as fast as it can.

Prints `ACK <thread> <interrupt> <revision>` (flushed) each time ThreadService acknowledges
an answer; the harness kills this process with SIGKILL at random moments and later checks
that every acknowledged answer was applied exactly once.

    python bench/crash_worker.py DATABASE_URL SEED
"""

from __future__ import annotations

import asyncio
import random
import sys

from pausepoint.domain import ThreadStatus
from pausepoint.errors import Conflict
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings


async def work(url: str, seed: int) -> None:
    rng = random.Random(seed)
    settings = Settings(database_url=url, lease_seconds=5, _env_file=None)  # type: ignore[call-arg]
    async with ThreadService.open(settings, chat_model=None) as service:  # recovers first
        print("READY", flush=True)
        while True:
            waiting = await service.list_threads(ThreadStatus.WAITING, limit=20)
            if len(waiting) < 5:
                await service.start("story", {"prompt": f"trial {rng.random():.6f}"}, "soak")
                continue
            thread = rng.choice(waiting)
            view = await service.get(thread.thread_id)
            if not view.pauses:
                continue
            pause = view.pauses[0]
            revision = pause.context["revision"]
            answer: dict[str, str] = (
                {"decision": "accept"}
                if revision >= 3
                else {"decision": "update", "comments": f"round {revision}"}
            )
            try:
                await service.resume(view.thread_id, {pause.interrupt_id: answer}, "soak")
            except Conflict:
                continue
            print(f"ACK {view.thread_id} {pause.interrupt_id} {revision}", flush=True)


if __name__ == "__main__":
    asyncio.run(work(sys.argv[1], int(sys.argv[2])))

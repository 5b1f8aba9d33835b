"""A worker for the background crash trials: starts and answers trial threads with wait=0.

Serves bench/trial_app's `trial` graph. Prints `START <thread>` when a start is acknowledged
(its input stored, its run going on in the background) and `ANSWER <thread> <interrupt>
<yes|no>` when an answer is (its decision row written), flushed; the harness kills this
process with SIGKILL and later checks each was carried through exactly once.

    python bench/background_worker.py DATABASE_URL SEED

PAUSEPOINT_FAILPOINT (e.g. `before_first_checkpoint@3`) and TRIAL_KILL / TRIAL_KILL_AT
(trial_app/trial.py) choose where it dies by itself.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
from pathlib import Path

from pausepoint.domain import ThreadStatus
from pausepoint.errors import Conflict
from pausepoint.service.catalog import use_config
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings

APP = Path(__file__).with_name("trial_app")
#: Threads waiting or running at most: the worker answers rather than start more.
IN_FLIGHT = 8


def trial_settings(url: str) -> Settings:
    settings = Settings(  # type: ignore[call-arg]
        database_url=url,
        lease_seconds=5,
        max_runs=4,
        workflows_dir=None,
        failpoint=os.environ.get("PAUSEPOINT_FAILPOINT") or None,
        _env_file=None,
    )
    return use_config(settings, APP)


async def work(url: str, seed: int) -> None:
    rng = random.Random(seed)
    async with ThreadService.open(trial_settings(url), chat_model=None) as service:
        print("READY", flush=True)
        while True:
            waiting = await service.list_threads(ThreadStatus.WAITING, limit=50)
            running = await service.list_threads(ThreadStatus.RUNNING, limit=50)
            if len(waiting) + len(running) < IN_FLIGHT:
                prompt = f"trial {rng.random():.6f}"
                view = await service.start("trial", {"prompt": prompt}, "soak", wait=0)
                print(f"START {view.thread_id}", flush=True)
                continue
            if not waiting:
                await asyncio.sleep(0.02)
                continue
            view = await service.get(rng.choice(waiting).thread_id)
            if not view.pauses:
                continue
            pause = view.pauses[0]
            yes = rng.random() < 0.75
            try:
                await service.answer(
                    view.thread_id, yes, "soak", interrupt_id=pause.interrupt_id, wait=0
                )
            except Conflict:
                continue
            print(f"ANSWER {view.thread_id} {pause.interrupt_id} {'yes' if yes else 'no'}")
            sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(work(sys.argv[1], int(sys.argv[2])))

"""A separate Pausepoint process for the cross-process tests (run, never imported).

    python worker.py answer THREAD PAUSE N TAG   # N concurrent answers "update: TAG-i"
    python worker.py recover                     # run recovery once

The database comes from PAUSEPOINT_DATABASE_URL. The worker opens its own ThreadService
(without start-up recovery), prints `ready`, waits for one line on stdin (the starting gun,
so that several workers act at the same moment), acts, and prints one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from pausepoint.errors import Conflict
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings


async def answer(service: ThreadService, thread: str, pause: str, n: int, tag: str) -> Any:
    async def one(i: int) -> str | None:
        comments = f"{tag}-{i}"
        update = {"decision": "update", "comments": comments}
        try:
            await service.resume(thread, {pause: update}, "ann")
        except Conflict:
            return None
        return comments

    results = await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True)
    return {
        "won": [r for r in results if isinstance(r, str)],
        "conflicts": sum(r is None for r in results),
        "errors": [repr(r) for r in results if isinstance(r, BaseException)],
    }


async def main(mode: str, *args: str) -> None:
    async with ThreadService.open(Settings(), chat_model=None, recover=False) as service:
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        if mode == "answer":
            thread, pause, n, tag = args
            result = await answer(service, thread, pause, int(n), tag)
        else:
            result = {"recovered": await service.recover()}
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))

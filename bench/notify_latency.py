"""Notifications: time from a pause to its webhook's arrival, and the sender's throughput.

    .venv/bin/python bench/notify_latency.py --pauses 100 --backlog 500

Latency: a Pausepoint server (uvicorn, SQLite file) with one webhook to a receiver on
127.0.0.1 (uvicorn too); `--pauses` story threads started one after another; for each, the
time from the pause's event being made (its `at`, taken as its outbox row is written with
the pause) to the receiver getting it (wall clock, one machine). The sender wakes on the pause's event, so this is the outbox's own cost: the
claim, the post, the `sent` write.

Throughput: `--backlog` pauses recorded with no sender running (their rows pending), then
one Sender (batches of 50, at once) delivers them all; rows per second.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from http_latency import serving
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pausepoint.api import create_app
from pausepoint.service.notifications.sender import Sender
from pausepoint.service.threads import ThreadService, utcnow
from pausepoint.settings import Settings

STORY = {"workflow": "story", "input": {"prompt": "a fox"}}


def receiver(arrived: dict[str, float]) -> Starlette:
    async def hook(request: Request) -> Response:
        body = await request.json()
        made = datetime.fromisoformat(body["at"]).timestamp()  # as the pause was recorded
        arrived.setdefault(body["thread_id"], time.time() - made)
        return Response(status_code=204)

    return Starlette(routes=[Route("/hook", hook, methods=["POST"])])


def settings_for(folder: Path, hook_url: str) -> Settings:
    return Settings.model_validate(
        {
            "database_url": f"sqlite:///{folder / 'notify.db'}",
            "webhooks": [{"url": hook_url, "secret": "bench", "events": ["paused"]}],
            "public_url": "https://pausepoint.example.com",
        }
    )


async def latency(folder: Path, pauses: int) -> list[float]:
    arrived: dict[str, float] = {}
    with serving(receiver(arrived)) as hook:
        settings = settings_for(folder, f"{hook}/hook")
        with serving(create_app(settings, chat_model=None)) as url:
            async with httpx.AsyncClient(base_url=url, timeout=60) as http:
                samples = []
                for _ in range(pauses + 5):
                    started = await http.post("/api/threads", json=STORY)
                    thread = started.json()["thread_id"]
                    while thread not in arrived:  # noqa: ASYNC110 - the receiver's thread
                        await asyncio.sleep(0.0005)
                    samples.append(arrived[thread])
    return samples[5:]  # the first few warm up


async def throughput(folder: Path, backlog: int) -> tuple[float, int]:
    arrived: dict[str, float] = {}
    with serving(receiver(arrived)) as hook:
        settings = settings_for(folder / "backlog", f"{hook}/hook")
        (folder / "backlog").mkdir()
        async with ThreadService.open(settings, chat_model=None) as service:  # no sender
            for _ in range(backlog):
                await service.start("story", STORY["input"], "bench")
            store: Any = service._runs.store
            sender = Sender(store, settings, utcnow)
            t0 = time.perf_counter()
            async with httpx.AsyncClient() as client:
                while await sender.send_due(client):
                    pass
            elapsed = time.perf_counter() - t0
    return elapsed, len(arrived)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pauses", type=int, default=100)
    parser.add_argument("--backlog", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        samples = asyncio.run(latency(Path(tmp), args.pauses))
        elapsed, delivered = asyncio.run(throughput(Path(tmp), args.backlog))
    ms = sorted(s * 1000 for s in samples)
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    print(
        f"pause -> webhook, {len(ms)} pauses: p50 {statistics.median(ms):.1f} ms, p99 {p99:.1f} ms"
    )
    print(
        f"sender: {delivered} of {args.backlog} delivered in {elapsed:.2f} s "
        f"({delivered / elapsed:.0f}/s)"
    )


if __name__ == "__main__":
    main()

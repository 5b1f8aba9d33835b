"""Start->pause and answer->next pause for the story workflow over HTTP.

Three ways, interleaved round by round in one run (each going first, second and third in
turn) so that machine load hits all alike:

* direct: ThreadService calls in this process (decision log, pause index, events);
* http:   the same calls through Pausepoint's app (auth, visibility check, events, JSON)
          on a real uvicorn server on 127.0.0.1, from an httpx client with keep-alive;
* bare:   the same story graph behind a minimal FastAPI wrapper (AsyncSqliteSaver,
          `ainvoke(version="v2")` and `Command(resume=...)` only: no decision log, index,
          auth or events).

    .venv/bin/python bench/http_latency.py --rounds 100 [--langgraph-dev 20]

`--langgraph-dev N` also times `langgraph dev`'s runs/wait on the same graph (N rounds, after
the others: it is a separate server process with its own in-memory checkpointer).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.types import Command, GraphOutput

from pausepoint.api import create_app
from pausepoint.persistence.serde import make_serializer
from pausepoint.persistence.sql import connect
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings
from pausepoint.workflows.registry import BuildContext
from pausepoint.workflows.story import STORY

UPDATE = {"decision": "update", "comments": "make it funnier"}
STORY_INPUT = {"prompt": "a fox"}


def bare_app(path: Path) -> FastAPI:
    """The story graph behind the thinnest FastAPI wrapper that can pause and resume it."""
    graph: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        conn = await connect(path, 30_000)
        saver = AsyncSqliteSaver(conn, serde=make_serializer(STORY.state_types))
        graph["story"] = STORY.build(BuildContext()).compile(checkpointer=saver)
        yield
        await conn.close()

    app = FastAPI(lifespan=lifespan)

    def interrupts(out: GraphOutput[Any]) -> list[dict[str, Any]]:
        return [{"id": i.id, "value": i.value} for i in out.interrupts]

    @app.post("/start")
    async def start(body: dict[str, Any]) -> dict[str, Any]:
        thread_id = uuid.uuid4().hex
        config: Any = {"configurable": {"thread_id": thread_id}}
        out = await graph["story"].ainvoke(body, config, version="v2")
        return {"thread_id": thread_id, "interrupts": interrupts(out)}

    @app.post("/resume/{thread_id}")
    async def resume(thread_id: str, body: dict[str, Any]) -> dict[str, Any]:
        config: Any = {"configurable": {"thread_id": thread_id}}
        out = await graph["story"].ainvoke(Command(resume=body), config, version="v2")
        return {"thread_id": thread_id, "interrupts": interrupts(out)}

    return app


@contextmanager
def serving(app: Any) -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


ROOT = Path(__file__).resolve().parents[1]
API_LINE = re.compile(r"API: \S*?(http://127\.0\.0\.1:\d+)")


@contextmanager
def langgraph_dev(folder: Path) -> Iterator[str]:
    """`langgraph dev` on graphs/ (as tests/studio does); yields its API URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log_path = folder / "langgraph-dev.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAUSEPOINT_")}
    env.update(LANGSMITH_TRACING="false", LANGCHAIN_TRACING_V2="false", NO_COLOR="1")
    langgraph = Path(sys.executable).with_name("langgraph")
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [str(langgraph), "dev", "--no-browser", "--no-reload", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 180
        while not (match := API_LINE.search(re.sub(r"\x1b\[[0-9;]*m", "", log_path.read_text()))):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log_path.read_text())
            time.sleep(0.2)
        yield match.group(1)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


async def run_langgraph_dev(rounds: int, folder: Path) -> dict[str, float]:
    from langgraph_sdk import get_client

    times: dict[str, list[float]] = {"start": [], "answer": []}
    with langgraph_dev(folder) as url:
        async with get_client(url=url) as client:
            for _ in range(600):
                try:
                    await client.assistants.search(graph_id="story")
                    break
                except Exception:
                    await asyncio.sleep(0.2)
            for round_ in range(rounds + 1):
                thread = await client.threads.create()
                t0 = time.perf_counter()
                await client.runs.wait(thread["thread_id"], "story", input=STORY_INPUT)
                t1 = time.perf_counter()
                await client.runs.wait(thread["thread_id"], "story", command={"resume": UPDATE})
                t2 = time.perf_counter()
                if round_:  # the first is warm-up
                    times["start"].append(t1 - t0)
                    times["answer"].append(t2 - t1)
    return {k: ms(v) for k, v in times.items()}


def ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


async def run(rounds: int, warmup: int, folder: Path) -> dict[str, float]:
    def settings(name: str) -> Settings:
        return Settings(database_url=f"sqlite:///{folder / name}", _env_file=None)  # type: ignore[call-arg]

    times: dict[str, list[float]] = {
        f"{way}_{step}": [] for way in ("direct", "http", "bare") for step in ("start", "answer")
    }
    with (
        serving(create_app(settings("http.db"), chat_model=None)) as http_url,
        serving(bare_app(folder / "bare.db")) as bare_url,
    ):
        async with (
            ThreadService.open(settings("direct.db"), chat_model=None) as service,
            httpx.AsyncClient(base_url=http_url, timeout=60) as http,
            httpx.AsyncClient(base_url=bare_url, timeout=60) as bare,
        ):

            async def direct() -> tuple[float, float]:
                t0 = time.perf_counter()
                view = await service.start("story", STORY_INPUT, "bench")
                t1 = time.perf_counter()
                await service.answer(view.thread_id, UPDATE, "bench")
                return t1 - t0, time.perf_counter() - t1

            async def over_http() -> tuple[float, float]:
                t0 = time.perf_counter()
                started = await http.post(
                    "/api/threads", json={"workflow": "story", "input": STORY_INPUT}
                )
                t1 = time.perf_counter()
                thread = started.json()
                answered = await http.post(
                    f"/api/threads/{thread['thread_id']}/answers", json={"answer": UPDATE}
                )
                t2 = time.perf_counter()
                assert answered.json()["pauses"], answered.text
                return t1 - t0, t2 - t1

            async def over_bare() -> tuple[float, float]:
                t0 = time.perf_counter()
                raw = (await bare.post("/start", json=STORY_INPUT)).json()
                t1 = time.perf_counter()
                interrupt_id = raw["interrupts"][0]["id"]
                again = await bare.post(f"/resume/{raw['thread_id']}", json={interrupt_id: UPDATE})
                t2 = time.perf_counter()
                assert again.json()["interrupts"], again.text
                return t1 - t0, t2 - t1

            ways = [("direct", direct), ("http", over_http), ("bare", over_bare)]
            for round_ in range(warmup + rounds):
                # Each way goes first, second and third in turn, so that whatever a step leaves
                # behind for the next (garbage to collect, a WAL to fold) falls on all alike.
                shift = round_ % len(ways)
                for way, call in ways[shift:] + ways[:shift]:
                    start, answer = await call()
                    if round_ >= warmup:
                        times[f"{way}_start"].append(start)
                        times[f"{way}_answer"].append(answer)
    return {k: ms(v) for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--langgraph-dev", type=int, default=0, metavar="ROUNDS")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        r = asyncio.run(run(args.rounds, args.warmup, Path(tmp)))
        dev = (
            asyncio.run(run_langgraph_dev(args.langgraph_dev, Path(tmp)))
            if args.langgraph_dev
            else None
        )
    print(f"story over HTTP, {args.rounds} rounds, medians (ms):")
    print("| step | direct ThreadService | Pausepoint HTTP | bare FastAPI+LangGraph | HTTP/bare |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for step, name in (("start", "start -> pause"), ("answer", "answer -> next pause")):
        d, h, b = r[f"direct_{step}"], r[f"http_{step}"], r[f"bare_{step}"]
        print(f"| {name} | {d:.2f} | {h:.2f} | {b:.2f} | {h / b:.2f}x |")
    if dev:
        print(f"\nlanggraph dev runs/wait, {args.langgraph_dev} rounds, medians (ms):")
        for step, name in (("start", "start -> pause"), ("answer", "answer -> next pause")):
            ratio = dev[step] / r[f"http_{step}"]
            print(f"  {name}: {dev[step]:.1f} ({ratio:.0f}x Pausepoint HTTP)")


if __name__ == "__main__":
    main()

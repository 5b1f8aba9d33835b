"""What streaming a run costs, and how fast a background start is acknowledged.

1. Start->pause over HTTP of a team graph of four nodes, each reporting its progress with
   `get_stream_writer()`, then a pause: runs heard as they go (what Pausepoint does, RunStream:
   every node and progress an event, sent to an SSE client listening on /api/events) against
   the same run with plain `ainvoke` (no events), rounds interleaved in one run on one
   server, each way going first in turn. The same for tests/service/background_app.py's
   `claim` (its sleeps 0), whose chat model streams its tokens: with LangChain's fake model
   each token is a hop to a worker thread (it has no native async stream), so that ratio says
   more about the fake model than about streaming.
2. A 100-node graph with a progress write in every node, started over HTTP (waiting for its
   end), its events read by one SSE client: the events delivered per run, and the cost per
   event, (heard - plain) / events, from the medians.
3. Background starts: WAVES waves of 50 concurrent `POST /api/threads?wait=0`, the time to the
   202 of each (p50/p99); every run finishes before the next wave.

All on a SQLite file, a real uvicorn server on 127.0.0.1, httpx clients; the SSE client is a
process of its own, as a real one would be (sharing the server's GIL would slow the server).

    .venv/bin/python bench/run_latency.py --rounds 100
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

os.environ["BACKGROUND_APP_CHECK_SECONDS"] = "0"

import httpx
from http_latency import serving  # bench/ is on the path when run as a script
from langchain_core.runnables import RunnableConfig
from langgraph.pregel import Pregel
from langgraph.types import GraphOutput

from pausepoint.api import create_app
from pausepoint.service import streaming
from pausepoint.service.catalog import use_config
from pausepoint.service.run_options import NO_OPTIONS, RunOptions
from pausepoint.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
CLAIM_APP = ROOT / "tests" / "service" / "background_app.py"
NODES = 100
CONCURRENT = 50
WAVES = 6

STEPS = textwrap.dedent(
    """
    from typing import TypedDict

    from langgraph.config import get_stream_writer
    from langgraph.graph import START, StateGraph
    from langgraph.types import interrupt


    class Report(TypedDict, total=False):
        topic: str
        found: list[str]
        approved: bool


    def step(name):
        def run(state: Report) -> dict:
            write = get_stream_writer()
            write(f"{name}: starting")
            write({"progress": f"{name}: done", "node": name})
            return {"found": [*state.get("found", []), name]}

        return run


    def ask(state: Report) -> dict:
        return {"approved": interrupt({"question": "Publish?", "found": state["found"]})}


    builder = StateGraph(Report)
    names = ["search", "read", "compare", "write"]
    for i, name in enumerate(names):
        builder.add_node(name, step(name))
        builder.add_edge(START if i == 0 else names[i - 1], name)
    builder.add_node("ask", ask)
    builder.add_edge("write", "ask")
    graph = builder.compile()
    """
)

WIDE = textwrap.dedent(
    f"""
    from typing import TypedDict

    from langgraph.config import get_stream_writer
    from langgraph.graph import START, StateGraph


    class Count(TypedDict):
        n: int


    def node(i):
        def step(state: Count) -> dict:
            get_stream_writer()({{"progress": f"step {{i}}", "done": i}})
            return {{"n": state["n"] + 1}}

        return step


    builder = StateGraph(Count)
    for i in range({NODES}):
        builder.add_node(f"n{{i}}", node(i))
        builder.add_edge(START if i == 0 else f"n{{i - 1}}", f"n{{i}}")
    graph = builder.compile().with_config(recursion_limit={NODES * 2})
    """
)

#: True: runs are heard as they go (Pausepoint's RunStream); False: plain ainvoke.
STREAMING = True
_stream_run = streaming.RunStream.run


async def run_either(
    self: streaming.RunStream,
    graph: Pregel[Any, Any, Any, Any],
    payload: Any,
    config: RunnableConfig,
    options: RunOptions = NO_OPTIONS,
) -> GraphOutput[Any]:
    if STREAMING:
        return await _stream_run(self, graph, payload, config, options)
    kwargs = options.stream_kwargs()
    out: GraphOutput[Any] = await graph.ainvoke(payload, config, version="v2", **kwargs)
    return out


streaming.RunStream.run = run_either  # type: ignore[method-assign]


LISTEN = textwrap.dedent(
    """
    import json, sys
    import httpx

    counts = {}
    with httpx.Client(timeout=None) as client:
        with client.stream("GET", sys.argv[1] + "/api/events") as response:
            for line in response.iter_lines():
                if line.startswith(": subscribed"):
                    print("READY", flush=True)
                if not line.startswith("data: "):
                    continue
                event = json.loads(line[6:])
                thread = event["thread_id"]
                counts[thread] = counts.get(thread, 0) + 1
                if event["event"] in ("paused", "completed", "failed"):
                    print(thread, counts.pop(thread), flush=True)
    """
)


class Listener:
    """One SSE client on /api/events in a process of its own, telling how many events each
    thread sent until it stopped."""

    def __init__(self, url: str) -> None:
        self.counts: dict[str, int] = {}
        self._heard = threading.Condition()
        self._proc = subprocess.Popen(
            [sys.executable, "-c", LISTEN, url], stdout=subprocess.PIPE, text=True
        )
        assert self._proc.stdout is not None
        assert self._proc.stdout.readline().strip() == "READY"
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            thread, count = line.split()
            with self._heard:
                self.counts[thread] = int(count)
                self._heard.notify_all()

    def wait_for(self, thread: str) -> int:
        with self._heard:
            assert self._heard.wait_for(lambda: thread in self.counts, 60), thread
            return self.counts.pop(thread)

    def close(self) -> None:
        self._proc.kill()
        self._proc.wait()


def folder_app(folder: Path) -> Path:
    shutil.copy(CLAIM_APP, folder / "claims.py")
    (folder / "wide.py").write_text(WIDE)
    (folder / "steps.py").write_text(STEPS)
    graphs = {"claim": "./claims.py:graph", "wide": "./wide.py:graph", "steps": "./steps.py:graph"}
    (folder / "langgraph.json").write_text(json.dumps({"graphs": graphs}))
    return folder


@contextmanager
def server(folder: Path) -> Iterator[str]:
    plain = Settings(  # type: ignore[call-arg]
        database_url=f"sqlite:///{folder / 'pausepoint.db'}", workflows_dir=None, _env_file=None
    )
    settings = use_config(plain, folder_app(folder))
    with serving(create_app(settings, chat_model=None, sweep_interval=None)) as url:
        yield url


def ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def timed_start(
    client: httpx.Client, listener: Listener | None, workflow: str, data: dict[str, Any]
) -> tuple[float, int]:
    global STREAMING
    t0 = time.perf_counter()
    reply = client.post("/api/threads", json={"workflow": workflow, "input": data})
    took = time.perf_counter() - t0
    assert reply.status_code in (200, 201), reply.text
    view = reply.json()
    assert view["status"] in ("waiting", "completed"), view
    return took, listener.wait_for(view["thread_id"]) if listener is not None else 0


def interleaved(
    client: httpx.Client,
    listener: Listener | None,
    workflow: str,
    data: dict[str, Any],
    rounds: int,
) -> dict[bool, tuple[list[float], list[int]]]:
    global STREAMING
    times: dict[bool, tuple[list[float], list[int]]] = {True: ([], []), False: ([], [])}
    for way in (True, False):  # warm up both
        STREAMING = way
        timed_start(client, listener, workflow, data)
    for i in range(rounds):
        for way in (True, False) if i % 2 == 0 else (False, True):
            STREAMING = way
            took, events = timed_start(client, listener, workflow, data)
            times[way][0].append(took)
            times[way][1].append(events)
    STREAMING = True
    return times


async def acknowledgements(url: str) -> list[float]:
    latencies: list[float] = []
    async with httpx.AsyncClient(
        base_url=url, timeout=60, limits=httpx.Limits(max_connections=CONCURRENT)
    ) as client:

        async def start(i: int) -> str:
            t0 = time.perf_counter()
            reply = await client.post(
                "/api/threads?wait=0", json={"workflow": "claim", "input": {"customer": f"c{i}"}}
            )
            latencies.append(time.perf_counter() - t0)
            assert reply.status_code in (200, 201, 202), reply.text
            return str(reply.json()["thread_id"])

        for wave in range(WAVES + 1):
            before = len(latencies)
            threads = await asyncio.gather(*(start(i) for i in range(CONCURRENT)))
            if wave == 0:
                del latencies[before:]  # warm-up
            for thread in threads:  # every run done before the next wave
                for _ in range(3000):
                    view = (await client.get(f"/api/threads/{thread}")).json()
                    if view["status"] != "running":
                        break
                    await asyncio.sleep(0.02)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--wide-rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, server(Path(tmp)) as url:
        with httpx.Client(base_url=url, timeout=60) as client:
            alone = interleaved(client, None, "steps", {"topic": "x"}, args.rounds)
        listener = Listener(url)
        try:
            with httpx.Client(base_url=url, timeout=60) as client:
                steps = interleaved(client, listener, "steps", {"topic": "x"}, args.rounds)
                claim = interleaved(client, listener, "claim", {"customer": "Ann"}, args.rounds)
                wide = interleaved(client, listener, "wide", {"n": 0}, args.wide_rounds)
            acks = asyncio.run(acknowledgements(url))
        finally:
            listener.close()

    print(f"start->pause over HTTP, {args.rounds} rounds each, interleaved, medians:")
    for name, times in (
        ("4 nodes with progress, no SSE client", alone),
        ("4 nodes with progress", steps),
        ("claim (fake model)", claim),
    ):
        s, a = ms(times[True][0]), ms(times[False][0])
        print(
            f"  {name}: Pausepoint {s:.2f} ms, plain ainvoke {a:.2f} ms: "
            f"{s / a:.3f}x; {statistics.median(times[True][1]):.0f} events a run vs "
            f"{statistics.median(times[False][1]):.0f}"
        )
    ws, wa = ms(wide[True][0]), ms(wide[False][0])
    events, plain = statistics.median(wide[True][1]), statistics.median(wide[False][1])
    print(f"{NODES}-node graph, a progress write in every node, {args.wide_rounds} rounds each:")
    print(
        f"  Pausepoint {ws:.1f} ms, plain ainvoke {wa:.1f} ms ({ws / wa:.3f}x); {events:.0f} events "
        f"delivered to the SSE client a run ({plain:.0f} with ainvoke); "
        f"{(ws - wa) * 1000 / (events - plain):.0f} us per event"
    )
    print(f"background starts, {WAVES} waves of {CONCURRENT} concurrent ?wait=0 starts:")
    print(
        f"  202 after p50 {pct(acks, 0.5):.1f} ms, p99 {pct(acks, 0.99):.1f} ms, "
        f"max {max(acks) * 1000:.1f} ms ({len(acks)} starts)"
    )


if __name__ == "__main__":
    sys.exit(main())

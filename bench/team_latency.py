"""Start->pause and answer->end for a team's own graph (one listed in its langgraph.json) over
HTTP, and the time to load a langgraph.json of 20 graphs.

Four ways, interleaved round by round in one run (each going first, second, third and
fourth in turn) so that machine load hits all alike:

* raw:        the graph itself in this process (`ainvoke(version="v2")`, compiled as the bare
              wrapper compiles it, on a SQLite file of its own): what LangGraph alone costs;
* direct:     ThreadService calls in this process on the same langgraph.json (what the
              service costs without HTTP);
* pausepoint: the team's langgraph.json served by Pausepoint's app (`create_app` on
              `use_config(settings, PATH)`: input checked against the graph's schema, answer
              checked against the interrupt's response_schema, decision log, pause index,
              auth, events, JSON) on a real uvicorn server on 127.0.0.1, in a process of
              its own;
* bare:       the same graph behind a minimal FastAPI wrapper: compiled with an
              AsyncSqliteSaver (the serializer allowing the graph's state types, as strict
              msgpack needs), `ainvoke(version="v2")` and `Command(resume=...)` only, on
              uvicorn in a process of its own too.

Both on SQLite files, from httpx clients with keep-alive. The default graph is the team app's
`expense` (tests/workflows/team_app): a typed `interrupt(..., response_schema=Approval)` with
pydantic models in state.

    .venv/bin/python bench/team_latency.py --rounds 200 [--config PATH --graph NAME
        --input JSON --answer JSON] [--load-graphs 20 --load-runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.types import Command, GraphOutput

from pausepoint.api import create_app
from pausepoint.persistence.serde import make_serializer
from pausepoint.persistence.sql import connect
from pausepoint.service.catalog import bundled, use_config
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings
from pausepoint.workflows.registry import BuildContext, Workflow

ROOT = Path(__file__).resolve().parents[1]
TEAM_APP = ROOT / "tests" / "workflows" / "team_app"
EXPENSE = {"employee": "ana", "amount": 120.5, "reason": "train tickets"}
APPROVE = {"approved": True, "note": "ok"}


def settings_for(db: Path, config: Path) -> Settings:
    plain = Settings(database_url=f"sqlite:///{db}", workflows_dir=None, _env_file=None)
    return use_config(plain, config)


def bare_app(path: Path, workflow: Workflow) -> FastAPI:
    """The team's graph behind the thinnest FastAPI wrapper that can pause and resume it."""
    graph: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        conn = await connect(path, 30_000)
        saver = AsyncSqliteSaver(conn, serde=make_serializer(workflow.state_types))
        graph["team"] = workflow.runnable(BuildContext(), saver)
        yield
        await conn.close()

    app = FastAPI(lifespan=lifespan)

    def reply(thread_id: str, out: GraphOutput[Any]) -> dict[str, Any]:
        interrupts = [{"id": i.id, "value": i.value} for i in out.interrupts]
        values = out.value if not interrupts else None
        return {"thread_id": thread_id, "interrupts": interrupts, "values": values}

    @app.post("/start")
    async def start(body: dict[str, Any]) -> dict[str, Any]:
        thread_id = uuid.uuid4().hex
        config: Any = {"configurable": {"thread_id": thread_id}}
        return reply(thread_id, await graph["team"].ainvoke(body, config, version="v2"))

    @app.post("/resume/{thread_id}")
    async def resume(thread_id: str, body: dict[str, Any]) -> dict[str, Any]:
        config: Any = {"configurable": {"thread_id": thread_id}}
        out = await graph["team"].ainvoke(Command(resume=body), config, version="v2")
        return reply(thread_id, out)

    return app


def app_of(kind: str, db: Path, config: Path, graph: str) -> FastAPI:
    served = settings_for(db, config)
    if kind == "pausepoint":
        return create_app(served, chat_model=None, sweep_interval=None)
    return bare_app(db, bundled(served).get(graph))


@contextmanager
def serving_apart(kind: str, db: Path, args: argparse.Namespace) -> Iterator[str]:
    """`kind`'s app ("pausepoint" or "bare") served by uvicorn in a process of its own, as a
    real server runs (servers in threads of the client's process would share its GIL)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, __file__, "--serve", kind, "--port", str(port), "--db", str(db)]
    command += ["--config", str(args.config), "--graph", args.graph]
    server = subprocess.Popen(command)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, f"the {kind} server exited"
            try:
                httpx.get(url + "/docs", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, f"the {kind} server never answered"
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(30)


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    app = app_of(args.serve, args.db, args.config, args.graph)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


def ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


async def run(args: argparse.Namespace, folder: Path) -> dict[str, float]:
    times: dict[str, list[float]] = {
        f"{way}_{step}": []
        for way in ("raw", "direct", "http", "bare")
        for step in ("start", "answer")
    }
    served = settings_for(folder / "unused.db", args.config)
    workflow = bundled(served).get(args.graph)
    raw_conn = await connect(folder / "raw.db", 30_000)
    raw_graph = workflow.runnable(
        BuildContext(), AsyncSqliteSaver(raw_conn, serde=make_serializer(workflow.state_types))
    )
    with (
        serving_apart("pausepoint", folder / "pausepoint.db", args) as http_url,
        serving_apart("bare", folder / "bare.db", args) as bare_url,
    ):
        async with (
            ThreadService.open(
                settings_for(folder / "direct.db", args.config), chat_model=None
            ) as service,
            httpx.AsyncClient(base_url=http_url, timeout=60) as http,
            httpx.AsyncClient(base_url=bare_url, timeout=60) as bare,
        ):

            async def raw() -> tuple[float, float]:
                config: Any = {"configurable": {"thread_id": uuid.uuid4().hex}}
                t0 = time.perf_counter()
                out = await raw_graph.ainvoke(args.input, config, version="v2")
                t1 = time.perf_counter()
                resume = Command(resume={out.interrupts[0].id: args.answer})
                done = await raw_graph.ainvoke(resume, config, version="v2")
                t2 = time.perf_counter()
                assert not done.interrupts, done
                return t1 - t0, t2 - t1

            async def direct() -> tuple[float, float]:
                t0 = time.perf_counter()
                view = await service.start(args.graph, args.input, "bench")
                t1 = time.perf_counter()
                done = await service.answer(view.thread_id, args.answer, "bench")
                t2 = time.perf_counter()
                assert done.status == "completed", done.error
                return t1 - t0, t2 - t1

            async def over_http() -> tuple[float, float]:
                t0 = time.perf_counter()
                started = await http.post(
                    "/api/threads", json={"workflow": args.graph, "input": args.input}
                )
                t1 = time.perf_counter()
                thread = started.json()
                assert thread["status"] == "waiting", started.text
                done = await http.post(
                    f"/api/threads/{thread['thread_id']}/answers", json={"answer": args.answer}
                )
                t2 = time.perf_counter()
                assert done.json()["status"] == "completed", done.text
                return t1 - t0, t2 - t1

            async def over_bare() -> tuple[float, float]:
                t0 = time.perf_counter()
                raw = (await bare.post("/start", json=args.input)).json()
                t1 = time.perf_counter()
                interrupt_id = raw["interrupts"][0]["id"]
                done = await bare.post(
                    f"/resume/{raw['thread_id']}", json={interrupt_id: args.answer}
                )
                t2 = time.perf_counter()
                assert done.json()["values"] is not None, done.text
                return t1 - t0, t2 - t1

            ways = [("raw", raw), ("direct", direct), ("http", over_http), ("bare", over_bare)]
            for round_ in range(args.warmup + args.rounds):
                shift = round_ % len(ways)  # each way goes first, second ... in turn
                for way, call in ways[shift:] + ways[:shift]:
                    start, answer = await call()
                    if round_ >= args.warmup:
                        times[f"{way}_start"].append(start)
                        times[f"{way}_answer"].append(answer)
    await raw_conn.close()
    return {k: ms(v) for k, v in times.items()}


GRAPH_FILE = '''
"""Graph {i} of a generated team app."""
from typing import TypedDict
from langgraph.graph import START, StateGraph
from langgraph.types import interrupt
from pydantic import BaseModel

class Note{i}(BaseModel):
    text: str

class State{i}(TypedDict, total=False):
    topic: str
    note: Note{i}

def ask(state: State{i}) -> dict:
    return {{"note": Note{i}(text=interrupt("About " + state["topic"] + "?"))}}

builder = StateGraph(State{i})
builder.add_node("ask", ask)
builder.add_edge(START, "ask")
graph = builder.compile()
'''


def time_loading(count: int, runs: int, folder: Path) -> list[float]:
    """Seconds to read a langgraph.json of `count` graph files (each its own module with its
    own pydantic state type, never imported before) and make the workflows, `runs` times."""
    took = []
    for run_ in range(runs):
        app = folder / f"app{run_}"
        app.mkdir()
        graphs = {}
        for i in range(count):
            name = f"graph_{run_}_{i:02d}"
            (app / f"{name}.py").write_text(textwrap.dedent(GRAPH_FILE.format(i=i)))
            graphs[name] = f"./{name}.py:graph"
        (app / "langgraph.json").write_text(json.dumps({"graphs": graphs}))
        t0 = time.perf_counter()
        served = bundled(settings_for(folder / "unused.db", app))
        took.append(time.perf_counter() - t0)
        assert len(list(served)) == count + 1  # and the orchestrator
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--config", type=Path, default=TEAM_APP, help="the team's langgraph.json")
    parser.add_argument("--graph", default="expense")
    parser.add_argument("--input", type=json.loads, default=EXPENSE, help="JSON")
    parser.add_argument("--answer", type=json.loads, default=APPROVE, help="JSON")
    parser.add_argument("--load-graphs", type=int, default=20, metavar="N")
    parser.add_argument("--load-runs", type=int, default=5)
    parser.add_argument("--serve", choices=["pausepoint", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        r = asyncio.run(run(args, Path(tmp)))
        loads = time_loading(args.load_graphs, args.load_runs, Path(tmp)) if args.load_runs else []
    print(f"team graph {args.graph!r} over HTTP, {args.rounds} rounds, medians (ms):")
    print(
        "| step | raw graph | direct ThreadService | Pausepoint HTTP | bare FastAPI+LangGraph "
        "| HTTP/bare | service - raw | Pausepoint HTTP - direct | bare - raw |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for step, name in (("start", "start -> pause"), ("answer", "answer -> end")):
        g, d = r[f"raw_{step}"], r[f"direct_{step}"]
        h, b = r[f"http_{step}"], r[f"bare_{step}"]
        print(
            f"| {name} | {g:.2f} | {d:.2f} | {h:.2f} | {b:.2f} | {h / b:.2f}x "
            f"| {d - g:+.2f} | {h - d:+.2f} | {b - g:+.2f} |"
        )
    if loads:
        print(
            f"\nloading a langgraph.json of {args.load_graphs} graphs, {args.load_runs} runs: "
            f"median {ms(loads):.0f} ms (min {min(loads) * 1000:.0f}, "
            f"max {max(loads) * 1000:.0f})"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()

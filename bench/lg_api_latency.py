"""The LangGraph API's `runs.wait` on Pausepoint against Pausepoint's own `/api/threads` (same
server, same story graph, interleaved round by round) and against `langgraph dev`.

    .venv/bin/python bench/lg_api_latency.py --rounds 100 [--langgraph-dev 20]

Each round: start -> pause and answer -> next pause, once through `/api/threads` (a start
makes its thread) and once through `POST /threads/{id}/runs/wait` (its thread made before the
clock starts, as a LangGraph client does with `threads.create`), both over one keep-alive
httpx client; the two take turns going first. `--langgraph-dev N` also times `langgraph dev`'s
runs/wait on the same graph (bench/http_latency.py's measurement).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import httpx
from http_latency import STORY_INPUT, UPDATE, ms, run_langgraph_dev, serving

from pausepoint.api import create_app
from pausepoint.settings import Settings


async def run(rounds: int, warmup: int, folder: Path) -> dict[str, float]:
    settings = Settings(database_url=f"sqlite:///{folder / 'api.db'}", _env_file=None)  # type: ignore[call-arg]
    times: dict[str, list[float]] = {
        f"{way}_{step}": [] for way in ("api", "lg") for step in ("start", "answer")
    }
    with serving(create_app(settings, chat_model=None)) as url:
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:

            async def api() -> tuple[float, float]:
                t0 = time.perf_counter()
                started = await http.post(
                    "/api/threads", json={"workflow": "story", "input": STORY_INPUT}
                )
                t1 = time.perf_counter()
                thread = started.json()["thread_id"]
                answered = await http.post(
                    f"/api/threads/{thread}/answers", json={"answer": UPDATE}
                )
                t2 = time.perf_counter()
                assert answered.json()["pauses"], answered.text
                return t1 - t0, t2 - t1

            async def lg() -> tuple[float, float]:
                thread = (await http.post("/threads", json={})).json()["thread_id"]
                t0 = time.perf_counter()
                paused = await http.post(
                    f"/threads/{thread}/runs/wait",
                    json={"assistant_id": "story", "input": STORY_INPUT},
                )
                t1 = time.perf_counter()
                assert paused.json()["__interrupt__"], paused.text
                again = await http.post(
                    f"/threads/{thread}/runs/wait",
                    json={"assistant_id": "story", "command": {"resume": UPDATE}},
                )
                t2 = time.perf_counter()
                assert again.json()["__interrupt__"], again.text
                return t1 - t0, t2 - t1

            ways = [("api", api), ("lg", lg)]
            for round_ in range(warmup + rounds):
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
    print(f"story, {args.rounds} rounds, medians (ms):")
    header = "| step | /api/threads | LangGraph API runs.wait | runs.wait / api |"
    if dev:
        header += f" langgraph dev runs.wait ({args.langgraph_dev} rounds) | dev / Pausepoint |"
    print(header)
    print("| --- | ---: | ---: | ---: |" + (" ---: | ---: |" if dev else ""))
    for step, name in (("start", "start -> pause"), ("answer", "answer -> next pause")):
        a, g = r[f"api_{step}"], r[f"lg_{step}"]
        line = f"| {name} | {a:.2f} | {g:.2f} | {g / a:.2f}x |"
        if dev:
            line += f" {dev[step]:.1f} | {dev[step] / g:.0f}x |"
        print(line)


if __name__ == "__main__":
    main()

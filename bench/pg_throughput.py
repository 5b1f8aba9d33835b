"""Resume throughput with 50 concurrent clients: SQLite (1 process) vs Postgres (1 and 2).

Each client owns one story thread and answers its pause `--rounds` times ("update", so the
writer runs every time); a round is one full `ThreadService.resume`: validate, decision log,
`Command(resume=...)`, the next pause. The clients are spread over 1 or 2 worker processes,
each with its own ThreadService, started together; throughput = answers / wall time from the
starting gun to the last answer. All three set-ups run in the same invocation, one after the
other, each on a fresh database (a temporary SQLite file; a new Postgres database, dropped
after).

    PAUSEPOINT_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/pg_throughput.py --clients 50 --rounds 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings

UPDATE = {"decision": "update", "comments": "longer"}


def settings_for(url: str) -> Settings:
    return Settings(database_url=url, model="offline", _env_file=None)  # type: ignore[call-arg]


# the worker: one process, its own ThreadService, some of the clients


async def worker(url: str, threads: list[str], rounds: int) -> None:
    async with ThreadService.open(settings_for(url), chat_model=None, recover=False) as service:

        async def client(thread_id: str) -> int:
            view = await service.get(thread_id)
            for _ in range(rounds):
                view = await service.resume(
                    thread_id, {view.pauses[0].interrupt_id: UPDATE}, "bench"
                )
            return rounds

        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        done = await asyncio.gather(*(client(t) for t in threads))
        print(json.dumps({"answers": sum(done)}), flush=True)


# the coordinator


async def measure(url: str, clients: int, processes: int, rounds: int) -> float:
    """Answers per second for `clients` clients over `processes` processes on `url`."""
    async with ThreadService.open(settings_for(url), chat_model=None) as service:
        threads = [
            (await service.start("story", {"prompt": f"fox {i}"}, "bench")).thread_id
            for i in range(clients)
        ]
    shares = [threads[i::processes] for i in range(processes)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAUSEPOINT_")}
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--worker",
            url,
            str(rounds),
            *share,
            env=env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for share in shares
    ]
    for proc in procs:
        assert proc.stdout is not None
        assert (await proc.stdout.readline()).strip() == b"ready"
    start = time.perf_counter()
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write(b"go\n")
    outs = [await proc.communicate() for proc in procs]
    elapsed = time.perf_counter() - start
    answers = sum(json.loads(out.decode().splitlines()[-1])["answers"] for out, _ in outs)
    assert answers == clients * rounds, outs
    return answers / elapsed


@contextmanager
def fresh_postgres(server_url: str) -> Iterator[str]:
    name = f"pp_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def run(server_url: str, clients: int, rounds: int) -> dict[str, float]:
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        results["SQLite, 1 process"] = await measure(url, clients, 1, rounds)
    for processes in (1, 2):
        with fresh_postgres(server_url) as url:
            label = f"Postgres, {processes} process{'es' if processes > 1 else ''}"
            results[label] = await measure(url, clients, processes, rounds)
    return results


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        url, rounds, *threads = sys.argv[2:]
        asyncio.run(worker(url, threads, int(rounds)))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10, help="answers per client")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("PAUSEPOINT_TEST_POSTGRES_URL"),
        help="a Postgres server URL (default: $PAUSEPOINT_TEST_POSTGRES_URL)",
    )
    args = parser.parse_args()
    if not args.postgres:
        parser.error("no Postgres: pass --postgres URL or set PAUSEPOINT_TEST_POSTGRES_URL")
    results = asyncio.run(run(args.postgres, args.clients, args.rounds))
    print(f"resume throughput, {args.clients} concurrent clients x {args.rounds} answers each:")
    for label, rate in results.items():
        print(f"  {label:<22} {rate:7.1f} answers/s")


if __name__ == "__main__":
    main()

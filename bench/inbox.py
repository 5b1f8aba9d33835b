"""The inbox and a server's memory with N paused threads (issue 8: 10k and 100k).

The threads are real: each is a story started through ThreadService.start and paused at
its review (checkpoints, pause index, leases, as in production). Their owners are
user0..user99, so every owner has N/100 pauses and a page of 50 is full. For each N, and
for an empty database as the floor, the sizes taking turns query by query so that the
machine's load hits all alike:

* `ThreadService.inbox(actor, limit=50)` in this process: p50 and p99 over --queries
  queries, the owners in turn;
* `GET /api/inbox` on a real `pausepoint serve` (a subprocess on a free 127.0.0.1 port, one
  API key per owner, one keep-alive httpx client each): p50 and p99 over the same queries;
* the baseline, what an inbox without the pause index must do: one pass of `alist` over
  every checkpoint (only for N <= --scan-max: it deserialises every checkpoint);
* each server's resident memory (VmRSS, VmHWM from /proc/PID/status) after start-up (its
  recovery pass and first deadline sweep) and after the inbox queries, GETS reads of
  distinct threads and another sweep; the growth is against the server on the empty database;
* the database file's size and bytes per paused thread.

Filling is the slow part (a start is ~7 ms of CPU-bound LangGraph and SQLite work, and two
processes on one file gain little over one on this 2-core machine): a filled database is
kept in .pausepoint/bench/ (gitignored), named after N and a fingerprint of what shapes
its content (schema version, LangGraph versions, the story workflow), and reused by the next
run; the output says which. --fresh rebuilds; --workers sets the filling processes.

    .venv/bin/python bench/inbox.py --threads 10000 100000 --queries 1000
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import json
import multiprocessing
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import AsyncExitStack, ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import httpx
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from pausepoint.persistence.serde import make_serializer
from pausepoint.persistence.sql import INBOX_SQL, MIGRATIONS, connect
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings
from pausepoint.workflows.story import STORY

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".pausepoint" / "bench"
USERS = 100
PAGE = 50
GETS = 100  # GET /api/threads/{id} per server (distinct threads), besides the inbox


def settings(db: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{db}", _env_file=None)  # type: ignore[call-arg]


def owner(i: int) -> str:
    return f"user{i % USERS}"


def key(user: str) -> str:
    return f"pp_bench_{user}"


# filling


async def fill_range(db: Path, start: int, count: int) -> None:
    """Start stories start..start+count-1, one after another, each until it pauses."""
    async with ThreadService.open(settings(db), chat_model=None, recover=False) as service:
        for i in range(start, start + count):
            view = await service.start("story", {"prompt": f"story {i}"}, owner(i))
            assert view.pauses, view
            if (i - start + 1) % 10_000 == 0:
                print(f"  worker {start}: {i - start + 1}/{count}", file=sys.stderr, flush=True)


def fill_worker(args: tuple[Path, int, int]) -> None:
    asyncio.run(fill_range(*args))


def fill(db: Path, n: int, workers: int) -> float:
    """Fill `db` with `n` paused stories from `workers` processes; the seconds it took."""
    asyncio.run(fill_range(db, 0, 0))  # schema once, before the workers race for it
    started = time.perf_counter()
    if workers <= 1 or n < 1000:
        asyncio.run(fill_range(db, 0, n))
    else:
        bounds = [n * w // workers for w in range(workers + 1)]
        jobs = [(db, lo, hi - lo) for lo, hi in itertools.pairwise(bounds)]
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=spawn) as pool:
            list(pool.map(fill_worker, jobs))
    took = time.perf_counter() - started
    checkpoint_wal(db)
    return took


def checkpoint_wal(db: Path) -> None:
    """Fold the WAL into the file, so that the file's size is the data's."""
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def count_paused(db: Path) -> int:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        (waiting,) = conn.execute(
            "SELECT COUNT(*) FROM threads WHERE status = 'waiting'"
        ).fetchone()
        (pauses,) = conn.execute("SELECT COUNT(*) FROM pauses").fetchone()
    return int(waiting) if waiting == pauses else -1


def fingerprint() -> str:
    """What shapes a filled database: the schema, LangGraph's checkpoints, the workflow."""
    parts = [
        f"{len(MIGRATIONS)}",
        version("langgraph"),
        version("langgraph-checkpoint-sqlite"),
        (ROOT / "src/pausepoint/workflows/story.py").read_text(),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:10]


@dataclass
class Filled:
    path: Path
    note: str


def cached(n: int, workers: int, fresh: bool) -> Filled:
    """The filled database for `n` threads: reused from CACHE, or built there now."""
    CACHE.mkdir(parents=True, exist_ok=True)
    db = CACHE / f"inbox-story-{n}-u{USERS}-{fingerprint()}.db"
    meta = db.with_suffix(".json")
    shown = db.relative_to(ROOT)
    if not fresh and db.exists() and meta.exists() and count_paused(db) == n:
        info = json.loads(meta.read_text())
        return Filled(
            db,
            f"reused {shown} (built {info['built']} in {info['fill_s']:.0f} s, "
            f"{info['workers']} worker process(es), load average {info['load']:.1f})",
        )
    for stale in CACHE.glob(f"inbox-story-{n}-*"):
        stale.unlink()
    partial = db.with_suffix(".partial.db")
    load = os.getloadavg()[0]
    took = fill(partial, n, workers)
    got = count_paused(partial)
    if got != n:
        raise SystemExit(f"filled {partial}: expected {n} paused threads, found {got}")
    partial.rename(db)
    built = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    meta.write_text(json.dumps({"built": built, "fill_s": took, "workers": workers, "load": load}))
    return Filled(
        db,
        f"built {shown} now in {took:.0f} s ({n / took:.0f} starts/s, "
        f"{workers} worker process(es), load average {load:.1f} at start)",
    )


# measuring: every size in turn, query by query, so that the machine's load hits all alike


def quantiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p99 in ms."""
    ordered = sorted(samples)
    p99 = ordered[max(0, round(len(ordered) * 0.99) - 1)]
    return statistics.median(ordered) * 1000, p99 * 1000


def expected(n: int, q: int) -> int:
    """How many items the inbox page of query `q` holds with `n` threads."""
    return min(PAGE, len(range(q % USERS, n, USERS)))


async def service_inbox(dbs: dict[int, Path], queries: int) -> dict[int, list[float]]:
    """ThreadService.inbox on every database, interleaved; the timings per size."""
    samples: dict[int, list[float]] = {n: [] for n in dbs}
    async with AsyncExitStack() as stack:
        services = {
            n: await stack.enter_async_context(ThreadService.open(settings(db), chat_model=None))
            for n, db in dbs.items()
        }
        for q in range(queries):
            for n, service in services.items():
                started = time.perf_counter()
                items = await service.inbox(owner(q), limit=PAGE)
                samples[n].append(time.perf_counter() - started)
                assert len(items) == expected(n, q), len(items)
    return samples


async def scan(db: Path, n: int) -> float:
    """One pass of `alist` over every checkpoint, keeping the threads that wait."""
    conn = await connect(db, 30_000)
    saver = AsyncSqliteSaver(conn, serde=make_serializer(STORY.state_types))
    started = time.perf_counter()
    latest: dict[str, bool] = {}
    async for tup in saver.alist(None):
        thread_id = tup.config["configurable"]["thread_id"]
        if thread_id not in latest:  # alist yields newest first per thread
            latest[thread_id] = any(w[1] == "__interrupt__" for w in tup.pending_writes or [])
    took = time.perf_counter() - started
    await conn.close()
    assert sum(latest.values()) == n
    return took


def query_plan(db: Path) -> str:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        rows = conn.execute(f"EXPLAIN QUERY PLAN {INBOX_SQL}", ("user0", PAGE, 0)).fetchall()
    return "; ".join(r[3] for r in rows)


# real servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak) of a process, in MB (10^6 bytes)."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) * 1024 / 1e6
    return found


def auth(user: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key(user)}"}


@dataclass
class Server:
    pid: int
    base: str
    ready_s: float


@contextmanager
def serve(db: Path) -> Iterator[Server]:
    """`pausepoint serve` on `db` on a free loopback port, until it answers; stopped after."""
    port = free_port()
    hashes = ",".join(
        f"{owner(u)}:{hashlib.sha256(key(owner(u)).encode()).hexdigest()}" for u in range(USERS)
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAUSEPOINT_")}
    env.update(PAUSEPOINT_DATABASE_URL=f"sqlite:///{db}", PAUSEPOINT_API_KEYS=hashes)
    with tempfile.TemporaryDirectory() as cwd:  # no .env, no workflows/ folder
        log = Path(cwd) / "server.log"
        with log.open("w") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "pausepoint", "serve", "--port", str(port)],
                cwd=cwd,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}"
        started = time.perf_counter()
        try:
            while True:
                if proc.poll() is not None or time.perf_counter() - started > 120:
                    raise SystemExit(f"server did not start:\n{log.read_text()[-3000:]}")
                try:
                    r = httpx.get(f"{base}/api/inbox", headers=auth("user0"), timeout=5)
                    if r.status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
            yield Server(proc.pid, base, time.perf_counter() - started)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@dataclass
class ServerRun:
    ready_s: float
    rss_start: float = 0.0
    rss_after: float = 0.0
    peak: float = 0.0
    samples: list[float] = field(default_factory=list)


async def probe(servers: dict[int, Server], queries: int) -> dict[int, list[float]]:
    """`queries` GET /api/inbox on every server, interleaved (owners in turn), then GETS
    GET /api/threads/{id} of distinct threads from those pages. The inbox timings per size."""
    samples: dict[int, list[float]] = {n: [] for n in servers}
    seen: dict[int, dict[str, str]] = {n: {} for n in servers}  # thread id -> its owner
    async with AsyncExitStack() as stack:
        clients = {
            n: await stack.enter_async_context(httpx.AsyncClient(base_url=s.base, timeout=30))
            for n, s in servers.items()
        }
        for q in range(queries):
            for n, client in clients.items():
                started = time.perf_counter()
                r = await client.get("/api/inbox", headers=auth(owner(q)))
                samples[n].append(time.perf_counter() - started)
                r.raise_for_status()
                items = r.json()["inbox"]
                assert len(items) == expected(n, q), r.text
                seen[n].update((item["thread_id"], item["owner"]) for item in items[:1])
        for n, client in clients.items():
            for thread_id, user in itertools.islice(itertools.cycle(seen[n].items()), GETS):
                r = await client.get(f"/api/threads/{thread_id}", headers=auth(user))
                assert r.status_code == 200 and r.json()["status"] == "waiting", r.text
    return samples


def measure_servers(dbs: dict[int, Path], queries: int) -> dict[int, ServerRun]:
    """One server per database, all up at once and probed in turn; their memory."""
    with ExitStack() as stack:
        servers = {n: stack.enter_context(serve(db)) for n, db in dbs.items()}
        runs = {n: ServerRun(s.ready_s) for n, s in servers.items()}
        time.sleep(1.0)  # the start-up recovery pass and first deadline sweep are done by now
        for n, s in servers.items():
            runs[n].rss_start = memory_mb(s.pid)["VmRSS"]
        began = time.perf_counter()
        for n, samples in asyncio.run(probe(servers, queries)).items():
            runs[n].samples = samples
        time.sleep(max(0.0, 5.5 - (time.perf_counter() - began)))  # one more sweep at least
        for n, s in servers.items():
            after = memory_mb(s.pid)
            runs[n].rss_after, runs[n].peak = after["VmRSS"], after["VmHWM"]
    return runs


def rss_cell(runs: list[ServerRun], attr: str) -> str:
    """The median over the server runs, with the range when there are several."""
    values = sorted(getattr(r, attr) for r in runs)
    spread = f" ({values[0]:.1f}-{values[-1]:.1f})" if len(values) > 1 else ""
    return f"{statistics.median(values):.1f} MB{spread}"


def small_db(folder: Path, n: int) -> Path:
    db = folder / f"small-{n}.db"
    asyncio.run(fill_range(db, 0, n))
    checkpoint_wal(db)
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--scan-max", type=int, default=10_000, help="largest N to scan")
    parser.add_argument("--workers", type=int, default=2, help="processes filling one file")
    parser.add_argument("--servers", type=int, default=1, help="server runs (median, range)")
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached databases")
    args = parser.parse_args()
    load = os.getloadavg()
    took: dict[str, float] = {}
    clock = time.perf_counter()
    filled = {n: cached(n, args.workers, args.fresh) for n in sorted(args.threads)}
    took["databases"] = time.perf_counter() - clock
    with tempfile.TemporaryDirectory() as tmp:
        dbs = {0: small_db(Path(tmp), 0), 1: small_db(Path(tmp), 1)}
        dbs |= {n: f.path for n, f in filled.items()}
        sizes = {n: db.stat().st_size for n, db in dbs.items()}  # before any server opens it
        clock = time.perf_counter()
        rounds = [measure_servers(dbs, args.queries) for _ in range(args.servers)]
        runs = {n: [r[n] for r in rounds] for n in dbs}
        took["servers"] = time.perf_counter() - clock
        clock = time.perf_counter()
        direct = asyncio.run(service_inbox(dbs, args.queries))
        took["in-process inbox"] = time.perf_counter() - clock
        clock = time.perf_counter()
        scans = {n: asyncio.run(scan(dbs[n], n)) for n in filled if n <= args.scan_max}
        took["alist scan"] = time.perf_counter() - clock
        plan = query_plan(dbs[max(dbs)])
    end_load = os.getloadavg()[0]

    print(
        f"inbox with N paused story threads (owners user0..user{USERS - 1}, N/{USERS} pauses "
        f"each; {args.queries} queries per N, page of {PAGE}, owners in turn, the sizes "
        f"interleaved; load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at start, "
        f"{end_load:.1f} at the end):"
    )
    print(
        "| paused threads | ThreadService.inbox p50 / p99 | GET /api/inbox p50 / p99 "
        "| no index: alist scan, one pass |"
    )
    print("| ---: | ---: | ---: | ---: |")
    for n in dbs:
        if n == 1:
            continue
        s50, s99 = quantiles(direct[n])
        h50, h99 = quantiles([s for r in runs[n] for s in r.samples])
        scanned = (
            f"{scans[n] * 1000:,.0f} ms"
            if n in scans
            else "-"
            if n == 0
            else f"not run (N > --scan-max {args.scan_max:,})"
        )
        print(f"| {n:,} | {s50:.2f} / {s99:.2f} ms | {h50:.2f} / {h99:.2f} ms | {scanned} |")
    print(f"query plan: {plan}")
    print()
    said = f"median (range) of {args.servers} runs" if args.servers > 1 else "1 run"
    print(
        f"`pausepoint serve` resident memory, one server per database, all up at once ({said}): "
        f"at start-up (recovery and first deadline sweep done) and after the {args.queries} "
        f"inbox queries, {GETS} GET /api/threads/{{id}} (none on the empty database) and "
        "another sweep:"
    )
    print(
        "| paused threads | db file | bytes/thread | ready in | VmRSS at start "
        "| VmRSS after requests | growth vs empty | VmHWM (peak) |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    empty = statistics.median(r.rss_after for r in runs[0])
    for n in dbs:
        growth = statistics.median(r.rss_after for r in runs[n]) - empty
        print(
            f"| {n:,} | {sizes[n] / 1e6:,.1f} MB | {f'{sizes[n] / n:,.0f}' if n > 1 else '-'} "
            f"| {statistics.median(r.ready_s for r in runs[n]):.1f} s "
            f"| {rss_cell(runs[n], 'rss_start')} | {rss_cell(runs[n], 'rss_after')} "
            f"| {f'{growth:+.1f} MB' if n else '-'} | {rss_cell(runs[n], 'peak')} |"
        )
    print()
    for n, f in filled.items():
        print(f"{n:,} threads: {f.note}")
    print("took: " + ", ".join(f"{part} {secs:.0f} s" for part, secs in took.items()))


if __name__ == "__main__":
    main()

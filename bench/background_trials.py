"""Crash trials over background runs: SIGKILL a worker whose starts and answers return at once
(wait=0) while their runs go on, at chosen moments, then check nothing was lost, doubled or
run again.

Each trial kills the worker (bench/background_worker.py, serving bench/trial_app) one way, in
turn: before a start's first checkpoint (its input stored, acknowledged), in the middle of a
node, between two nodes, or at a random moment. The next worker recovers at start-up; at the
end one more service recovers what is left. Then:

* every acknowledged start is a thread that reached its pause or its end (none failed, none
  left running), where an uninterrupted run would be: `prepare`, `gather` then the pause;
  `finish` after the answer;
* every acknowledged answer is in the decision log exactly once, applied, and the thread's
  result is that answer;
* no node whose result was checkpointed ran again: the run whose token the state holds is the
  last run of that node in the trial log (runs cut off before their checkpoint may come first);
* the pause index matches each thread's state, and `PRAGMA integrity_check` says ok.

    .venv/bin/python bench/background_trials.py --trials 40
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pausepoint.domain import ThreadStatus
from pausepoint.service.threads import ThreadService

sys.path.insert(0, str(Path(__file__).parent))
from background_worker import trial_settings

WORKER = Path(__file__).with_name("background_worker.py")
MODES = ("before_first_checkpoint", "mid_node", "between_nodes", "random")
#: How long a worker may take to reach its failpoint before the harness kills it (seconds).
FAILPOINT_WITHIN = 8.0


@dataclass
class Report:
    kills: Counter[str] = field(default_factory=Counter)
    starts: set[str] = field(default_factory=set)
    answers: dict[tuple[str, str], bool] = field(default_factory=dict)
    rerun: int = 0
    threads: int = 0
    violations: list[str] = field(default_factory=list)

    @property
    def trials(self) -> int:
        return sum(self.kills.values())


def trial_env(mode: str, rng: random.Random, log: Path) -> dict[str, str]:
    env = {**os.environ, "TRIAL_LOG": str(log)}
    for name in ("PAUSEPOINT_FAILPOINT", "TRIAL_KILL", "TRIAL_KILL_AT"):
        env.pop(name, None)
    if mode == "before_first_checkpoint":
        env["PAUSEPOINT_FAILPOINT"] = f"before_first_checkpoint@{rng.randint(1, 4)}"
    elif mode in ("mid_node", "between_nodes"):
        env["TRIAL_KILL"], env["TRIAL_KILL_AT"] = mode, str(rng.randint(1, 10))
    return env


async def one_trial(
    url: str, seed: int, mode: str, rng: random.Random, log: Path, r: Report
) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(WORKER),
        url,
        str(seed),
        stdout=asyncio.subprocess.PIPE,
        env=trial_env(mode, rng, log),
    )
    assert proc.stdout is not None
    lines: list[str] = []
    ready = asyncio.Event()

    async def read() -> None:
        assert proc.stdout is not None
        async for raw in proc.stdout:
            lines.append(raw.decode().strip())
            ready.set()
        ready.set()  # it died before it was ready: that is a trial too

    reader = asyncio.create_task(read())
    if mode == "random":
        await ready.wait()
        await asyncio.sleep(rng.uniform(0.2, 2.0))
    else:
        try:
            await asyncio.wait_for(proc.wait(), FAILPOINT_WITHIN)
        except TimeoutError:
            mode = f"{mode} (not reached: killed)"
    if proc.returncode is None:
        proc.kill()  # SIGKILL: no clean-up of any kind
    await proc.wait()
    await reader
    r.kills[mode] += 1
    for line in lines:
        parts = line.split()
        if parts[:1] == ["START"]:
            r.starts.add(parts[1])
        elif parts[:1] == ["ANSWER"]:
            r.answers[(parts[1], parts[2])] = parts[3] == "yes"


def last_runs(log: Path) -> tuple[dict[tuple[str, str], str], Counter[tuple[str, str]]]:
    """(thread, node) -> the token of its last run, and how often it ran."""
    last: dict[tuple[str, str], str] = {}
    runs: Counter[tuple[str, str]] = Counter()
    for line in log.read_text().splitlines():
        _, thread, node, token = line.split()
        last[(thread, node)] = token
        runs[(thread, node)] += 1
    return last, runs


async def check(url: str, path: Path, log: Path, r: Report) -> None:
    async with ThreadService.open(trial_settings(url), chat_model=None) as service:
        await service.recover()
        last, runs = last_runs(log)
        r.rerun = sum(n - 1 for n in runs.values())
        inbox = await service.inbox("soak", limit=100_000)
        threads = await service.list_threads(limit=100_000)
        r.threads = len(threads)
        known = {t.thread_id for t in threads}
        for thread_id in r.starts - known:
            r.violations.append(f"acknowledged start lost: {thread_id}")
        logged: dict[tuple[str, str], list[object]] = {}
        for thread in threads:
            tid = thread.thread_id
            view = await service.get(tid)
            decisions = await service.decisions(tid)
            for d in decisions:
                logged.setdefault((tid, d.interrupt_id), []).append(d.answer)
                if d.applied_at is None:
                    r.violations.append(f"decision never applied: {tid} {d.interrupt_id}")
            if view.status is ThreadStatus.WAITING:
                state, expected = view.pauses[0].context, ["prepare", "gather"]
            elif view.status is ThreadStatus.COMPLETED:
                state, expected = view.result or {}, ["prepare", "gather", "finish"]
                if [d.answer for d in decisions] != [state.get("approved")]:
                    r.violations.append(f"{tid}: result {state.get('approved')} for {decisions}")
            else:
                r.violations.append(f"{tid} ended {view.status.value}: {view.error}")
                continue
            if state.get("steps") != expected:
                r.violations.append(f"{tid}: steps {state.get('steps')}, not {expected}")
            for node, token in (state.get("attempts") or {}).items():
                if last.get((tid, node)) != token:
                    r.violations.append(f"{tid}: {node} ran again after its checkpoint")
            indexed = {i.interrupt_id for i in inbox if i.thread_id == tid}
            if indexed != {p.interrupt_id for p in view.pauses}:
                r.violations.append(f"pause index out of step: {tid}")
        for key, answer in r.answers.items():
            if logged.get(key) != [answer]:
                r.violations.append(f"acknowledged answer {answer} logged as {logged.get(key)}")
    with sqlite3.connect(path) as conn:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        r.violations.append(f"integrity_check: {result}")


async def run(trials: int, folder: Path, seed: int) -> Report:
    path, log = folder / "soak.db", folder / "runs.log"
    log.touch()
    os.environ["TRIAL_LOG"] = str(log)  # for the runs the last recovery finishes here
    url = f"sqlite:///{path}"
    rng = random.Random(seed)
    report = Report()
    for i in range(trials):
        await one_trial(url, seed + i, MODES[i % len(MODES)], rng, log, report)
    await check(url, path, log, report)
    return report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="Work in this folder, and leave it there.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        report = asyncio.run(run(args.trials, folder, args.seed))
    how = ", ".join(f"{mode} {n}" for mode, n in sorted(report.kills.items()))
    print(
        f"background crash trials: {report.trials} SIGKILLs ({how}), {report.threads} threads, "
        f"{len(report.starts)} acknowledged starts, {len(report.answers)} acknowledged answers, "
        f"{report.rerun} node runs cut off and run again, {len(report.violations)} violations"
    )
    for v in report.violations:
        print("  -", v)
    sys.exit(1 if report.violations else 0)


if __name__ == "__main__":
    main()

"""Crash trials: SIGKILL a busy worker at random moments, then check nothing was lost or doubled.

After every kill a new worker starts (its ThreadService recovers at start-up). At the end:
every acknowledged answer is in the decision log exactly once and applied, every thread's
pause-index rows match `aget_state`, and `PRAGMA integrity_check` says ok.

    .venv/bin/python bench/crash_trials.py --trials 50
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings

WORKER = Path(__file__).with_name("crash_worker.py")


@dataclass
class Report:
    trials: int = 0
    acked: set[tuple[str, str]] = field(default_factory=set)
    violations: list[str] = field(default_factory=list)


async def one_trial(url: str, seed: int, rng: random.Random, report: Report) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(WORKER), url, str(seed), stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None
    ready = await asyncio.wait_for(proc.stdout.readline(), timeout=120)
    assert ready.strip() == b"READY", ready
    await asyncio.sleep(rng.uniform(0.05, 1.5))
    proc.kill()  # SIGKILL: no clean-up of any kind
    out, _ = await proc.communicate()
    for line in out.decode().splitlines():
        parts = line.split()
        if parts and parts[0] == "ACK":
            report.acked.add((parts[1], parts[2]))
    report.trials += 1


async def check(url: str, path: Path, report: Report) -> None:
    settings = Settings(database_url=url, lease_seconds=5, _env_file=None)  # type: ignore[call-arg]
    async with ThreadService.open(settings, chat_model=None) as service:
        await service.recover()
        logged: dict[tuple[str, str], int] = {}
        threads = await service.list_threads(limit=100_000)
        for thread in threads:
            for d in await service.decisions(thread.thread_id):
                key = (d.thread_id, d.interrupt_id)
                logged[key] = logged.get(key, 0) + 1
                if d.applied_at is None:
                    report.violations.append(f"decision never applied: {key}")
            view = await service.get(thread.thread_id)
            indexed = {
                i.interrupt_id
                for i in await service.inbox("soak", limit=100_000)
                if i.thread_id == thread.thread_id
            }
            if indexed != {p.interrupt_id for p in view.pauses}:
                report.violations.append(f"pause index out of step: {thread.thread_id}")
            revisions = (view.result or {}).get("revisions") or (
                view.pauses[0].context["revision"] if view.pauses else 0
            )
            updates = sum(
                1
                for d in await service.decisions(thread.thread_id)
                if d.answer.get("decision") == "update"
            )
            if view.status.value in ("waiting", "completed") and revisions != updates + 1:
                report.violations.append(
                    f"{thread.thread_id}: {revisions} drafts for {updates} updates"
                )
        for key in report.acked:
            if logged.get(key, 0) != 1:
                report.violations.append(f"acknowledged answer logged {logged.get(key, 0)}x: {key}")
    with sqlite3.connect(path) as conn:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        report.violations.append(f"integrity_check: {result}")


async def run(trials: int, folder: Path, seed: int) -> Report:
    path = folder / "soak.db"
    url = f"sqlite:///{path}"
    rng = random.Random(seed)
    report = Report()
    for i in range(trials):
        await one_trial(url, seed + i, rng, report)
    await check(url, path, report)
    return report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report = asyncio.run(run(args.trials, Path(tmp), args.seed))
    print(
        f"crash trials: {report.trials} SIGKILLs, {len(report.acked)} acknowledged answers, "
        f"{len(report.violations)} violations"
    )
    for v in report.violations:
        print("  -", v)
    sys.exit(1 if report.violations else 0)


if __name__ == "__main__":
    main()

"""`make bench`: run every benchmark once and write their output into docs/benchmarks.md.

The figures land between the `make bench` markers at the top of docs/benchmarks.md, with the
date, the machine, its load and the exact command of each benchmark; the analysis below the
markers is written by hand from such runs. Set PAUSEPOINT_TEST_POSTGRES_URL to include the
Postgres throughput benchmark.

bench/inbox.py fills databases of 10,000 and 100,000 real paused threads: the first run
takes 15-20 minutes for that (about 150 starts/s here), later runs reuse them from
.pausepoint/bench/ and take about a minute.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- make bench: begin -->", "<!-- make bench: end -->"

BENCHES: list[list[str]] = [
    ["bench/story_latency.py", "--rounds", "300"],
    ["bench/http_latency.py", "--rounds", "300", "--langgraph-dev", "10"],
    ["bench/team_latency.py", "--rounds", "200"],
    ["bench/a2a_latency.py", "30"],
    ["bench/inbox.py", "--threads", "10000", "100000", "--queries", "1000"],
    ["bench/dag_readiness.py", "--runs", "20"],
    ["bench/orchestrator.py"],
    ["bench/crash_trials.py", "--trials", "50"],
    ["bench/run_latency.py", "--rounds", "200"],
    ["bench/background_trials.py", "--trials", "40"],
    ["bench/lg_api_latency.py", "--rounds", "100", "--langgraph-dev", "20"],
    ["bench/notify_latency.py", "--pauses", "100", "--backlog", "500"],
]
if os.environ.get("PAUSEPOINT_TEST_POSTGRES_URL"):
    BENCHES.append(["bench/pg_throughput.py", "--clients", "50", "--rounds", "10"])


def main() -> None:
    only = sys.argv[1:]
    sections = []
    for args in BENCHES:
        if only and not any(o in args[0] for o in only):
            continue
        load = os.getloadavg()[0]
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=False
        )
        took = time.perf_counter() - started
        output = (proc.stdout + (proc.stderr if proc.returncode else "")).strip()
        print(f"$ python {' '.join(args)}\n{output}\n", flush=True)
        sections.append(
            f"`LANGGRAPH_STRICT_MSGPACK=true .venv/bin/python {' '.join(args)}` "
            f"(load average {load:.1f} at start, {took:.0f} s, exit {proc.returncode})\n\n"
            f"```\n{output}\n```\n"
        )
    header = (
        f"Latest `make bench`: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}).\n"
    )
    block = f"{BEGIN}\n{header}\n" + "\n".join(sections) + f"{END}"
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END) :]
    else:
        title, _, rest = text.partition("\n")
        text = f"{title}\n\n{block}\n{rest}"
    DOC.write_text(text)
    print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

"""LangGraph Studio: `langgraph dev` loads graphs/ and drives the story to its pause and back."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from langgraph_sdk import get_client

ROOT = Path(__file__).resolve().parents[2]
LANGGRAPH = Path(sys.executable).with_name("langgraph")
API_LINE = re.compile(r"API: \S*?(http://127\.0\.0\.1:\d+)")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def studio(tmp_path: Path) -> AsyncIterator[str]:
    """Start `langgraph dev` (log kept outside the watched folder); yield its API URL."""
    if not (ROOT / ".env").exists():
        pytest.skip("langgraph.json names .env; run `make setup` (it copies .env.example)")
    log_path = tmp_path / "langgraph-dev.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAUSEPOINT_")}
    env.update(LANGSMITH_TRACING="false", LANGCHAIN_TRACING_V2="false", NO_COLOR="1")
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [str(LANGGRAPH), "dev", "--no-browser", "--no-reload", "--port", str(_free_port())],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = None
        for _ in range(1200):  # up to 120 s on a loaded machine
            match = API_LINE.search(ANSI.sub("", log_path.read_text()))
            if match:
                url = match.group(1)
                break
            assert proc.poll() is None, log_path.read_text()
            await asyncio.sleep(0.1)
        assert url, log_path.read_text()
        async with get_client(url=url) as client:
            for _ in range(600):
                try:
                    await client.assistants.search(graph_id="story")
                    break
                except Exception:
                    await asyncio.sleep(0.1)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


async def test_studio_runs_the_story_to_its_review_pause_and_resumes_it(studio: str) -> None:
    async with get_client(url=studio) as client:
        await _drive_story(client)


async def _drive_story(client: Any) -> None:
    thread = await client.threads.create()
    paused: Any = await client.runs.wait(
        thread["thread_id"], "story", input={"prompt": "a lighthouse keeper"}
    )
    [interrupt] = paused["__interrupt__"]
    assert interrupt["value"]["title"] == "Review the draft"
    assert interrupt["value"]["kind"] == "review"
    assert "lighthouse keeper" in interrupt["value"]["context"]["draft"]

    revised: Any = await client.runs.wait(
        thread["thread_id"],
        "story",
        command={"resume": {"decision": "update", "comments": "make it funnier"}},
    )
    [again] = revised["__interrupt__"]
    assert "laughed" in again["value"]["context"]["draft"]

    done: Any = await client.runs.wait(
        thread["thread_id"], "story", command={"resume": {"decision": "accept"}}
    )
    assert done["story"] == again["value"]["context"]["draft"]
    assert "__interrupt__" not in done

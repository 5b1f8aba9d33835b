"""One thread, several doors: the CLI and HTTP answer each other's threads; `serve` serves."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

NO_KEYS = {"PAUSEPOINT_API_KEYS": ""}
Cli = Callable[..., dict[str, Any]]


@pytest.fixture
def cli(run_cli: Callable[..., Any]) -> Cli:
    """`cli(*args)`: `pausepoint ARGS --as local --json` on the test's database; its JSON."""

    def run(*args: str) -> dict[str, Any]:
        done = run_cli(*args, "--as", "local", "--json", env=NO_KEYS)
        assert done.returncode == 0, done.stdout + done.stderr
        result: dict[str, Any] = json.loads(done.stdout)
        return result

    return run


async def test_a_thread_started_from_the_cli_is_answered_over_http(server: Any, cli: Cli) -> None:
    view = cli("run", "story", "--input", '{"prompt": "a fox"}')

    async with server.client() as client:
        done = await client.post(
            f"/api/threads/{view['thread_id']}/answers", json={"answer": {"decision": "accept"}}
        )

    assert done.status_code == 200, done.text
    assert done.json()["result"]["story"] == view["pauses"][0]["context"]["draft"]


async def test_a_thread_started_over_http_is_answered_from_the_cli(server: Any, cli: Cli) -> None:
    async with server.client() as client:
        view = (
            await client.post("/api/threads", json={"workflow": "story", "input": {"prompt": "x"}})
        ).json()

        done = cli("answer", view["thread_id"], '{"decision": "accept"}')
        seen = (await client.get(f"/api/threads/{view['thread_id']}")).json()

    assert done["status"] == "completed"
    assert seen["status"] == "completed"


def test_serve_starts_the_server_and_serves_the_page(
    free_port: Callable[[], int], cli_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "pausepoint", "serve", "--port", str(port)],
        env={**cli_env, **NO_KEYS},
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        page = None
        while page is None and time.monotonic() < deadline and process.poll() is None:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
            except httpx.TransportError:
                time.sleep(0.1)
        assert page is not None, "the server did not answer"
        assert page.status_code == 200
        assert "<title>Pausepoint</title>" in page.text
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=60)
    assert f"http://127.0.0.1:{port}/" in output

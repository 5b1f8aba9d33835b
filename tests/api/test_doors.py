"""One thread, several doors: the CLI and HTTP answer each other's threads; `serve` serves."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx


def cli(db_url: str, cwd: Path, *args: str) -> dict[str, Any]:
    env = {**os.environ, "PAUSEPOINT_DATABASE_URL": db_url, "PAUSEPOINT_API_KEYS": ""}
    done = subprocess.run(
        [sys.executable, "-m", "pausepoint", *args, "--as", "local", "--json"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


async def test_a_thread_started_from_the_cli_is_answered_over_http(
    server: Any, db_url: str, tmp_path: Path
) -> None:
    view = cli(db_url, tmp_path, "run", "story", "--input", '{"prompt": "a fox"}')

    async with server.client() as client:
        done = await client.post(
            f"/api/threads/{view['thread_id']}/answers", json={"answer": {"decision": "accept"}}
        )

    assert done.status_code == 200, done.text
    assert done.json()["result"]["story"] == view["pauses"][0]["context"]["draft"]


async def test_a_thread_started_over_http_is_answered_from_the_cli(
    server: Any, db_url: str, tmp_path: Path
) -> None:
    async with server.client() as client:
        view = (
            await client.post("/api/threads", json={"workflow": "story", "input": {"prompt": "x"}})
        ).json()

        done = cli(db_url, tmp_path, "answer", view["thread_id"], '{"decision": "accept"}')
        seen = (await client.get(f"/api/threads/{view['thread_id']}")).json()

    assert done["status"] == "completed"
    assert seen["status"] == "completed"


def test_serve_starts_the_server_and_serves_the_page(db_url: str, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PAUSEPOINT_DATABASE_URL": db_url, "PAUSEPOINT_API_KEYS": ""}
    process = subprocess.Popen(
        [sys.executable, "-m", "pausepoint", "serve", "--port", str(port)],
        env=env,
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

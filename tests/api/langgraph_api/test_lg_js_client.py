"""The LangGraph API through the JS client, `@langchain/langgraph-sdk` from npm (js/, pinned
in js/package-lock.json): `node js/client.mjs URL` creates a thread on the team app, streams the
expense graph to its typed interrupt, reads the state and resumes it, as the SDK's docs write
it. What it saw must be what Pausepoint's own API says of the same thread."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

JS = Path(__file__).resolve().parent / "js"
ASK = "Approve 120.50 EUR for train tickets by ana?"


def run_js_client(url: str) -> dict[str, Any]:
    """Run js/client.mjs against `url` and return the one JSON line it prints."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH: run `make test` (it installs the JS client with npm)")
    if not (JS / "node_modules" / "@langchain" / "langgraph-sdk").is_dir():
        pytest.skip(
            f"{JS}/node_modules is missing: run `make test` (it installs the JS client with npm)"
        )
    done = subprocess.run(
        [node, "client.mjs", url], cwd=JS, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, f"client.mjs failed:\n{done.stderr}"
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_js_client_streams_to_the_interrupt_and_resumes_the_thread_every_door_sees(
    team_server: Any,
) -> None:
    seen = run_js_client(team_server.url)
    with httpx.Client(base_url=team_server.url) as http:
        thread = http.get(f"/api/threads/{seen['thread_id']}").json()
        decisions = http.get(f"/api/threads/{seen['thread_id']}/decisions").json()["decisions"]

    events = seen["events"]
    assert events[0] == "metadata" and {"values", "updates"} <= set(events)
    [interrupt] = seen["interrupt"]
    assert interrupt["value"] == ASK
    assert "approved" in interrupt["response_schema"]["required"]
    assert seen["state_interrupts"][0]["id"] == interrupt["id"]
    assert seen["resumed"]["paid"] == 120.5
    assert thread["status"] == "completed"
    [decision] = decisions
    assert decision["answer"]["approved"] is True
    assert decision["interrupt_id"] == interrupt["id"]

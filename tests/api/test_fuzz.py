"""Fuzzing the HTTP API: schemathesis generates requests from the server's own /openapi.json
(ours and the A2A door's) and fails on any 5xx, and on any status, content type or body that
the schema does not document for that operation.

The run is bounded and reproducible: PAUSEPOINT_FUZZ_EXAMPLES cases per operation and phase
(default 25), seed PAUSEPOINT_FUZZ_SEED (default 1). A longer hunt:

    PAUSEPOINT_FUZZ_EXAMPLES=200 PAUSEPOINT_FUZZ_SEED=7 .venv/bin/pytest tests/api/test_fuzz.py

Settings that do not change between runs are in schemathesis.toml beside this file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

EXAMPLES = int(os.environ.get("PAUSEPOINT_FUZZ_EXAMPLES", "25"))
SEED = int(os.environ.get("PAUSEPOINT_FUZZ_SEED", "1"))
CONFIG = Path(__file__).with_name("schemathesis.toml")
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
DEADLINE = 900  # seconds: a stuck run fails instead of hanging the suite


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """One database: the fuzzer aims at the HTTP layer, which is the same on both stores."""
    return f"sqlite:///{tmp_path / 'pausepoint.db'}"


def paused_thread(url: str) -> str:
    """A new thread of the chat stand-in, paused on its question; its id."""
    body = {"workflow": "orchestrator", "input": {"prompt": "fuzz me"}}
    response = httpx.post(f"{url}/api/threads", json=body, timeout=60)
    assert response.status_code == 201 and response.json()["status"] == "waiting", response.text
    thread_id: str = response.json()["thread_id"]
    return thread_id


def fuzz(url: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    schemathesis = Path(sys.executable).with_name("schemathesis")
    command = [
        *(str(schemathesis), "--config-file", str(CONFIG), "--no-color", "run"),
        f"{url}/openapi.json",
        *("--checks", ",".join(CHECKS)),
        *("--max-examples", str(EXAMPLES), "--seed", str(SEED)),
    ]
    threads = {
        "PAUSEPOINT_FUZZ_THREAD": paused_thread(url),  # read and answered
        "PAUSEPOINT_FUZZ_CANCELLED": paused_thread(url),  # cancelled
    }
    return subprocess.run(
        command,
        cwd=workdir,
        env={**os.environ, **threads},
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        check=False,
    )


def test_fuzzed_requests_get_no_server_error_and_only_documented_answers(
    server: Any, tmp_path: Path
) -> None:
    result = fuzz(server.url, tmp_path)

    assert result.returncode == 0, f"schemathesis found problems:\n{result.stdout}{result.stderr}"

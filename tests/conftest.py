"""Shared fixtures: a real SQLite file in tmp_path and a ThreadService on it."""

from __future__ import annotations

import os

# The suite runs with LangGraph's strict msgpack mode: a type missing from our serializer
# allow-list fails loudly instead of being rebuilt with a warning. It is read at import time.
os.environ.setdefault("LANGGRAPH_STRICT_MSGPACK", "true")

import json
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'pausepoint.db'}"


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, model="offline", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[ThreadService]:
    async with ThreadService.open(settings, chat_model=None) as svc:
        yield svc


class CliResult:
    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        self.code = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def json(self) -> Any:
        return json.loads(self.stdout)


def cli_env(db_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAUSEPOINT_")}
    env.update(PAUSEPOINT_DATABASE_URL=db_url, PAUSEPOINT_MODEL="offline", COLUMNS="200")
    env.update(extra)
    return env


@pytest.fixture
def run_cli(db_url: str, tmp_path: Path) -> Callable[..., CliResult]:
    """Run `pausepoint ARGS` in a new process on the test's database."""

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> CliResult:
        proc = subprocess.run(
            [sys.executable, "-m", "pausepoint", *args],
            cwd=tmp_path,
            env=env or cli_env(db_url),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return CliResult(proc)

    return run

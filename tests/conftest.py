"""Shared fixtures: a ThreadService on a real database, SQLite and PostgreSQL.

`db_url` is parametrised: each test runs on a SQLite file in tmp_path and on a fresh Postgres
database of its own (created and dropped around it), the latter skipped with a visible reason
when PAUSEPOINT_TEST_POSTGRES_URL is unset.
"""

from __future__ import annotations

import os

# The suite runs with LangGraph's strict msgpack mode: a type missing from our serializer
# allow-list fails loudly instead of being rebuilt with a warning. It is read at import time.
os.environ.setdefault("LANGGRAPH_STRICT_MSGPACK", "true")

import json
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings

POSTGRES_URL = os.environ.get("PAUSEPOINT_TEST_POSTGRES_URL")
NO_POSTGRES = "PAUSEPOINT_TEST_POSTGRES_URL is not set: no PostgreSQL server to test against"


@contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the test server (pp_<random>), dropped afterwards."""
    name = f"pp_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh Postgres database for this test; skipped (with the reason) without a server."""
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    with fresh_postgres_database(POSTGRES_URL) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Every test that uses the database runs on a SQLite file and on a fresh Postgres db."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'pausepoint.db'}"
        return
    yield request.getfixturevalue("postgres_url")


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

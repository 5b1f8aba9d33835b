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

import asyncio
import json
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
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


LangGraphDev = Callable[[Path, str], AbstractAsyncContextManager[tuple[str, str]]]
LANGGRAPH_DEV_STARTUP_SECONDS = 120.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def langgraph_dev_in(tmp_path: Path) -> LangGraphDev:
    """Start `langgraph dev` in a folder holding a langgraph.json, on a free loopback port;
    the context yields (API URL, assistant id of `graph_id`) once that graph is served, and
    stops the server (its whole process group) on leaving. Its log stays in tmp_path, outside
    the watched folder, and ends up in the failure message when it does not come up."""

    @asynccontextmanager
    async def start(folder: Path, graph_id: str) -> AsyncIterator[tuple[str, str]]:
        port = str(_free_port())
        url = f"http://127.0.0.1:{port}"
        log_path = tmp_path / f"langgraph-dev-{graph_id}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PAUSEPOINT_")}
        env.update(
            LANGSMITH_TRACING="false",
            LANGCHAIN_TRACING_V2="false",
            LANGGRAPH_CLI_NO_ANALYTICS="1",
            NO_COLOR="1",
        )
        cli = Path(sys.executable).with_name("langgraph")
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [
                    str(cli),
                    "dev",
                    "--no-browser",
                    "--no-reload",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    port,
                ],
                cwd=folder,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            assistant = None
            deadline = time.monotonic() + LANGGRAPH_DEV_STARTUP_SECONDS
            async with httpx.AsyncClient(base_url=url, timeout=5) as client:
                while assistant is None:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(
                            f"langgraph dev did not serve {graph_id!r}:\n"
                            + log_path.read_text(errors="replace")[-3000:]
                        )
                    try:
                        found = await client.post("/assistants/search", json={"graph_id": graph_id})
                        if found.status_code == 200 and found.json():
                            assistant = str(found.json()[0]["assistant_id"])
                    except httpx.HTTPError:
                        pass
                    if assistant is None:
                        await asyncio.sleep(0.2)
            yield url, assistant
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    return start

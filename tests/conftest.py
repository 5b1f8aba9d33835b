"""Shared fixtures: a ThreadService on a real database (SQLite and PostgreSQL), the `pausepoint`
command run as a process, servers started in the background (`langgraph dev`), and the small
pauses and workflows that tests in several folders build.

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
import faulthandler
import json
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import (
    AbstractAsyncContextManager,
    asynccontextmanager,
    contextmanager,
    suppress,
)
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel

from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings
from pausepoint.workflows import Action, BuildContext, OnTimeout, Pause, PauseRequest, Workflow, ask

#: How long the process may take to exit once the tests are done.
EXIT_GRACE_SECONDS = 120


def pytest_unconfigure(config: pytest.Config) -> None:
    """A thread left running (an unclosed aiosqlite connection, say) would keep the finished
    run from exiting until CI's time is up: past the grace, print every thread's stack and
    exit with a failure instead."""
    faulthandler.dump_traceback_later(EXIT_GRACE_SECONDS, exit=True)


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


# The `pausepoint` command as a process


class CliResult(subprocess.CompletedProcess[str]):
    """A finished `pausepoint` process: `code` is its exit code, `json()` its stdout parsed."""

    @property
    def code(self) -> int:
        return self.returncode

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture
def cli_env(db_url: str) -> dict[str, str]:
    """The environment of a `pausepoint` process on the test's database, with the offline model
    and none of this process's own PAUSEPOINT_ settings; wide and UTF-8, so output is whole."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAUSEPOINT_")}
    env.update(
        PAUSEPOINT_DATABASE_URL=db_url,
        PAUSEPOINT_MODEL="offline",
        COLUMNS="200",
        PYTHONIOENCODING="utf-8",
    )
    return env


@pytest.fixture
def run_cli(cli_env: dict[str, str], tmp_path: Path) -> Callable[..., CliResult]:
    """`run_cli(*args, stdin="", env=None)`: run `pausepoint ARGS` to its end in a new process in
    tmp_path, with `stdin` typed in and `env` added to `cli_env`."""

    def run(
        *args: str, stdin: str = "", env: Mapping[str, str] | None = None, timeout: float = 180
    ) -> CliResult:
        proc = subprocess.run(
            [sys.executable, "-m", "pausepoint", *args],
            input=stdin,
            cwd=tmp_path,
            env={**cli_env, **(env or {})},
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout,
            check=False,
        )
        return CliResult(proc.args, proc.returncode, proc.stdout, proc.stderr)

    return run


# Servers in the background: `langgraph dev`, `pausepoint serve`


STARTUP_SECONDS = 120.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    """`free_port()`: a TCP port on 127.0.0.1 that nothing listens on now."""
    return _free_port


Probe = Callable[[httpx.AsyncClient], Awaitable[Any]]
Background = Callable[..., AbstractAsyncContextManager[tuple[str, Any]]]


@pytest.fixture
def background(tmp_path: Path) -> Background:
    """`async with background(name, command, cwd=, env=, ready=) as (url, found):` a server.

    Runs `command(port)` for a free loopback port, in `cwd` and its own process group, its
    output in tmp_path/NAME.log. Polls `await ready(client)` (an httpx client on the server's
    URL) until it returns something other than None: the context yields the URL and that. Fails
    the test with the end of the log if the process ends or STARTUP_SECONDS pass first; stops
    the whole group on leaving."""

    @asynccontextmanager
    async def start(
        name: str,
        command: Callable[[int], list[str]],
        *,
        cwd: Path,
        env: Mapping[str, str],
        ready: Probe,
    ) -> AsyncIterator[tuple[str, Any]]:
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        log_path = tmp_path / f"{name}.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                command(port),
                cwd=cwd,
                env=dict(env),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            found = None
            deadline = time.monotonic() + STARTUP_SECONDS
            async with httpx.AsyncClient(base_url=url, timeout=5) as client:
                while found is None:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(
                            f"{name} did not come up:\n"
                            + log_path.read_text(errors="replace")[-3000:]
                        )
                    with suppress(httpx.HTTPError):
                        found = await ready(client)
                    if found is None:
                        await asyncio.sleep(0.1)  # polling a server that is starting up
            yield url, found
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    return start


LangGraphDev = Callable[[Path, str], AbstractAsyncContextManager[tuple[str, str]]]


@pytest.fixture
def langgraph_dev_in(background: Background) -> LangGraphDev:
    """`async with langgraph_dev_in(folder, graph_id) as (url, assistant_id):` `langgraph dev`
    in a folder holding a langgraph.json, entered once it serves `graph_id`. Its log stays in
    tmp_path, outside the watched folder, and ends up in the failure message when it does not
    come up."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAUSEPOINT_")}
    env.update(
        LANGSMITH_TRACING="false",
        LANGCHAIN_TRACING_V2="false",
        LANGGRAPH_CLI_NO_ANALYTICS="1",
        NO_COLOR="1",
    )
    cli = str(Path(sys.executable).with_name("langgraph"))

    def command(port: int) -> list[str]:
        return [
            cli,
            "dev",
            "--no-browser",
            "--no-reload",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]

    def start(folder: Path, graph_id: str) -> AbstractAsyncContextManager[tuple[str, str]]:
        async def assistant(client: httpx.AsyncClient) -> str | None:
            found = await client.post("/assistants/search", json={"graph_id": graph_id})
            if found.status_code == 200 and found.json():
                return str(found.json()[0]["assistant_id"])
            return None

        return background(
            f"langgraph-dev-{graph_id}", command, cwd=folder, env=env, ready=assistant
        )

    return start


# Pauses and workflows that tests in several folders build, from the authoring surface


ReviewPause = Callable[..., Pause]


@pytest.fixture
def review_pause() -> ReviewPause:
    """`review_pause(response_schema=None)`: the story's review pause (Accept, Update with
    comments) as a door sees it, with interrupt id "i1"."""

    def make(response_schema: dict[str, Any] | None = None) -> Pause:
        return Pause(
            interrupt_id="i1",
            kind="review",
            title="Review the draft",
            actions=[
                Action(label="Accept", answer={"decision": "accept"}),
                Action(
                    label="Update with comments", answer={"decision": "update"}, fields=["comments"]
                ),
            ],
            response_schema=response_schema,
        )

    return make


class Approve(BaseModel):
    approved: bool


class ApprovalInput(BaseModel):
    on_timeout: OnTimeout | None = None


class ApprovalState(TypedDict, total=False):
    on_timeout: dict[str, Any] | None
    approved: bool


def _approval_workflow(
    on_timeout: OnTimeout | None = None, assignee: str | None = None
) -> Workflow:
    def build(ctx: BuildContext) -> StateGraph[ApprovalState, Any, Any, Any]:
        def approve(state: ApprovalState) -> dict[str, Any]:
            rule = state.get("on_timeout")
            answer: Approve = ask(
                PauseRequest(
                    kind="approval",
                    title="Approve the invoice",
                    assignee=assignee,
                    deadline=timedelta(hours=4),
                    on_timeout=OnTimeout.model_validate(rule) if rule else on_timeout,
                ),
                Approve,
            )
            return {"approved": answer.approved}

        graph = StateGraph(ApprovalState)
        graph.add_node("approve", approve)
        graph.add_edge(START, "approve")
        return graph

    return Workflow(
        name="timed",
        description="One approval of an invoice, due four hours after it is asked.",
        build=build,
        input_model=ApprovalInput,
        result=lambda values: {"approved": values.get("approved")},
    )


@pytest.fixture
def approval_workflow() -> Callable[..., Workflow]:
    """`approval_workflow(on_timeout=None, assignee=None)`: the one-step workflow `timed`, whose
    one node asks (`assignee`, else the owner) to approve an invoice ({"approved": bool}) within
    four hours; at the deadline the input's `on_timeout` applies, else `on_timeout`. Its result:
    {"approved": the answer}."""
    return _approval_workflow


class PromptInput(BaseModel):
    prompt: str


def _build_noop(ctx: BuildContext) -> StateGraph[Any, Any, Any, Any]:
    graph: StateGraph[Any, Any, Any, Any] = StateGraph(dict)
    graph.add_node("noop", lambda state: {})
    graph.add_edge(START, "noop")
    graph.add_edge("noop", END)
    return graph


@pytest.fixture
def stub_workflow() -> Callable[..., Workflow]:
    """`stub_workflow(name=, description=, tags=, examples=())`: a workflow that is only its card
    (an agent to plan with): it takes a prompt, does nothing and has no result."""

    def make(
        *, name: str, description: str, tags: tuple[str, ...], examples: tuple[str, ...] = ()
    ) -> Workflow:
        return Workflow(
            name=name,
            description=description,
            build=_build_noop,
            input_model=PromptInput,
            result=lambda values: None,
            tags=tags,
            examples=examples,
        )

    return make


class Clock:
    """The wall clock, injected: tests move `now` instead of sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    """A clock standing at 2026-01-05 09:00 UTC until the test moves it."""
    return Clock()

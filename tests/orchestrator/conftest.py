"""Helpers for orchestrator tests: registries with extra agents, the CLI as a subprocess."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.runnables import RunnableConfig

from pausepoint.agents.base import Agent, AgentError, AgentOutput, AgentRequest
from pausepoint.agents.cards import AgentCard, AgentSkill
from pausepoint.orchestrator.workflow import orchestrator_workflow
from pausepoint.workflows.registry import WorkflowRegistry
from pausepoint.workflows.story import STORY


class RendezvousAgent:
    """Records when it starts, then waits (up to a generous timeout) for its partner to start.

    Two of these finish only if they run at the same time: run one after the other, the
    first one waits in vain and fails.
    """

    def __init__(self, name: str, mine: asyncio.Event, partner: asyncio.Event) -> None:
        self._card = AgentCard(
            name=name,
            description=f"The {name} probe",
            skills=(AgentSkill(id=name, name=name, tags=(name, "probe")),),
        )
        self._mine, self._partner = mine, partner
        self.started_at: datetime | None = None

    @property
    def card(self) -> AgentCard:
        return self._card

    async def arun(self, request: AgentRequest, config: RunnableConfig) -> AgentOutput:
        self.started_at = datetime.now(UTC)
        self._mine.set()
        try:
            await asyncio.wait_for(self._partner.wait(), timeout=60)
        except TimeoutError as exc:
            raise AgentError(f"{self._card.name} ran alone") from exc
        return AgentOutput(text=f"{self._card.name} met its partner")


class CountingAgent:
    """Counts its runs: a side effect that must happen once per task, resumes or not."""

    def __init__(self) -> None:
        self._card = AgentCard(
            name="tally",
            description="Keeps a tally",
            skills=(AgentSkill(id="tally", name="tally", tags=("tally", "count")),),
        )
        self.runs = 0

    @property
    def card(self) -> AgentCard:
        return self._card

    async def arun(self, request: AgentRequest, config: RunnableConfig) -> AgentOutput:
        self.runs += 1
        return AgentOutput(text=f"tally {self.runs}")


@pytest.fixture
def counting_agent() -> CountingAgent:
    return CountingAgent()


@pytest.fixture
def rendezvous_pair() -> Callable[[], list[RendezvousAgent]]:
    def make() -> list[RendezvousAgent]:
        a, b = asyncio.Event(), asyncio.Event()
        return [RendezvousAgent("alpha", a, b), RendezvousAgent("bravo", b, a)]

    return make


@pytest.fixture
def registry_with() -> Callable[[Sequence[Agent]], WorkflowRegistry]:
    """A registry of the story workflow and an orchestrator that also knows `agents`."""

    def make(agents: Sequence[Agent]) -> WorkflowRegistry:
        registry = WorkflowRegistry({STORY.name: STORY})
        registry.register(orchestrator_workflow(registry, extra_agents=lambda: list(agents)))
        return registry

    return make


@pytest.fixture
def run_cli(tmp_path: Path, db_url: str) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `pausepoint ARGS` in a new process on the test's database, with `stdin` typed in."""

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "PAUSEPOINT_DATABASE_URL": db_url,
            "PAUSEPOINT_MODEL": "offline",
            "LANGGRAPH_STRICT_MSGPACK": "true",
            "PYTHONIOENCODING": "utf-8",
            "COLUMNS": "200",
        }
        return subprocess.run(
            [sys.executable, "-m", "pausepoint", *args],
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            cwd=tmp_path,
            timeout=180,
            check=False,
        )

    return run


ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def studio(langgraph_dev_in: Any) -> AsyncIterator[str]:
    """`langgraph dev` on the repository's langgraph.json; yield its API URL."""
    if not (ROOT / ".env").exists():
        pytest.skip("langgraph.json names .env; run `make setup` (it copies .env.example)")
    async with langgraph_dev_in(ROOT, "orchestrator") as (url, _):
        yield url


@pytest.fixture
async def server_url(tmp_path: Path, db_url: str) -> AsyncIterator[str]:
    """`pausepoint serve` on a free loopback port and the test's database; yield its URL."""
    pytest.importorskip("pausepoint.api", reason="the HTTP door (pausepoint.api) is not here")
    port = _free_port()
    env = {
        **os.environ,
        "PAUSEPOINT_DATABASE_URL": db_url,
        "PAUSEPOINT_MODEL": "offline",
        "LANGGRAPH_STRICT_MSGPACK": "true",
    }
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pausepoint",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url) as client:
            for _ in range(1200):  # up to 120 s on a loaded machine
                assert proc.poll() is None, log_path.read_text()
                try:
                    if (await client.get("/api/workflows")).is_success:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise AssertionError(log_path.read_text())
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)

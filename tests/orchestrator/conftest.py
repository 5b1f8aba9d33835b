"""Helpers for orchestrator tests: probe agents, registries that also know them, a spec
folder with a weather workflow, and a live HTTP server whose chat workflow is the real
orchestrator over the bundled workflows."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from langchain_core.runnables import RunnableConfig

from pausepoint.agents.base import Agent, AgentError, AgentOutput, AgentRequest
from pausepoint.agents.cards import AgentCard, AgentSkill
from pausepoint.api.app import create_app
from pausepoint.orchestrator.workflow import orchestrator_workflow
from pausepoint.service.catalog import bundled
from pausepoint.settings import Settings
from pausepoint.workflows.registry import WorkflowRegistry
from pausepoint.workflows.story import STORY

SERVER_TIMEOUT = 60.0

WEATHER_SPEC = """\
name: weather
description: Reports the weather forecast for a city.
tags: [weather, forecast]
inputs:
  city:
    description: The city to forecast.
steps:
  - id: forecast
    agent: research.lookup
    input: "Weather forecast for {{ city }}"
"""


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
def weather_settings(settings: Settings, tmp_path: Path) -> Settings:
    """`settings` with a spec folder holding one more workflow, `weather` (a forecast)."""
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "weather.yaml").write_text(WEATHER_SPEC, encoding="utf-8")
    return settings.model_copy(update={"workflows_dir": folder})


@pytest.fixture
def chat_server(weather_settings: Settings) -> Iterator[str]:
    """The URL of a real open server (uvicorn on a free 127.0.0.1 port, in a thread) over the
    bundled workflows and the weather spec: its chat workflow is the real orchestrator."""
    app = create_app(
        weather_settings,
        workflows=bundled(weather_settings),
        chat_model=None,
        sweep_interval=None,
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=5)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)  # waiting for a server thread to bind and start
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(SERVER_TIMEOUT)
        sock.close()

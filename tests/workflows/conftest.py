"""Helpers for DAG workflow tests: recording agents and a service with custom workflows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings
from pausepoint.workflows.dag import StepRequest, WorkflowSpec, dag_workflow
from pausepoint.workflows.registry import WorkflowRegistry


class Journal:
    """What the agents did, in order: ("start"|"finish", step) pairs and call counts."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self.calls: dict[str, int] = {}
        self.started: dict[str, asyncio.Event] = {}

    def event(self, step: str) -> asyncio.Event:
        return self.started.setdefault(step, asyncio.Event())

    def index(self, kind: str, step: str) -> int:
        return self.events.index((kind, step))


class RecordingAgent:
    """Records start/finish; `before_finish` (if any) is awaited before it returns."""

    def __init__(
        self,
        journal: Journal,
        before_finish: Callable[[StepRequest], Awaitable[None]] | None = None,
        fail_times: int = 0,
    ) -> None:
        self.journal = journal
        self.before_finish = before_finish
        self.fail_times = fail_times

    async def run(self, request: StepRequest) -> Any:
        journal = self.journal
        journal.calls[request.step] = journal.calls.get(request.step, 0) + 1
        journal.events.append(("start", request.step))
        journal.event(request.step).set()
        if journal.calls[request.step] <= self.fail_times:
            raise RuntimeError(f"{request.step} broke (call {journal.calls[request.step]})")
        if self.before_finish is not None:
            await self.before_finish(request)
        journal.events.append(("finish", request.step))
        return {"step": request.step, "input": request.input}


class FakeClock:
    """Advances one second per reading; `sleeps` records every backoff asked for."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)
        self.sleeps: list[float] = []

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


@pytest.fixture
def journal() -> Journal:
    return Journal()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


ServiceFactory = Callable[[WorkflowSpec, dict[str, Any]], Any]


@pytest.fixture
def dag_service(
    settings: Settings, clock: FakeClock
) -> Callable[[WorkflowSpec, dict[str, Any]], Any]:
    """`async with dag_service(spec, agents) as service:` a service running that one spec."""

    @asynccontextmanager
    async def open_service(
        spec: WorkflowSpec, agents: dict[str, Any], recover: bool = True
    ) -> AsyncIterator[ThreadService]:
        workflow = dag_workflow(spec, agents, clock=clock, sleep=clock.sleep)
        registry = WorkflowRegistry({workflow.name: workflow})
        async with ThreadService.open(
            settings, workflows=registry, chat_model=None, recover=recover
        ) as service:
            yield service

    return open_service


@pytest.fixture
def make_agent(journal: Journal) -> Callable[..., RecordingAgent]:
    """`make_agent(before_finish=None, fail_times=0)`: an agent writing to `journal`."""

    def make(
        before_finish: Callable[[StepRequest], Awaitable[None]] | None = None, fail_times: int = 0
    ) -> RecordingAgent:
        return RecordingAgent(journal, before_finish, fail_times)

    return make

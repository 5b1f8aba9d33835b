"""A2A test helpers: real Pausepoint servers (uvicorn subprocesses) and the real a2a-sdk client."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from a2a.client import A2ACardResolver, Client, ClientConfig, ClientFactory
from a2a.helpers import new_data_part, new_text_part
from a2a.types.a2a_pb2 import (
    AgentCard,
    Message,
    Part,
    Role,
    SendMessageRequest,
    StreamResponse,
    Task,
)
from a2a.utils.constants import TransportProtocol

from pausepoint.agents.a2a_parts import data_of, text_of
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings

SERVE = Path(__file__).with_name("serve.py")
STARTUP_SECONDS = 90.0


class Server:
    """`python tests/a2a/serve.py` on `port`; restartable on the same database."""

    def __init__(self, db: Path, port: int, keys: str | None = None) -> None:
        self.db = db
        self.port = port
        self.keys = keys
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        args = [sys.executable, str(SERVE), str(self.db), str(self.port)]
        self._proc = subprocess.Popen([*args, *([self.keys] if self.keys else [])])
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"server exited with {self._proc.returncode}")
            try:
                if (
                    httpx.get(self.url + "/.well-known/agent-card.json", timeout=5).status_code
                    == 200
                ):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def make_server(tmp_path: Path, free_port: Callable[[], int]) -> Iterator[Callable[..., Server]]:
    """`make_server(name, keys=None)`: a started server on its own database, stopped after."""
    servers: list[Server] = []

    def make(name: str = "server", keys: str | None = None) -> Server:
        srv = Server(tmp_path / f"{name}.db", free_port(), keys)
        servers.append(srv)
        srv.start()
        return srv

    yield make
    for srv in servers:
        srv.stop()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, free_port: Callable[[], int]
) -> Iterator[Server]:
    """One server shared by a module's tests (each test starts its own threads on it).

    Tests that restart a server or count its threads use `make_server` instead.
    """
    srv = Server(tmp_path_factory.mktemp("shared") / "server.db", free_port())
    srv.start()
    yield srv
    srv.stop()


def settings_for(srv: Server) -> Settings:
    return Settings(database_url=f"sqlite:///{srv.db}", model="offline", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def service_on() -> Callable[[Server], Any]:
    """`async with service_on(server) as svc`: a ThreadService on a server's database."""
    return lambda srv: ThreadService.open(settings_for(srv), chat_model=None, recover=False)


@pytest.fixture
async def server_service(server: Server) -> AsyncIterator[ThreadService]:
    """A second ThreadService on the server's database: to look at threads and decisions."""
    async with ThreadService.open(settings_for(server), chat_model=None, recover=False) as svc:
        yield svc


LG_AGENT = Path(__file__).with_name("lg_agent")


@pytest.fixture
async def langgraph_dev(tmp_path: Path, langgraph_dev_in: Any) -> AsyncIterator[str]:
    """`langgraph dev` serving lg_agent/trip.py; yields the trip assistant's A2A URL."""
    work = tmp_path / "lg"
    shutil.copytree(LG_AGENT, work)
    async with langgraph_dev_in(work, "trip") as (url, assistant):
        yield f"{url}/a2a/{assistant}"


class A2A:
    """The real a2a-sdk client, non-streaming by default, with small helpers for the tests."""

    def __init__(self, client: Client, http: httpx.AsyncClient) -> None:
        self.client = client
        self._http = http

    @classmethod
    async def connect(
        cls,
        url: str,
        *,
        bindings: list[str] | None = None,
        streaming: bool = False,
        headers: dict[str, str] | None = None,
        card_filter: Any = None,
    ) -> A2A:
        http = httpx.AsyncClient(timeout=120, headers=headers or {})
        card: AgentCard = await A2ACardResolver(http, url).get_agent_card()
        if card_filter is not None:
            kept = [i for i in card.supported_interfaces if card_filter(i)]
            del card.supported_interfaces[:]
            card.supported_interfaces.extend(kept)
        config = ClientConfig(
            streaming=streaming,
            httpx_client=http,
            supported_protocol_bindings=bindings or [TransportProtocol.JSONRPC],
        )
        return cls(ClientFactory(config).create(card), http)

    async def close(self) -> None:
        await self.client.close()
        await self._http.aclose()

    async def events(
        self,
        *,
        text: str | None = None,
        data: Any = None,
        task: Task | None = None,
        task_id: str | None = None,
        context_id: str | None = None,
    ) -> list[StreamResponse]:
        parts: list[Part] = []
        if text is not None:
            parts.append(new_text_part(text))
        if data is not None:
            parts.append(new_data_part(data))
        message = Message(
            role=Role.ROLE_USER,
            message_id=f"m-{time.monotonic_ns()}",
            parts=parts,
            task_id=task_id or (task.id if task else ""),
            context_id=context_id or (task.context_id if task else ""),
        )
        return [r async for r in self.client.send_message(SendMessageRequest(message=message))]

    async def send(self, **kw: Any) -> Task:
        (response,) = await self.events(**kw)
        assert response.HasField("task"), response
        return response.task

    @staticmethod
    def pauses(task: Task) -> list[dict[str, Any]]:
        """The Pauses the task's status message carries as data parts."""
        parts = task.status.message.parts
        return [d for d in data_of(parts) if isinstance(d, dict) and "interrupt_id" in d]

    @staticmethod
    def data(task: Task) -> list[Any]:
        """The data parts of the task's status message."""
        return data_of(task.status.message.parts)

    @staticmethod
    def text(task: Task) -> str:
        return text_of(task.status.message.parts)

    @staticmethod
    def thread_id(task: Task) -> str:
        return str(task.status.message.metadata["thread_id"])


Connect = Callable[..., Awaitable[A2A]]

STORY = {"workflow": "story", "input": {"prompt": "a lighthouse keeper who finds a map"}}


@pytest.fixture
def story() -> dict[str, Any]:
    """A new message's data part that starts the story workflow."""
    return dict(STORY)


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    """`await connect(url, ...)`: an A2A client, closed after the test."""
    clients: list[A2A] = []

    async def make(url: str, **kw: Any) -> A2A:
        client = await A2A.connect(url, **kw)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()

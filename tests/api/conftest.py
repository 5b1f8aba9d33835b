"""Fixtures for the HTTP door: a real uvicorn server on a free loopback port, API keys,
and a small chat workflow registered under the chat workflow's name."""

from __future__ import annotations

import asyncio
import json
import operator
import shutil
import socket
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, TypedDict

import httpx
import pytest
import uvicorn
from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel, Field
from websockets.asyncio.client import ClientConnection, connect

from pausepoint.api import create_app
from pausepoint.api.auth import hash_key
from pausepoint.domain import OnTimeout, PauseRequest
from pausepoint.forms import ask
from pausepoint.service.catalog import bundled, use_config
from pausepoint.settings import Settings
from pausepoint.workflows.registry import BuildContext, Workflow, WorkflowRegistry

KEYS = {"ann": "pp_test_key_for_ann", "bob": "pp_test_key_for_bob"}
TIMEOUT = 60.0


# A stand-in for the orchestrator: asks one question, then answers.


class ChatInput(BaseModel):
    prompt: str = Field(min_length=1)


class Clarification(BaseModel):
    text: str = Field(min_length=1, description="Your answer.")


class ChatState(TypedDict, total=False):
    prompt: str
    details: Annotated[list[str], operator.add]
    final_response: str


def build_chat(ctx: BuildContext) -> StateGraph[ChatState, Any, Any, Any]:
    def clarify(state: ChatState) -> dict[str, Any]:
        answer: Clarification = ask(
            PauseRequest(kind="question", title="What kind of data is it?", step="clarify"),
            Clarification,
        )
        return {"details": [answer.text]}

    def respond(state: ChatState) -> dict[str, Any]:
        return {"final_response": f"Analysed {state['details'][-1]} for: {state['prompt']}"}

    graph = StateGraph(ChatState)
    graph.add_node("clarify", clarify)
    graph.add_node("respond", respond)
    graph.add_edge(START, "clarify")
    graph.add_edge("clarify", "respond")
    graph.add_edge("respond", END)
    return graph


def chat_result(values: Mapping[str, Any]) -> Any:
    if "final_response" not in values:
        return None
    return {"final_response": values["final_response"], "task_agent_pairs": []}


CHAT = Workflow(
    name="orchestrator",
    description="Test stand-in: asks what the data is, then answers.",
    build=build_chat,
    input_model=ChatInput,
    result=chat_result,
    state_types=(Clarification,),
)


def build_timed(ctx: BuildContext) -> StateGraph[ChatState, Any, Any, Any]:
    def ask_soon(state: ChatState) -> dict[str, Any]:
        answer: Clarification = ask(
            PauseRequest(
                title="Answer soon",
                deadline=timedelta(milliseconds=10),
                on_timeout=OnTimeout(action="answer", answer={"text": "nobody answered"}),
            ),
            Clarification,
        )
        return {"final_response": answer.text}

    graph = StateGraph(ChatState)
    graph.add_node("ask_soon", ask_soon)
    graph.add_edge(START, "ask_soon")
    graph.add_edge("ask_soon", END)
    return graph


TIMED = Workflow(
    name="timed",
    description="Test: one question whose deadline passes at once; the default answer wins.",
    build=build_timed,
    input_model=ChatInput,
    result=chat_result,
    state_types=(Clarification,),
)


# Two workflows for the page's forms and results: a question of every kind of field, and a
# result that is the text given.


class Part(BaseModel):
    name: str = Field(min_length=1)
    count: int


class Details(BaseModel):
    summary: str = Field(description="One line.")
    notes: str = Field(default="", json_schema_extra={"format": "markdown"})
    long_note: str = Field(default="", max_length=500)
    due: date
    meet_at: datetime | None = None
    contact: str = Field(json_schema_extra={"format": "email"})
    link: str = Field(default="", json_schema_extra={"format": "uri"})
    tags: list[str] = ["urgent", "q3"]
    scores: list[int] = Field(default_factory=list)
    colours: list[Literal["red", "green", "blue"]] = Field(default_factory=list)
    parts: list[Part] = Field(default_factory=list)
    anything: list[Any] = Field(default_factory=list)


class DetailsState(TypedDict, total=False):
    prompt: str
    details: dict[str, Any]


def build_details(ctx: BuildContext) -> StateGraph[DetailsState, Any, Any, Any]:
    def details(state: DetailsState) -> dict[str, Any]:
        answer: Details = ask(PauseRequest(title="Fill in the details", step="details"), Details)
        return {"details": answer.model_dump(mode="json")}

    graph = StateGraph(DetailsState)
    graph.add_node("details", details)
    graph.add_edge(START, "details")
    graph.add_edge("details", END)
    return graph


DETAILS = Workflow(
    name="details",
    description="Test: one question with a field of every kind; its result is the answer.",
    build=build_details,
    input_model=ChatInput,
    result=lambda values: values.get("details"),
    state_types=(Details, Part),
)


class EchoInput(BaseModel):
    text: str = Field(min_length=1, json_schema_extra={"format": "markdown"})


class EchoState(TypedDict, total=False):
    text: str


def build_echo(ctx: BuildContext) -> StateGraph[EchoState, Any, Any, Any]:
    graph = StateGraph(EchoState)
    graph.add_node("echo", lambda state: {})
    graph.add_edge(START, "echo")
    graph.add_edge("echo", END)
    return graph


ECHO = Workflow(
    name="echo",
    description="Test: completes at once; its result is the text given.",
    build=build_echo,
    input_model=EchoInput,
    result=lambda values: values.get("text"),
)


@pytest.fixture
def form_registry() -> WorkflowRegistry:
    """The bundled workflows, the chat stand-in, `details` (a question of every kind of field;
    its result is the answer) and `echo` (its result is the input's text)."""
    workflows = bundled()
    for workflow in (CHAT, DETAILS, ECHO):
        workflows.register(workflow)
    return workflows


@pytest.fixture
def registry() -> WorkflowRegistry:
    workflows = bundled()
    for workflow in (CHAT, TIMED):
        workflows.register(workflow)
    return workflows


#: A team graph that takes a while (tests/service/background_app.py): `check` reports
#: progress for BACKGROUND_APP_CHECK_SECONDS, `draft` streams a letter, `ask` pauses, `send`.
BACKGROUND_APP = Path(__file__).resolve().parents[1] / "service" / "background_app.py"


@pytest.fixture
def with_claims(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[float], WorkflowRegistry]:
    """`with_claims(check_seconds)`: the bundled workflows and the background app's `claim`,
    served from its own langgraph.json, its `check` taking `check_seconds`."""

    def registry(check_seconds: float) -> WorkflowRegistry:
        folder = tmp_path / "claims"
        folder.mkdir()
        shutil.copy(BACKGROUND_APP, folder / "claims.py")
        graphs = {"graphs": {"claim": "./claims.py:graph"}}
        (folder / "langgraph.json").write_text(json.dumps(graphs))
        monkeypatch.setenv("BACKGROUND_APP_CHECK_SECONDS", str(check_seconds))
        return bundled(use_config(settings.model_copy(update={"workflows_dir": None}), folder))

    return registry


@pytest.fixture
def api_keys() -> dict[str, str]:
    """The raw keys of the keyed server's users."""
    return dict(KEYS)


@pytest.fixture
def keyed_settings(settings: Settings) -> Settings:
    line = ",".join(f"{user}:{hash_key(key)}" for user, key in KEYS.items())
    return settings.model_copy(update={"api_keys": line})


# A real server


@dataclass
class LiveServer:
    url: str

    def client(self, user: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {KEYS[user]}"} if user else {}
        return httpx.AsyncClient(base_url=self.url, headers=headers, timeout=TIMEOUT)

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/ws/chat"


def run_server(app: Any) -> Iterator[LiveServer]:
    """Serve `app` with uvicorn in a thread on a free 127.0.0.1 port until the test ends."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", lifespan="on", timeout_graceful_shutdown=5, ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(TIMEOUT)
        sock.close()


@pytest.fixture
def server(settings: Settings, registry: WorkflowRegistry) -> Iterator[LiveServer]:
    """An open server (no keys): every caller is the user `local`."""
    app = create_app(settings, workflows=registry, chat_model=None, sweep_interval=0.1)
    yield from run_server(app)


@pytest.fixture
def second_server(
    settings: Settings, registry: WorkflowRegistry, server: LiveServer
) -> Iterator[LiveServer]:
    """Another open server on the same workflows and database as `server`."""
    app = create_app(settings, workflows=registry, chat_model=None, sweep_interval=0.1)
    yield from run_server(app)


@pytest.fixture
def bundled_server(settings: Settings) -> Iterator[LiveServer]:
    """An open server with the bundled workflows only (the real, offline orchestrator)."""
    yield from run_server(create_app(settings, chat_model=None, sweep_interval=0.1))


@pytest.fixture
def keyed_server(keyed_settings: Settings, registry: WorkflowRegistry) -> Iterator[LiveServer]:
    """A server with API keys for ann and bob."""
    yield from run_server(create_app(keyed_settings, workflows=registry, chat_model=None))


#: A team's LangGraph project (tests/workflows/team_app): what `pausepoint serve` and
#: `langgraph dev` are pointed at alike.
TEAM_APP = Path(__file__).resolve().parents[1] / "workflows" / "team_app"


@pytest.fixture
def team_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings serving the team app from its langgraph.json."""
    monkeypatch.setenv("TEAM_APP_CURRENCY", "EUR")
    return use_config(settings.model_copy(update={"workflows_dir": None}), TEAM_APP)


@pytest.fixture
def team_server(team_settings: Settings) -> Iterator[LiveServer]:
    """An open server on the team app: every caller is the user `local`."""
    app = create_app(team_settings, workflows=bundled(team_settings), chat_model=None)
    yield from run_server(app)


@pytest.fixture
def second_team_server(team_settings: Settings, team_server: LiveServer) -> Iterator[LiveServer]:
    """Another server on the team app and the same database as `team_server`."""
    app = create_app(team_settings, workflows=bundled(team_settings), chat_model=None)
    yield from run_server(app)


@pytest.fixture
def keyed_team_server(team_settings: Settings) -> Iterator[LiveServer]:
    """A server on the team app with API keys for ann and bob."""
    line = ",".join(f"{user}:{hash_key(key)}" for user, key in KEYS.items())
    keyed = team_settings.model_copy(update={"api_keys": line})
    yield from run_server(create_app(keyed, workflows=bundled(keyed), chat_model=None))


# Push clients: SSE over httpx, WebSocket over websockets


Predicate = Callable[[dict[str, Any]], bool]


class Messages:
    """Reads JSON messages from a push channel; `until` collects them up to a match."""

    def __init__(self, receive: Callable[[], Awaitable[dict[str, Any]]]) -> None:
        self._receive = receive
        self.seen: list[dict[str, Any]] = []

    async def until(self, predicate: Predicate) -> list[dict[str, Any]]:
        start = len(self.seen)
        async with asyncio.timeout(TIMEOUT):
            while True:
                message = await self._receive()
                self.seen.append(message)
                if predicate(message):
                    return self.seen[start:]


class Socket(Messages):
    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

        async def receive() -> dict[str, Any]:
            data: dict[str, Any] = json.loads(await connection.recv())
            return data

        super().__init__(receive)

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))


async def _sse_events(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    data: list[str] = []
    async for line in response.aiter_lines():
        if line.startswith("data:"):
            data.append(line[5:].strip())
        elif line.startswith(": subscribed"):
            yield {"type": "subscribed"}
        elif not line and data:
            yield json.loads("\n".join(data))
            data = []


@asynccontextmanager
async def subscribed(live: LiveServer, user: str | None = None) -> AsyncIterator[Messages]:
    """`live`'s GET /api/events as `user`, once the server says it is subscribed."""
    async with live.client(user) as client, client.stream("GET", "/api/events") as response:
        assert response.status_code == 200
        events = _sse_events(response)
        stream = Messages(lambda: anext(events))
        await stream.until(lambda m: m["type"] == "subscribed")
        yield stream


@pytest.fixture
def sse() -> Callable[..., Any]:
    """`async with sse(live_server, user=None) as events:` subscribed to its GET /api/events."""
    return subscribed


@pytest.fixture
def open_sse(server: LiveServer, keyed_server: LiveServer) -> Callable[..., Any]:
    """`async with open_sse(user) as events:` subscribed to GET /api/events as `user`."""
    return lambda user: subscribed(keyed_server if user else server, user)


@pytest.fixture
def open_ws(keyed_server: LiveServer) -> Callable[..., Any]:
    """`async with open_ws(user) as ws:` connected to WS /ws/chat as `user`."""

    @asynccontextmanager
    async def open_socket(user: str) -> AsyncIterator[Socket]:
        headers = {"Authorization": f"Bearer {KEYS[user]}"}
        async with connect(keyed_server.ws_url, additional_headers=headers, proxy=None) as conn:
            socket_ = Socket(conn)
            await socket_.until(lambda m: m["type"] == "connected")
            yield socket_

    return open_socket


# The web page, in Debian's headless Chromium (through Playwright)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: How long the page's expectations wait (ms).
PAGE_WAIT_MS = 60_000


@pytest.fixture
def page() -> Iterator[Any]:
    """A tab of a fresh headless Chromium; skipped, saying why, where Chromium is missing."""
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=PAGE_WAIT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            tab = browser.new_page()
            tab.set_default_timeout(PAGE_WAIT_MS)
            yield tab
        finally:
            browser.close()

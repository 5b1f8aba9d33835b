"""Fixtures for the HTTP door: a real uvicorn server on a free loopback port, API keys,
and a small chat workflow registered under the chat workflow's name."""

from __future__ import annotations

import operator
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypedDict

import httpx
import pytest
import uvicorn
from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel, Field

from pausepoint.api import create_app
from pausepoint.api.auth import hash_key
from pausepoint.domain import PauseRequest
from pausepoint.forms import ask
from pausepoint.settings import Settings
from pausepoint.workflows.registry import BuildContext, Workflow, WorkflowRegistry
from pausepoint.workflows.story import STORY

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


@pytest.fixture
def registry() -> WorkflowRegistry:
    return WorkflowRegistry({w.name: w for w in (STORY, CHAT)})


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
    yield from run_server(create_app(settings, workflows=registry, chat_model=None))


@pytest.fixture
def keyed_server(keyed_settings: Settings, registry: WorkflowRegistry) -> Iterator[LiveServer]:
    """A server with API keys for ann and bob."""
    yield from run_server(create_app(keyed_settings, workflows=registry, chat_model=None))

"""The `remote` workflow: run one remote A2A agent; its questions become our pauses.

    send -> (remote needs input?) -> ask -> reply -> (again?) ... -> finish

`send` and `reply` talk to the remote agent, each in its own node: answering our pause
re-runs `ask` from its first line, never a send. A remote failure, refusal or timeout
fails the thread with the remote message.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict

import httpx
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt
from pydantic import BaseModel, Field, model_validator

from pausepoint.agents.a2a_client import A2AClient, RemoteAgentError, RemoteTurn
from pausepoint.workflows.registry import BuildContext, Workflow

logger = logging.getLogger(__name__)


class RemoteInput(BaseModel):
    url: str = Field(pattern=r"^https?://", description="The remote agent's base URL.")
    message: str | None = Field(default=None, description="Text to send.")
    data: dict[str, Any] | None = Field(
        default=None,
        description='A data part to send, e.g. {"workflow": "story", "input": {...}}.',
    )
    timeout_seconds: float = Field(default=120.0, gt=0, description="Per remote call.")

    @model_validator(mode="after")
    def _something_to_send(self) -> RemoteInput:
        if not self.message and self.data is None:
            raise ValueError("give a message or data to send")
        return self


class RemoteState(TypedDict, total=False):
    request: str
    url: str
    message: str | None
    data: dict[str, Any] | None
    timeout_seconds: float
    turn: dict[str, Any]
    answer: Any
    result: Any


def _turn(state: RemoteState) -> RemoteTurn:
    return RemoteTurn.from_dict(state["turn"])


def build_remote(
    ctx: BuildContext, client: A2AClient | None = None, *, url: str | None = None
) -> StateGraph[Any, Any, Any, Any]:
    """The graph; `client` lets tests and callers choose the transport. With `url` the
    graph is bound to that agent and sends its input's `request` text."""
    a2a = client or A2AClient()

    async def send(state: RemoteState) -> dict[str, Any]:
        turn = await a2a.send(
            state.get("url") or str(url),
            text=state.get("message") or state.get("request"),
            data=state.get("data"),
            timeout_seconds=state.get("timeout_seconds", 120.0),
        )
        return {"turn": turn.to_dict()}

    def ask(state: RemoteState) -> dict[str, Any]:
        turn = _turn(state)
        answer = interrupt({**(turn.question or {}), "step": "ask"}, response_schema=turn.schema)
        return {"answer": answer}

    async def reply(state: RemoteState) -> dict[str, Any]:
        turn = await a2a.reply(
            _turn(state), state["answer"], timeout_seconds=state.get("timeout_seconds", 120.0)
        )
        return {"turn": turn.to_dict()}

    def route(state: RemoteState) -> Literal["ask", "finish"]:
        return "ask" if _turn(state).waiting else "finish"

    def finish(state: RemoteState) -> dict[str, Any]:
        turn = _turn(state)
        if turn.state != "completed":
            raise RemoteAgentError(
                f"remote agent {turn.agent} ended {turn.state}: {turn.text or 'no message'}"
            )
        return {"result": turn.result}

    graph = StateGraph(RemoteState)
    graph.add_node("send", send)
    graph.add_node("ask", ask)
    graph.add_node("reply", reply)
    graph.add_node("finish", finish)
    graph.add_edge(START, "send")
    graph.add_conditional_edges("send", route)
    graph.add_edge("ask", "reply")
    graph.add_conditional_edges("reply", route)
    graph.add_edge("finish", END)
    return graph


def result(values: Mapping[str, Any]) -> Any:
    return values.get("result")


REMOTE = Workflow(
    name="remote",
    description="Call a remote A2A agent by URL; its questions pause this thread until answered.",
    build=build_remote,
    input_model=RemoteInput,
    result=result,
    tags=("a2a", "remote", "agent"),
    examples=('{"url": "http://127.0.0.1:8001", "data": {"workflow": "story", ...}}',),
)


class RemoteRequest(BaseModel):
    request: str = Field(min_length=1, description="What to ask the remote agent.")


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def remote_agent_workflow(url: str, card: Mapping[str, Any]) -> Workflow:
    """One remote A2A agent as a workflow (and so as an agent the orchestrator can plan
    with): described by its card, its skills searchable, bound to `url`."""
    skills = [s for s in card.get("skills", []) if isinstance(s, dict)]
    described = "; ".join(
        f"{s.get('name', '')}: {s.get('description', '')}".strip(": ") for s in skills
    )
    return Workflow(
        name=f"remote-{_slug(str(card.get('name') or url))}",
        description=f"{card.get('description', '')} (remote agent at {url}) {described}".strip(),
        build=lambda ctx: build_remote(ctx, url=url),
        input_model=RemoteRequest,
        result=result,
        tags=("remote", *(str(tag) for s in skills for tag in s.get("tags", []))),
        examples=tuple(str(ex) for s in skills for ex in s.get("examples", [])),
    )


def remote_agent_workflows(urls: Sequence[str], timeout_seconds: float = 10.0) -> list[Workflow]:
    """Fetch each URL's agent card; an agent that cannot be reached is left out, with a
    warning, so one remote outage does not stop the server."""
    workflows = []
    for url in urls:
        card_url = url.rstrip("/") + "/.well-known/agent-card.json"
        try:
            response = httpx.get(card_url, timeout=timeout_seconds)
            response.raise_for_status()
            workflows.append(remote_agent_workflow(url, response.json()))
        except (httpx.HTTPError, ValueError) as exc:
            logger.warning("remote agent %s left out: no agent card (%s)", url, exc)
    return workflows

"""The `remote` workflow: run one remote A2A agent; its questions become our pauses.

    send -> (remote needs input?) -> ask -> reply -> (again?) ... -> finish

`send` and `reply` talk to the remote agent, each in its own node: answering our pause
re-runs `ask` from its first line, never a send. A remote failure, refusal or timeout
fails the thread with the remote message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt
from pydantic import BaseModel, Field, model_validator

from pausepoint.a2a.client import A2AClient, RemoteAgentError, RemoteTurn
from pausepoint.workflows.registry import BuildContext, Workflow


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
    ctx: BuildContext, client: A2AClient | None = None
) -> StateGraph[Any, Any, Any, Any]:
    """The graph; `client` lets tests and callers choose the transport."""
    a2a = client or A2AClient()

    async def send(state: RemoteState) -> dict[str, Any]:
        turn = await a2a.send(
            state["url"],
            text=state.get("message"),
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

"""Support tickets (the module's docstring: the factory's own says what the graph does)."""

from __future__ import annotations

from typing import Any, TypedDict

from langchain_core.runnables import RunnableConfig
from langgraph.graph import START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import interrupt


class Ticket(TypedDict, total=False):
    ticket: str
    priority: str


def make_graph(config: RunnableConfig) -> CompiledStateGraph[Any, Any, Any, Any]:
    """Triage a support ticket: a person picks its priority.

    A factory taking the RunnableConfig, as `langgraph dev` allows.
    """

    def ask(state: Ticket) -> dict[str, Any]:
        answer = interrupt({"question": "Which priority?", "ticket": state["ticket"]})
        return {"priority": answer["priority"]}

    builder = StateGraph(Ticket)
    builder.add_node("ask", ask)
    builder.add_edge(START, "ask")
    return builder.compile()

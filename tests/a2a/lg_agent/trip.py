"""A plain LangGraph chat graph for `langgraph dev`: it interrupts to ask for a city."""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from langchain_core.messages import AIMessage, AnyMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.types import interrupt


class State(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]


def ask(state: State) -> dict[str, Any]:
    city = interrupt("Which city should the trip go to?")
    return {"messages": [AIMessage(content=f"Booked a trip to {city}.")]}


builder = StateGraph(State)
builder.add_node("ask", ask)
builder.add_edge(START, "ask")
builder.add_edge("ask", END)
graph = builder.compile()

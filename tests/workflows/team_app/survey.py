"""A one-question survey, exported as an uncompiled StateGraph."""

from __future__ import annotations

from typing import Any, TypedDict

from langgraph.graph import START, StateGraph
from langgraph.types import interrupt


class Survey(TypedDict, total=False):
    customer: str
    rating: int


def ask(state: Survey) -> dict[str, Any]:
    rating = interrupt(f"How was your visit, {state['customer']}? (1-5)")
    return {"rating": int(rating)}


builder = StateGraph(Survey)
builder.add_node("ask", ask)
builder.add_edge(START, "ask")

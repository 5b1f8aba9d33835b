"""Refunds reviewed in an Agent Inbox (the module's docstring: the factory's own describes it).

Written as Agent Inbox's users write it: the node interrupts with a list of one
`HumanInterrupt` and reads the list of one `HumanResponse` it gets back. The TypedDicts are
the team's own copies of Agent Inbox's, as `langgraph.prebuilt.interrupt` is deprecated.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from langgraph.graph import START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import interrupt


class ActionRequest(TypedDict):
    action: str
    args: dict[str, Any]


class HumanInterruptConfig(TypedDict):
    allow_ignore: bool
    allow_respond: bool
    allow_edit: bool
    allow_accept: bool


class HumanInterrupt(TypedDict):
    action_request: ActionRequest
    config: HumanInterruptConfig
    description: str | None


class HumanResponse(TypedDict):
    type: Literal["accept", "ignore", "response", "edit"]
    args: str | ActionRequest | None


class RefundInput(TypedDict):
    order: str
    amount: float


class Refund(TypedDict):
    order: str
    amount: float


class RefundState(RefundInput, total=False):
    refund: Refund | None
    note: str


def review(state: RefundState) -> dict[str, Any]:
    asked = Refund(order=state["order"], amount=state["amount"])
    request = HumanInterrupt(
        action_request=ActionRequest(action="issue_refund", args=dict(asked)),
        config=HumanInterruptConfig(
            allow_ignore=False, allow_respond=True, allow_edit=True, allow_accept=True
        ),
        description=f"Refund {asked['amount']:.2f} to order {asked['order']}?",
    )
    response: HumanResponse = interrupt([request])[0]
    if response["type"] == "accept":
        return {"refund": asked}
    if response["type"] == "edit" and isinstance(response["args"], dict):
        edited = response["args"]["args"]
        return {"refund": Refund(order=edited["order"], amount=edited["amount"])}
    if response["type"] == "response":
        return {"refund": None, "note": str(response["args"])}
    return {"refund": None}


def make_refund() -> CompiledStateGraph[Any, Any, Any, Any]:
    """Refund an order once a person has accepted, edited or answered the refund request."""
    builder = StateGraph(RefundState, input_schema=RefundInput)
    builder.add_node("review", review)
    builder.add_edge(START, "review")
    return builder.compile()

"""Expense approval: a manager approves each expense claim before it is paid.

A compiled graph whose state holds the team's own pydantic models (a claim with its lines, the
manager's decision), paused with a typed `interrupt(..., response_schema=Approval)`.
"""

from __future__ import annotations

import os
from typing import TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt
from pydantic import BaseModel


class Line(BaseModel):
    what: str
    amount: float


class Claim(BaseModel):
    employee: str
    currency: str
    lines: list[Line]

    @property
    def total(self) -> float:
        return sum(line.amount for line in self.lines)


class Approval(BaseModel):
    approved: bool
    note: str = ""


class ExpenseInput(TypedDict):
    employee: str
    amount: float
    reason: str


class ExpenseState(ExpenseInput, total=False):
    claim: Claim
    decision: Approval | None
    paid: float


def file_claim(state: ExpenseState) -> dict[str, object]:
    line = Line(what=state["reason"], amount=state["amount"])
    currency = os.environ.get("TEAM_APP_CURRENCY", "XXX")
    return {"claim": Claim(employee=state["employee"], currency=currency, lines=[line])}


def approve(state: ExpenseState) -> dict[str, object]:
    claim = state["claim"]  # a Claim again after a restart, or `.total` breaks
    decision = interrupt(
        f"Approve {claim.total:.2f} {claim.currency} for {claim.lines[0].what} by "
        f"{claim.employee}?",
        response_schema=Approval,
    )
    return {"decision": decision}


def pay(state: ExpenseState) -> dict[str, object]:
    decision = state["decision"]
    assert decision is not None
    return {"paid": state["claim"].total if decision.approved else 0.0}


builder = StateGraph(ExpenseState, input_schema=ExpenseInput)
builder.add_node("file_claim", file_claim)
builder.add_node("approve", approve)
builder.add_node("pay", pay)
builder.add_edge(START, "file_claim")
builder.add_edge("file_claim", "approve")
builder.add_edge("approve", "pay")
builder.add_edge("pay", END)
graph = builder.compile()

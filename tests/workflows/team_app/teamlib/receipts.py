"""Receipt check: a person confirms a scanned receipt.

The receipt sits in state as `Any`, so no annotation names its type: langgraph.json's
"pausepoint": {"serializable_types": ["teamlib.models:Receipt"]} allows it.
"""

from __future__ import annotations

from typing import Any, TypedDict

from langgraph.graph import START, StateGraph
from langgraph.types import interrupt

from teamlib.models import Receipt


class ReceiptState(TypedDict, total=False):
    shop: str
    total: float
    receipt: Any
    confirmed_total: float


def scan(state: ReceiptState) -> dict[str, Any]:
    return {"receipt": Receipt(shop=state["shop"], total=state["total"])}


def confirm(state: ReceiptState) -> dict[str, Any]:
    receipt = state["receipt"]  # a Receipt again after a restart, or `.total` breaks
    if interrupt(f"Is {receipt.total:.2f} from {receipt.shop} right? (yes/no)") != "yes":
        return {"confirmed_total": 0.0}
    return {"confirmed_total": receipt.total}


builder = StateGraph(ReceiptState)
builder.add_node("scan", scan)
builder.add_node("confirm", confirm)
builder.add_edge(START, "scan")
builder.add_edge("scan", "confirm")
graph = builder.compile()

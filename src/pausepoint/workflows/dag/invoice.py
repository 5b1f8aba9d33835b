"""The invoice workflow (design-notes/1): parse, validate, a person reviews if anything is
off (approve, correct fields, or reject), then post to the ledger exactly once.

    parse -> validate -> review -(approved)-> post
                               \\-(rejected)-> return_to_vendor
"""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field

from pausepoint.workflows.dag.agents import RequiresApproval, StepRequest
from pausepoint.workflows.dag.spec import FieldSpec, StepSpec, WorkflowSpec


class Line(BaseModel):
    description: str
    quantity: float = Field(gt=0)
    unit_price: float = Field(ge=0)


class Invoice(BaseModel):
    """An invoice as the reviewer sees (and may correct) it."""

    number: str = Field(min_length=1)
    vendor: str = Field(min_length=1)
    issue_date: date
    due_date: date
    currency: str = Field(default="EUR", min_length=3, max_length=3)
    lines: list[Line] = Field(min_length=1)
    tax_rate: float = Field(ge=0, le=1)
    tax: float
    total: float


def _read_json_text(value: Any) -> Any:
    """An invoice sent as JSON text (as earlier versions took it) is read as its object."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not an invoice object, nor JSON text of one ({exc})") from exc
    return value


class InvoiceInput(BaseModel):
    """The invoice workflow's input: the invoice itself, checked before the thread starts."""

    invoice: Annotated[Invoice, BeforeValidator(_read_json_text)] = Field(
        description="The invoice: number, vendor, issue and due dates, lines, tax rate, tax "
        "and total (an object; JSON text of one is read too)."
    )


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def problems_of(invoice: Invoice) -> list[str]:
    """What is off: totals, tax, dates."""
    found: list[str] = []
    subtotal = sum((_money(line.quantity * line.unit_price) for line in invoice.lines), Decimal(0))
    tax = _money(float(subtotal) * invoice.tax_rate)
    if _money(invoice.tax) != tax:
        found.append(
            f"tax is {_money(invoice.tax)}, expected {tax} ({invoice.tax_rate:.0%} of {subtotal})"
        )
    if _money(invoice.total) != subtotal + tax:
        found.append(f"total is {_money(invoice.total)}, expected {subtotal + tax}")
    if invoice.due_date < invoice.issue_date:
        found.append(f"due date {invoice.due_date} is before the issue date {invoice.issue_date}")
    return found


class ParseAgent:
    async def run(self, request: StepRequest) -> Any:
        raw = request.context["invoice"]
        data = json.loads(raw) if isinstance(raw, str) else raw
        return Invoice.model_validate(data).model_dump(mode="json")


class ValidateAgent:
    async def run(self, request: StepRequest) -> Any:
        invoice = Invoice.model_validate(request.context["parsed"])
        problems = problems_of(invoice)
        return {"ok": not problems, "problems": problems}


class ReviewAgent:
    """Passes a clean invoice through; asks a person to approve or correct one that is off."""

    async def run(self, request: StepRequest) -> Any:
        check = request.context["validation"]
        invoice = request.context["parsed"]
        if check["ok"]:
            return {"invoice": invoice, "reviewed_by": "auto", "problems": []}
        return RequiresApproval(
            title=f"Review invoice {invoice['number']}",
            message="This invoice needs a look: " + "; ".join(check["problems"]),
            payload=invoice,
            payload_model=Invoice,
        )

    async def execute(self, request: StepRequest, payload: dict[str, Any]) -> Any:
        invoice = Invoice.model_validate(payload)
        return {
            "invoice": invoice.model_dump(mode="json"),
            "reviewed_by": "person",
            "problems": problems_of(invoice),
        }


class Ledger:
    """An append-only JSON-lines ledger; an invoice number is posted at most once."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def entries(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def post(self, entry: dict[str, Any]) -> dict[str, Any]:
        for existing in self.entries():
            if existing["number"] == entry["number"]:
                return {**existing, "already_posted": True}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        posted = {**entry, "entry": len(self.entries()) + 1}
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(posted, sort_keys=True) + "\n")
        return posted


class PostAgent:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    async def run(self, request: StepRequest) -> Any:
        invoice = request.context["reviewed"]["invoice"]
        return self.ledger.post(
            {
                "number": invoice["number"],
                "vendor": invoice["vendor"],
                "total": invoice["total"],
                "currency": invoice["currency"],
                "due_date": invoice["due_date"],
            }
        )


class ReturnToVendorAgent:
    async def run(self, request: StepRequest) -> Any:
        invoice = request.context["parsed"]
        return {"returned": invoice["number"], "to": invoice["vendor"], "note": request.input}


INVOICE_SPEC = WorkflowSpec(
    name="invoice",
    description="Parse an invoice, check totals, tax and dates, let a person review it if "
    "anything is off, then post it to the ledger exactly once.",
    inputs={"invoice": FieldSpec(type="object", description="The invoice (InvoiceInput).")},
    steps=(
        StepSpec(id="parse", agent="invoice.parse", input="{{ invoice }}", output="parsed"),
        StepSpec(
            id="validate",
            agent="invoice.validate",
            input="Check totals, tax and dates of {{ parsed }}",
            output="validation",
            depends_on=("parse",),
        ),
        StepSpec(
            id="review",
            agent="invoice.review",
            input="Review {{ parsed }} given {{ validation }}",
            output="reviewed",
            depends_on=("validate",),
            on_reject="return_to_vendor",
        ),
        StepSpec(
            id="post",
            agent="invoice.post",
            input="Post {{ reviewed }}",
            output="posting",
            depends_on=("review",),
        ),
        StepSpec(
            id="return_to_vendor",
            agent="invoice.return",
            input="Invoice {{ parsed.number }} was rejected in review",
            output="returned",
        ),
    ),
    tags=("invoice", "finance", "review", "approval"),
)


def invoice_agents(ledger: Path) -> dict[str, Any]:
    return {
        "invoice.parse": ParseAgent(),
        "invoice.validate": ValidateAgent(),
        "invoice.review": ReviewAgent(),
        "invoice.post": PostAgent(Ledger(ledger)),
        "invoice.return": ReturnToVendorAgent(),
    }

"""The invoice workflow end to end: clean invoices post at once, odd ones wait for review."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from pausepoint.domain import ThreadStatus
from pausepoint.errors import Conflict
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite only: the ledger (a file standing in for the accounting system) is written beside
    the SQLite database; with Postgres it would land in the working directory, shared by runs."""
    return f"sqlite:///{tmp_path / 'pausepoint.db'}"


CLEAN: dict[str, Any] = {
    "number": "INV-7",
    "vendor": "Acme",
    "issue_date": "2026-01-02",
    "due_date": "2026-02-01",
    "lines": [{"description": "bolts", "quantity": 10, "unit_price": 2.5}],
    "tax_rate": 0.2,
    "tax": 5.0,
    "total": 30.0,
}


def ledger(settings: Settings) -> list[dict[str, Any]]:
    path = Path(str(settings.sqlite_path)).parent / "ledger.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


async def test_a_clean_invoice_is_posted_without_a_pause(
    service: ThreadService, settings: Settings
) -> None:
    view = await service.start("invoice", {"invoice": json.dumps(CLEAN)}, "ann")
    assert view.status is ThreadStatus.COMPLETED
    assert view.result["posting"]["number"] == "INV-7"
    assert [e["number"] for e in ledger(settings)] == ["INV-7"]


async def test_wrong_totals_pause_for_review_and_a_correction_is_posted_once(
    service: ThreadService, settings: Settings
) -> None:
    view = await service.start("invoice", {"invoice": {**CLEAN, "total": 31.0}}, "ann")
    assert view.status is ThreadStatus.WAITING
    (pause,) = view.pauses
    assert "total is 31.00, expected 30.00" in pause.message
    assert ledger(settings) == []

    answer = {
        "decision": "approve",
        "digest": pause.payload_digest,
        "edited_payload": {**pause.context, "total": 30.0},
    }
    results = await asyncio.gather(
        service.answer(view.thread_id, answer, "ann"),
        service.answer(view.thread_id, answer, "ann"),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1
    done = await service.get(view.thread_id)
    assert done.status is ThreadStatus.COMPLETED
    assert done.result["reviewed"]["reviewed_by"] == "person"
    assert [(e["number"], e["total"]) for e in ledger(settings)] == [("INV-7", 30.0)]


async def test_a_rejected_invoice_goes_back_to_the_vendor_and_is_not_posted(
    service: ThreadService, settings: Settings
) -> None:
    view = await service.start("invoice", {"invoice": {**CLEAN, "tax": 1.0}}, "ann")
    done = await service.answer(
        view.thread_id, {"decision": "reject", "reason": "wrong tax"}, "ann"
    )
    assert done.status is ThreadStatus.COMPLETED
    assert done.result["returned"]["returned"] == "INV-7"
    assert done.steps["review"]["status"] == "failed"
    assert done.steps["post"]["status"] == "skipped"
    assert ledger(settings) == []

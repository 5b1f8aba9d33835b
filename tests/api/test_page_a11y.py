"""An accessibility scan (axe-core, through axe-playwright-python) of every main state of the
page, on a phone and a desktop: no serious or critical violation (issue 18). Each state's
screenshot is left in the test's folder (and in PAUSEPOINT_SHOTS, when set)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pausepoint.workflows.registry import WorkflowRegistry

SIZES = {"390": {"width": 390, "height": 844}, "1440": {"width": 1440, "height": 900}}
INVOICE = {
    "number": "INV-9",
    "vendor": "Acme",
    "issue_date": "2026-01-01",
    "due_date": "2026-02-01",
    "lines": [{"description": "Widgets", "quantity": 2, "unit_price": 10}],
    "tax_rate": 0.2,
    "tax": 5,
    "total": 25,
}
RESULT = "# Findings\n\n- the tax is **off**\n- see [the rules](https://example.com/tax)\n"


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """The page behaves alike on every store (their contract tests cover them): SQLite only."""
    yield f"sqlite:///{tmp_path / 'pausepoint.db'}"


@pytest.fixture
def registry(form_registry: WorkflowRegistry) -> WorkflowRegistry:
    return form_registry


class Scanner:
    """Scans the page as it stands, keeps its serious and critical violations by state."""

    def __init__(self, page: Any, folder: Path, width: str) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.page = page
        self.folder = folder
        self.width = width
        self.found: list[str] = []
        self.states: list[str] = []

    def __call__(self, state: str) -> None:
        name = f"a11y-{state}-{self.width}"
        self.page.screenshot(path=str(self.folder / f"{name}.png"), full_page=True)
        shots = os.environ.get("PAUSEPOINT_SHOTS")
        if shots:
            self.page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)
        violations = self.axe.run(self.page).response["violations"]
        for violation in violations:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"]]
                self.found.append(
                    f"{state}: {violation['id']} ({violation['impact']}): "
                    f"{violation['help']} at {targets}"
                )
        self.states.append(state)


@pytest.mark.parametrize("width", list(SIZES))
def test_every_main_state_has_no_serious_or_critical_accessibility_violation(
    keyed_server: Any, api_keys: dict[str, str], page: Any, tmp_path: Path, width: str
) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size(SIZES[width])
    scan = Scanner(page, tmp_path, width)
    page.goto(keyed_server.url + "/")
    expect(page.locator("#whoami")).to_contain_text("An API key is required")
    scan("no-key")

    ann = httpx.Client(
        base_url=keyed_server.url,
        headers={"Authorization": f"Bearer {api_keys['ann']}"},
        timeout=60,
    )
    with ann:
        story = ann.post("/api/threads", json={"workflow": "story", "input": {"prompt": "a fox"}})
        invoice = ann.post(
            "/api/threads", json={"workflow": "invoice", "input": {"invoice": INVOICE}}
        )
        echo = ann.post("/api/threads", json={"workflow": "echo", "input": {"text": RESULT}})
        ids = {
            name: r.json()["thread_id"]
            for name, r in (("story", story), ("invoice", invoice), ("echo", echo))
        }

        page.fill("#api-key", api_keys["ann"])
        page.dispatch_event("#api-key", "change")
        expect(page.locator("body[data-ready=true]")).to_have_count(1)
        expect(page.locator("#live")).to_have_text("live")
        expect(page.locator("#inbox li")).to_have_count(2)
        scan("inbox")

        page.locator(f'#inbox li[data-thread-id="{ids["story"]}"] a').click()
        pause = page.locator(".pause")
        expect(pause.locator("h3")).to_have_text("Review the draft")
        scan("waiting-form")

        page.locator(f'#inbox li[data-thread-id="{ids["invoice"]}"] a').click()
        expect(pause.locator("h3")).to_have_text("Review invoice INV-9")
        scan("approval-form")
        pause.get_by_role("button", name="Edit as JSON").click()
        pause.get_by_label("Edited payload as JSON").fill("{not json")
        expect(pause.locator(".json-view .field-error")).to_contain_text("not valid JSON")
        scan("approval-json")

        page.locator(f'#inbox li[data-thread-id="{ids["story"]}"] a').click()
        expect(pause.locator("h3")).to_have_text("Review the draft")
        pause.locator("textarea[name=comments]").fill("make it funnier")
        answered = ann.post(
            f"/api/threads/{ids['story']}/answers",
            json={"answer": {"decision": "update", "comments": "shorter"}},
        )
        assert answered.status_code == 200, answered.text
        expect(page.locator("#thread-notice")).to_contain_text("a newer version is here")
        pause.get_by_role("button", name="Update with comments").click()
        expect(page.locator("#thread-notice")).to_contain_text("already answered by ann")
        scan("conflict")

    page.locator("#inbox-filter").select_option("all")
    page.locator(f'#threads li[data-thread-id="{ids["echo"]}"] a').click()
    expect(page.locator("#thread-status")).to_have_text("completed")
    expect(page.locator("#result-view").get_by_role("heading", name="Findings")).to_be_visible()
    scan("result")

    page.get_by_label("Message").fill("help me analyse data")
    page.get_by_label("Message").press("Enter")
    expect(page.locator("#chat-log li").nth(1)).to_contain_text("What kind of data is it?")
    scan("chat")

    assert len(scan.states) == 8
    assert not scan.found, "\n".join(scan.found)

"""The sidebar's lists in real headless Chromium: inbox entries told apart by a line of their
pause, the mine / waiting / all filter, and a thread's outcome in the list (issue 18)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """The page behaves alike on every store (their contract tests cover them): SQLite only."""
    yield f"sqlite:///{tmp_path / 'pausepoint.db'}"


def ready(page: Any, url: str) -> None:
    from playwright.sync_api import expect

    page.goto(url + "/")
    expect(page.locator("body[data-ready=true]")).to_have_count(1)


def test_each_inbox_entry_shows_a_line_of_its_pause_to_tell_it_apart(
    server: Any, page: Any
) -> None:
    from playwright.sync_api import expect

    ready(page, server.url)
    for prompt in ("a fox in the snow", "a whale at sea"):
        page.select_option("#workflow", "story")
        page.fill("#input-prompt", prompt)
        page.click("#start-button")
        expect(page.locator(".pause h3")).to_have_text("Review the draft")

    entries = page.locator("#inbox li")
    expect(entries).to_have_count(2)
    for entry in (entries.nth(0), entries.nth(1)):
        expect(entry.locator(".summary")).to_contain_text("Draft 1: accept it, or ask for changes")
    summaries = entries.locator(".summary").all_inner_texts()
    assert summaries[0] != summaries[1]
    assert any("whale" in s for s in summaries) and any("fox" in s for s in summaries)

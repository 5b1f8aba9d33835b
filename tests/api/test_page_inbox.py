"""The sidebar's lists in real headless Chromium: inbox entries told apart by a line of their
pause, the mine / waiting / all filter, and a thread's outcome in the list (issue 18)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
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


def test_the_inbox_filter_shows_mine_what_waits_on_others_and_all_my_threads(
    keyed_server: Any, api_keys: dict[str, str], page: Any
) -> None:
    from playwright.sync_api import expect

    with httpx.Client(
        base_url=keyed_server.url,
        headers={"Authorization": f"Bearer {api_keys['ann']}"},
        timeout=60,
    ) as ann:
        own = ann.post("/api/threads", json={"workflow": "story", "input": {"prompt": "mine"}})
        for_bob = ann.post(
            "/api/threads",
            json={"workflow": "story", "input": {"prompt": "bob's", "reviewer": "bob"}},
        )
        waiting = ann.get("/api/inbox", params={"show": "waiting"})
        wrong = ann.get("/api/inbox", params={"show": "everything"})
    assert [i["thread_id"] for i in waiting.json()["inbox"]] == [
        for_bob.json()["thread_id"],
        own.json()["thread_id"],
    ]
    assert wrong.status_code == 422

    page.goto(keyed_server.url + "/")
    page.fill("#api-key", api_keys["ann"])
    page.dispatch_event("#api-key", "change")
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    entries = page.locator("#inbox li")
    expect(entries).to_have_count(1)
    expect(entries).to_have_attribute("data-thread-id", own.json()["thread_id"])

    show = page.get_by_label("Inbox shows")
    show.focus()
    page.keyboard.press("ArrowDown")  # mine -> waiting, with the keyboard alone
    expect(show).to_have_value("waiting")
    expect(entries).to_have_count(2)
    bobs = page.locator(f'#inbox li[data-thread-id="{for_bob.json()["thread_id"]}"]')
    expect(bobs).to_contain_text("waiting for bob")

    show.select_option("all")
    expect(entries.locator(".badge")).to_have_count(2)
    expect(entries.locator(".badge").first).to_have_text("waiting")


def test_a_rejected_thread_reads_rejected_in_the_thread_list_not_completed(
    server: Any, page: Any
) -> None:
    from playwright.sync_api import expect

    ready(page, server.url)
    page.select_option("#workflow", "deploy")
    page.fill("#input-service", "user-api")
    page.fill("#input-version", "v2.1.0")
    page.click("#start-button")
    pause = page.locator(".pause")
    pause.get_by_label("Reason").fill("not during the sale")
    pause.get_by_role("button", name="Reject").click()
    expect(page.locator("#thread-status")).to_have_text("rejected")

    badge = page.locator("#threads li .badge")
    expect(badge).to_have_text("rejected")
    expect(badge).to_have_class("badge rejected")
    listed = httpx.get(server.url + "/api/threads").json()["threads"]
    assert [(t["status"], t["outcome"]) for t in listed] == [("completed", "rejected")]

"""The web page in real headless Chromium: the story's review loop, a reload, live updates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx


def shot(page: Any, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


def test_the_page_runs_the_story_review_loop_through_a_reload(
    server: Any, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page.goto(server.url + "/")
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    page.select_option("#workflow", "story")
    page.fill("#input-prompt", "a lighthouse keeper who finds a map")
    page.click("#start-button")

    pause = page.locator(".pause")
    expect(pause.locator("h3")).to_have_text("Review the draft")
    expect(page.locator("#thread-status")).to_have_text("waiting")
    first_draft = pause.locator(".context-draft").inner_text()
    assert "lighthouse keeper" in first_draft
    shot(page, tmp_path, "1-draft")

    # an empty comment is refused next to the field; the thread still waits
    pause.get_by_role("button", name="Update with comments").click()
    expect(pause.locator('.field-error[data-for="comments"]')).to_have_text("must not be empty")
    expect(page.locator("#thread-status")).to_have_text("waiting")
    shot(page, tmp_path, "2-invalid")

    pause.locator("textarea[name=comments]").fill("make it funnier")
    pause.get_by_role("button", name="Update with comments").click()
    expect(pause.locator(".context-revision")).to_have_text("2")
    second_draft = pause.locator(".context-draft").inner_text()
    assert second_draft != first_draft
    shot(page, tmp_path, "3-revision")

    # reload while paused: the waiting thread is still there and answerable
    page.reload()
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    expect(page.locator("#inbox li")).to_have_count(1)
    expect(page.locator(".pause .context-revision")).to_have_text("2")
    shot(page, tmp_path, "4-reloaded")

    page.locator(".pause").get_by_role("button", name="Accept").click()
    expect(page.locator("#thread-status")).to_have_text("completed")
    expect(page.locator("#result-text")).to_have_text(second_draft)
    expect(page.locator("#inbox li")).to_have_count(0)
    shot(page, tmp_path, "5-accepted")
    assert len(list(tmp_path.glob("*.png"))) == 5


def test_the_page_follows_threads_started_and_answered_elsewhere_live(
    server: Any, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page.goto(server.url + "/")
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    expect(page.locator("#live")).to_have_text("live")

    view = httpx.post(
        server.url + "/api/threads",
        json={"workflow": "story", "input": {"prompt": "a fox"}},
        timeout=60,
    ).json()
    item = page.locator(f'#inbox li[data-thread-id="{view["thread_id"]}"]')
    expect(item).to_have_count(1)
    item.locator("a").click()
    expect(page.locator(".pause h3")).to_have_text("Review the draft")

    httpx.post(
        f"{server.url}/api/threads/{view['thread_id']}/answers",
        json={"answer": {"decision": "accept"}},
        timeout=60,
    )
    expect(page.locator("#thread-status")).to_have_text("completed")
    expect(page.locator("#inbox li")).to_have_count(0)
    shot(page, tmp_path, "live-completed")


def test_with_keys_the_page_works_as_the_user_whose_key_is_entered(
    keyed_server: Any, api_keys: dict[str, str], page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page.goto(keyed_server.url + "/")
    expect(page.locator("#whoami")).to_contain_text("API key")
    page.fill("#api-key", api_keys["bob"])
    page.dispatch_event("#api-key", "change")
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    expect(page.locator("#live")).to_have_text("live")

    ann = httpx.Client(
        base_url=keyed_server.url,
        headers={"Authorization": f"Bearer {api_keys['ann']}"},
        timeout=60,
    )
    with ann:
        ann.post("/api/threads", json={"workflow": "story", "input": {"prompt": "for ann"}})
        assigned = ann.post(
            "/api/threads",
            json={"workflow": "story", "input": {"prompt": "for bob", "reviewer": "bob"}},
        ).json()

    item = page.locator("#inbox li")
    expect(item).to_have_count(1)
    expect(item).to_have_attribute("data-thread-id", assigned["thread_id"])
    item.locator("a").click()
    page.locator(".pause").get_by_role("button", name="Accept").click()
    expect(page.locator("#thread-status")).to_have_text("completed")
    shot(page, tmp_path, "bob-accepted")


def test_a_question_without_actions_renders_as_a_form_from_its_schema(
    server: Any, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page.goto(server.url + "/")
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    page.select_option("#workflow", "orchestrator")
    page.fill("#input-prompt", "help me analyse data")
    page.click("#start-button")

    pause = page.locator(".pause")
    expect(pause.locator("h3")).to_have_text("What kind of data is it?")
    pause.get_by_role("button", name="Submit").click()
    expect(pause.locator('.field-error[data-for="text"]')).to_have_text("must not be empty")

    pause.locator("textarea[name=text]").fill("sales figures")
    pause.get_by_role("button", name="Submit").click()
    expect(page.locator("#thread-status")).to_have_text("completed")
    expect(page.locator("#result-text")).to_have_text(
        "Analysed sales figures for: help me analyse data"
    )
    shot(page, tmp_path, "question-answered")


def test_an_approval_renders_its_buttons_and_a_rejection_needs_a_reason(
    server: Any, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page.goto(server.url + "/")
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    page.select_option("#workflow", "deploy")
    page.fill("#input-service", "user-api")
    page.fill("#input-version", "v2.1.0")
    page.click("#start-button")

    pause = page.locator(".pause")
    expect(pause.locator("h3")).to_have_text("Deploy user-api v2.1.0 to production")
    actions = pause.locator(".actions").get_by_role("button")
    expect(actions).to_have_text(["Approve", "Approve with changes", "Reject"])
    pause.get_by_role("button", name="Reject").click()
    expect(pause.locator('.field-error[data-for="reason"]')).not_to_be_empty()
    expect(page.locator("#thread-status")).to_have_text("waiting")
    shot(page, tmp_path, "approval-refused")

    pause.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator("#thread-status")).to_have_text("completed")
    shot(page, tmp_path, "approval-approved")

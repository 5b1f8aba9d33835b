"""The web page while a run goes on, in real headless Chromium: the thread shows at once, the
line under it says what the run last reported ("checking receipts", "checking the bank"), the
letter the chat model writes appears as it is written, then the pause; an answer's run says
"sending the letter" until the thread completes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from pausepoint.workflows.registry import WorkflowRegistry

CHECK_SECONDS = 1.5
LETTER = "Dear Ann, your refund of 30 EUR is on its way."

#: Record every text the progress line and the draft show, as a person would have seen them.
WATCH = """() => {
  window.seen = { progress: [], draft: [] };
  for (const [id, name] of [["thread-progress", "progress"], ["thread-draft", "draft"]]) {
    const node = document.getElementById(id);
    new MutationObserver(() => {
      const list = window.seen[name];
      const text = node.hidden ? "" : node.textContent;
      if (text && list[list.length - 1] !== text) list.push(text);
    }).observe(node, { childList: true, characterData: true, subtree: true, attributes: true });
  }
}"""


@pytest.fixture
def registry(with_claims: Callable[[float], WorkflowRegistry]) -> WorkflowRegistry:
    return with_claims(CHECK_SECONDS)


def test_the_page_shows_a_runs_progress_and_its_draft_as_it_is_written(
    server: Any, page: Any
) -> None:
    from playwright.sync_api import expect

    page.goto(server.url + "/")
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    expect(page.locator("#live")).to_have_text("live")
    page.evaluate(WATCH)
    page.select_option("#workflow", "claim")
    page.fill("#input-customer", "Ann")
    t0 = time.perf_counter()
    page.click("#start-button")

    expect(page.locator("#thread-status")).to_have_text("running")
    shown_in = time.perf_counter() - t0
    progress = page.locator("#thread-progress")
    expect(progress).to_have_attribute("role", "status")
    expect(progress).to_have_text("checking the bank")
    pause = page.locator(".pause")
    expect(pause.locator("h3")).to_have_text("Send this letter?")
    expect(page.locator("#thread-status")).to_have_text("waiting")
    expect(progress).to_be_hidden()
    before_answer = page.evaluate("window.seen")

    pause.locator("button").first.click()
    expect(progress).to_have_text("sending the letter")
    expect(page.locator("#thread-status")).to_have_text("completed")
    expect(progress).to_be_hidden()

    assert shown_in < CHECK_SECONDS, "the thread showed only once its run had stopped"
    told = before_answer["progress"]
    assert told.index("checking receipts") < told.index("checking the bank"), told
    assert before_answer["draft"][-1] == LETTER

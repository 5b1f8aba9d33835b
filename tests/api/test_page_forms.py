"""The page's forms in real headless Chromium, as a person fills them: Ctrl+Enter and Enter
send, lists with Add and Remove, inputs by `format`, an approval's payload edited as JSON, and
markdown results shown as what they say (issue 18)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from pausepoint.workflows.registry import WorkflowRegistry

DESKTOP = {"width": 1440, "height": 900}

#: An invoice whose tax and total are off: the invoice workflow asks a person to review it.
INVOICE = {
    "number": "INV-7",
    "vendor": "Acme",
    "issue_date": "2026-01-01",
    "due_date": "2026-02-01",
    "currency": "EUR",
    "lines": [{"description": "Widgets", "quantity": 2, "unit_price": 10}],
    "tax_rate": 0.2,
    "tax": 5,
    "total": 25,
}


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """The page behaves alike on every store (their contract tests cover them): SQLite only."""
    yield f"sqlite:///{tmp_path / 'pausepoint.db'}"


@pytest.fixture
def registry(form_registry: WorkflowRegistry) -> WorkflowRegistry:
    return form_registry


def shot(page: Any, tmp_path: Path, name: str) -> None:
    """A screenshot in the test's folder (and in PAUSEPOINT_SHOTS, when set, to look at)."""
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    folder = os.environ.get("PAUSEPOINT_SHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"forms-{name}.png"), full_page=True)


def open_thread(page: Any, url: str, workflow: str, given: dict[str, Any]) -> str:
    """Start `workflow` through the API, open its thread on the page; its id."""
    from playwright.sync_api import expect

    started = httpx.post(
        url + "/api/threads", json={"workflow": workflow, "input": given}, timeout=60
    )
    assert started.status_code == 201, started.text
    view = started.json()
    page.set_viewport_size(DESKTOP)
    page.goto("about:blank")
    page.goto(f"{url}/#thread={view['thread_id']}")
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    return str(view["thread_id"])


def decisions(url: str, thread: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = httpx.get(f"{url}/api/threads/{thread}/decisions").json()[
        "decisions"
    ]
    return found


def result_of(url: str, thread: str) -> Any:
    return httpx.get(f"{url}/api/threads/{thread}").json()["result"]


def test_ctrl_enter_in_a_text_area_and_enter_in_a_one_line_box_send_the_answer(
    server: Any, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    thread = open_thread(page, server.url, "story", {"prompt": "a fox"})
    pause = page.locator(".pause")
    comments = pause.locator("textarea[name=comments]")
    comments.fill("make it funnier")
    comments.press("Enter")  # a new line in a text area, nothing sent
    expect(comments).to_have_value("make it funnier\n")
    expect(pause.locator(".context-revision")).to_have_text("1")
    comments.press("Control+Enter")
    expect(page.locator(".pause .context-revision")).to_have_text("2")
    assert decisions(server.url, thread)[0]["answer"] == {
        "decision": "update",
        "comments": "make it funnier\n",
    }

    # the start form's text area too
    page.select_option("#workflow", "story")
    page.locator("#input-prompt").fill("a whale")
    page.locator("#input-prompt").press("Control+Enter")
    expect(page.locator("#thread-id")).not_to_have_text(thread)
    expect(page.locator(".pause .context-prompt")).to_have_text("a whale")

    deploy = open_thread(page, server.url, "deploy", {"service": "user-api", "version": "v2.1.0"})
    edits = page.locator(".pause fieldset.for-action", has_text="Only for “Approve with changes”")
    edits.get_by_label("Version").fill("v2.1.1")
    edits.get_by_label("Version").press("Enter")
    expect(page.locator("#thread-status")).to_have_text("completed")
    sent = decisions(server.url, deploy)[0]["answer"]
    assert sent["decision"] == "approve" and sent["edited_payload"]["version"] == "v2.1.1"
    shot(page, tmp_path, "enter-sent")


def test_lists_of_values_choices_and_objects_add_and_remove_items_and_send_arrays(
    server: Any, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    thread = open_thread(page, server.url, "details", {"prompt": "lists"})
    pause = page.locator(".pause")
    pause.get_by_label("Summary").fill("one line")
    pause.get_by_label("Due").fill("2026-03-04")
    pause.get_by_label("Contact").fill("ann@example.com")

    tags = pause.locator("fieldset[name=tags]")
    expect(tags.get_by_role("textbox")).to_have_count(2)  # from the default
    expect(tags.get_by_label("Tags item 1", exact=True)).to_have_value("urgent")
    expect(tags.get_by_label("Tags item 2", exact=True)).to_have_value("q3")
    tags.get_by_role("button", name="Add to Tags").click()
    expect(tags.get_by_label("Tags item 3", exact=True)).to_be_focused()
    page.keyboard.type("later")
    tags.get_by_role("button", name="Remove Tags item 1").click()
    expect(tags.get_by_role("textbox")).to_have_count(2)
    expect(tags.get_by_label("Tags item 1", exact=True)).to_have_value("q3")  # renumbered
    expect(tags.get_by_label("Tags item 2", exact=True)).to_have_value("later")

    scores = pause.locator("fieldset[name=scores]")
    expect(scores.get_by_role("spinbutton")).to_have_count(0)
    for value in ("3", "5"):
        scores.get_by_role("button", name="Add to Scores").click()
        page.keyboard.type(value)
    colours = pause.locator("fieldset[name=colours]")
    colours.get_by_role("button", name="Add to Colours").click()
    colours.get_by_label("Colours item 1", exact=True).select_option("green")

    parts = pause.locator("fieldset[name=parts]")
    parts.get_by_role("button", name="Add to Parts").click()
    part = parts.locator("li.item").nth(0)
    expect(part.locator("legend")).to_have_text("Part 1")
    part.get_by_label("Name").fill("bolt")
    part.get_by_label("Count").fill("12")
    # a list whose items the form cannot build stays JSON
    expect(pause.locator("textarea[name=anything]")).to_have_attribute("placeholder", "JSON")
    pause.locator("textarea[name=anything]").fill('[1, "two"]')
    shot(page, tmp_path, "lists-filled")

    pause.get_by_role("button", name="Submit").click()
    expect(page.locator("#thread-status")).to_have_text("completed")
    result = result_of(server.url, thread)
    assert result["tags"] == ["q3", "later"]
    assert result["scores"] == [3, 5]
    assert result["colours"] == ["green"]
    assert result["parts"] == [{"name": "bolt", "count": 12}]
    assert result["anything"] == [1, "two"]


def test_an_approval_lists_its_payload_lines_prefilled_and_sends_the_edited_list(
    server: Any, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    thread = open_thread(page, server.url, "invoice", {"invoice": INVOICE})
    edits = page.locator(".pause fieldset.for-action", has_text="Only for “Approve with changes”")
    lines = edits.locator("fieldset[name=lines]")
    expect(lines.locator("li.item")).to_have_count(1)
    first = lines.locator("li.item").nth(0)
    expect(first.locator("legend")).to_have_text("Line 1")
    expect(first.get_by_label("Description")).to_have_value("Widgets")
    expect(first.get_by_label("Quantity")).to_have_value("2")
    expect(edits.get_by_label("Issue Date")).to_have_attribute("type", "date")
    expect(edits.get_by_label("Issue Date")).to_have_value("2026-01-01")

    lines.get_by_role("button", name="Add to Lines").click()
    second = lines.locator("li.item").nth(1)
    expect(second.locator("legend")).to_have_text("Line 2")
    second.get_by_label("Description").fill("Bolts")
    second.get_by_label("Quantity").fill("1")
    second.get_by_label("Unit Price").fill("4")
    edits.get_by_label("Tax", exact=True).fill("4.8")
    edits.get_by_label("Total").fill("28.8")
    shot(page, tmp_path, "invoice-lines")
    page.locator(".pause").get_by_role("button", name="Approve with changes").click()
    expect(page.locator("#thread-status")).to_have_text("completed")
    edited = decisions(server.url, thread)[0]["answer"]["edited_payload"]
    assert edited["lines"] == [
        {"description": "Widgets", "quantity": 2, "unit_price": 10},
        {"description": "Bolts", "quantity": 1, "unit_price": 4},
    ]
    assert edited["total"] == 28.8


def test_strings_get_a_text_area_or_the_input_their_format_names(
    server: Any, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    thread = open_thread(page, server.url, "details", {"prompt": "formats"})
    pause = page.locator(".pause")
    assert pause.get_by_label("Summary").evaluate("n => n.tagName + ':' + n.type") == "INPUT:text"
    for long in ("Notes (optional)", "Long Note (optional)"):
        assert pause.get_by_label(long).evaluate("n => n.tagName") == "TEXTAREA"
    for label, kind in (
        ("Due", "date"),
        ("Meet At (optional)", "datetime-local"),
        ("Contact", "email"),
        ("Link (optional)", "url"),
    ):
        expect(pause.get_by_label(label, exact=True)).to_have_attribute("type", kind)
    shot(page, tmp_path, "formats")

    pause.get_by_label("Summary").fill("one line")
    pause.get_by_label("Notes (optional)").fill("first\nsecond")
    pause.get_by_label("Due", exact=True).fill("2026-03-04")
    pause.get_by_label("Meet At (optional)").fill("2026-03-04T10:30")
    pause.get_by_label("Contact").fill("ann@example.com")
    pause.get_by_label("Link (optional)").fill("https://example.com/x")
    pause.get_by_role("button", name="Submit").click()
    expect(page.locator("#thread-status")).to_have_text("completed")
    result = result_of(server.url, thread)
    assert result["due"] == "2026-03-04" and result["notes"] == "first\nsecond"
    assert result["contact"] == "ann@example.com" and result["link"] == "https://example.com/x"
    meant = page.evaluate("new Date('2026-03-04T10:30').toISOString()")
    assert datetime.fromisoformat(result["meet_at"]) == datetime.fromisoformat(meant)


def test_an_approval_payload_is_edited_as_json_and_back_and_bad_json_is_not_sent(
    server: Any, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    thread = open_thread(page, server.url, "invoice", {"invoice": INVOICE})
    pause = page.locator(".pause")
    edits = pause.locator("fieldset.for-action", has_text="Only for “Approve with changes”")
    edits.get_by_label("Vendor").fill("Acme Ltd")
    edits.get_by_role("button", name="Edit as JSON").click()
    json_box = edits.get_by_label("Edited payload as JSON")
    expect(json_box).to_be_focused()
    expect(edits.get_by_label("Vendor")).to_be_hidden()
    assert '"vendor": "Acme Ltd"' in json_box.input_value()  # the form's values, pretty

    json_box.fill('{"vendor": "Acme Ltd", oops}')
    error = edits.locator(".json-view .field-error")
    expect(error).to_contain_text("This is not valid JSON")
    expect(json_box).to_have_attribute("aria-invalid", "true")
    pause.get_by_role("button", name="Approve with changes").click()
    expect(error).to_contain_text("This is not valid JSON")
    expect(json_box).to_be_focused()
    edits.get_by_role("button", name="Edit as form").click()  # refused: stays JSON
    expect(json_box).to_be_visible()
    shot(page, tmp_path, "json-invalid")
    assert decisions(server.url, thread) == []
    assert httpx.get(f"{server.url}/api/threads/{thread}").json()["status"] == "waiting"

    fixed = {**INVOICE, "vendor": "Acme Ltd", "tax": 4, "total": 24}
    json_box.fill(json.dumps(fixed))
    expect(error).to_have_text("")
    edits.get_by_role("button", name="Edit as form").click()
    expect(edits.get_by_label("Vendor")).to_have_value("Acme Ltd")
    expect(edits.get_by_label("Total")).to_have_value("24")
    expect(json_box).to_be_hidden()
    edits.get_by_label("Currency").fill("USD")
    edits.get_by_role("button", name="Edit as JSON").click()
    assert '"currency": "USD"' in json_box.input_value()
    pause.get_by_role("button", name="Approve with changes").click()  # sent from the JSON
    expect(page.locator("#thread-status")).to_have_text("completed")
    edited = decisions(server.url, thread)[0]["answer"]["edited_payload"]
    assert edited["vendor"] == "Acme Ltd" and edited["total"] == 24
    assert edited["currency"] == "USD"


MARKDOWN = """# Title

- item one
- item **two**

Some *emphasis*, `code`, [a link](https://example.com/_doc_/a_b) and [bad](javascript:alert(1)).

<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">
"""


def test_a_markdown_result_is_shown_as_markdown_and_its_html_as_text(
    server: Any, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    open_thread(page, server.url, "echo", {"text": MARKDOWN})
    expect(page.locator("#thread-status")).to_have_text("completed")
    shown = page.locator("#result-view .markdown")
    expect(shown.get_by_role("heading", name="Title")).to_be_visible()
    expect(shown.locator("ul > li")).to_have_count(2)
    expect(shown.locator("ul > li strong")).to_have_text("two")
    expect(shown.locator("em")).to_have_text("emphasis")
    expect(shown.locator("code")).to_have_text("code")
    expect(shown.get_by_role("link", name="a link")).to_have_attribute(
        "href", "https://example.com/_doc_/a_b"
    )
    expect(shown.get_by_role("link")).to_have_count(1)  # javascript: stays text
    expect(shown).to_contain_text("[bad](javascript:alert(1))")
    expect(shown).to_contain_text('<script>window.pwned = 1</script><img src=x onerror="')
    assert shown.locator("script, img").count() == 0
    assert page.evaluate("window.pwned === undefined")
    expect(page.locator("#result-text")).to_be_hidden()
    shot(page, tmp_path, "markdown")

    plain = open_thread(page, server.url, "echo", {"text": "Just a sentence, no marks."})
    expect(page.locator("#thread-id")).to_have_text(plain)
    expect(page.locator("#result-text")).to_have_text("Just a sentence, no marks.")
    expect(page.locator("#result-view .markdown")).to_have_count(0)


def test_a_chat_answer_in_markdown_is_shown_as_markdown(server: Any, page: Any) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size(DESKTOP)
    page.goto(server.url + "/")
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    message = page.get_by_label("Message")
    message.fill("help me analyse data")
    message.press("Enter")
    log = page.locator("#chat-log li")
    expect(log.nth(1)).to_contain_text("What kind of data is it?")
    message.fill("**sales** figures <b>now</b>")
    message.press("Enter")
    answer = log.nth(3)
    expect(answer.locator(".markdown strong")).to_have_text("sales")
    expect(answer).to_contain_text("Analysed sales figures <b>now</b> for: help me analyse data")
    expect(answer.locator("b")).to_have_count(0)

"""The reviewer's page in real headless Chromium, as a person uses it: on a phone and a desktop,
with their own key, through conflicts and live updates, with the keyboard alone (issue 18)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """The page behaves alike on every store (their contract tests cover them): SQLite only."""
    yield f"sqlite:///{tmp_path / 'pausepoint.db'}"


def shot(page: Any, tmp_path: Path, name: str) -> None:
    """A screenshot in the test's folder (and in PAUSEPOINT_SHOTS, when set, to look at)."""
    page.screenshot(path=str(tmp_path / f"{name}.png"))
    folder = os.environ.get("PAUSEPOINT_SHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"))
        page.screenshot(path=str(Path(folder) / f"{name}-full.png"), full_page=True)


def ready(page: Any, url: str) -> None:
    from playwright.sync_api import expect

    page.goto(url + "/")
    expect(page.locator("body[data-ready=true]")).to_have_count(1)


def start_story(page: Any, prompt: str) -> Any:
    from playwright.sync_api import expect

    page.select_option("#workflow", "story")
    page.fill("#input-prompt", prompt)
    page.click("#start-button")
    pause = page.locator(".pause")
    expect(pause.locator("h3")).to_have_text("Review the draft")
    return pause


def box(locator: Any) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, "not rendered"
    return dict(found)


def sideways(page: Any) -> int:
    return int(page.evaluate("document.scrollingElement.scrollWidth"))


def test_on_a_phone_the_page_is_one_column_with_the_pause_first(
    server: Any, page: Any, tmp_path: Path
) -> None:
    page.set_viewport_size(PHONE)
    ready(page, server.url)
    assert sideways(page) <= PHONE["width"]
    shot(page, tmp_path, "phone-start")

    pause = start_story(page, "a lighthouse keeper who finds a map " * 3)
    assert sideways(page) <= PHONE["width"]
    panel = box(pause)
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= PHONE["width"]
    # the pause comes before the start form and the lists, and is scrolled to
    assert panel["y"] < box(page.locator("#start-section"))["y"]
    assert 0 <= box(pause.locator("h3"))["y"] < PHONE["height"]
    shot(page, tmp_path, "phone-pause")

    page.set_viewport_size({"width": 360, "height": 740})  # the narrowest phones we serve
    assert sideways(page) <= 360
    assert box(pause)["x"] + box(pause)["width"] <= 360
    shot(page, tmp_path, "phone-360")


def test_on_a_desktop_the_lists_and_the_thread_stand_side_by_side(
    server: Any, page: Any, tmp_path: Path
) -> None:
    page.set_viewport_size(DESKTOP)
    ready(page, server.url)
    pause = start_story(page, "a fox")
    assert sideways(page) <= DESKTOP["width"]
    aside, thread = box(page.locator("aside")), box(page.locator("#thread"))
    assert aside["x"] + aside["width"] <= thread["x"]
    assert abs(aside["y"] - thread["y"]) < 2
    assert box(pause)["x"] + box(pause)["width"] <= DESKTOP["width"]
    shot(page, tmp_path, "desktop-pause")


def enter_key(page: Any, key: str) -> None:
    page.fill("#api-key", key)
    page.dispatch_event("#api-key", "change")


def test_switching_keys_shows_who_you_are_and_nothing_of_the_last_user(
    keyed_server: Any, api_keys: dict[str, str], page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size(DESKTOP)
    page.goto(keyed_server.url + "/")
    expect(page.locator("#whoami")).to_contain_text("An API key is required")
    enter_key(page, api_keys["ann"])
    expect(page.locator("#whoami")).to_have_text("Signed in as ann")
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    start_story(page, "ann's secret story")
    thread = page.locator("#thread-id").inner_text()
    page.locator(".pause textarea[name=comments]").fill("half a thought")
    page.locator("#thread-error").evaluate("n => n.textContent = 'an old error'")

    enter_key(page, api_keys["bob"])
    expect(page.locator("#whoami")).to_have_text("Signed in as bob")
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    expect(page.locator("#thread")).to_be_hidden()
    expect(page.locator(".pause")).to_have_count(0)
    expect(page.locator("#threads li")).to_have_count(0)
    content = page.content()
    assert thread not in content and "secret story" not in content and "an old error" not in content
    assert "#thread=" not in page.url
    shot(page, tmp_path, "bob-after-ann")

    enter_key(page, "pp_not_a_key")
    expect(page.locator("#whoami")).to_contain_text("not known")
    expect(page.locator("main")).to_be_hidden()
    expect(page.locator("#workflow option")).to_have_count(0)
    shot(page, tmp_path, "wrong-key")

    enter_key(page, "")
    expect(page.locator("#whoami")).to_contain_text("An API key is required")


def test_an_answer_someone_gave_first_is_told_in_words_and_the_typed_text_kept(
    keyed_server: Any, api_keys: dict[str, str], page: Any, tmp_path: Path
) -> None:
    """Ann types a comment; meanwhile she answers from elsewhere (another tab, the CLI). The
    live update does not wipe her typing; her answer from the page is refused in words, with
    the thread as it is now and her text offered back."""
    from playwright.sync_api import expect

    page.set_viewport_size(DESKTOP)
    page.goto(keyed_server.url + "/")
    enter_key(page, api_keys["ann"])
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    expect(page.locator("#live")).to_have_text("live")
    pause = start_story(page, "a fox")
    thread = page.locator("#thread-id").inner_text()
    pause.locator("textarea[name=comments]").fill("make it funnier")

    elsewhere = httpx.post(
        f"{keyed_server.url}/api/threads/{thread}/answers",
        json={"answer": {"decision": "update", "comments": "shorter"}},
        headers={"Authorization": f"Bearer {api_keys['ann']}"},
        timeout=60,
    )
    assert elsewhere.status_code == 200, elsewhere.text
    notice = page.locator("#thread-notice")
    expect(notice).to_contain_text("a newer version is here")
    expect(pause.locator("textarea[name=comments]")).to_have_value("make it funnier")
    expect(pause.locator(".context-revision")).to_have_text("1")
    shot(page, tmp_path, "newer-announced")

    pause.get_by_role("button", name="Update with comments").click()
    expect(notice).to_contain_text("already answered by ann (you, elsewhere) at")
    expect(notice).to_contain_text("here is where the thread is now")
    expect(notice.locator(".kept-text")).to_have_text("make it funnier")
    expect(page.locator(".pause .context-revision")).to_have_text("2")
    expect(page.locator("#inbox li")).to_have_count(1)
    shot(page, tmp_path, "conflict-told")

    notice.get_by_role("button", name="Put my text back").click()
    expect(page.locator(".pause textarea[name=comments]")).to_have_value("make it funnier")
    page.locator(".pause").get_by_role("button", name="Update with comments").click()
    expect(page.locator(".pause .context-revision")).to_have_text("3")
    expect(notice).to_be_hidden()


def test_two_browsers_race_on_one_pause_one_answer_counts_the_other_is_told(
    keyed_server: Any, api_keys: dict[str, str], page: Any, tmp_path: Path
) -> None:
    """Ann has the pause open on two devices (two browser contexts) and answers on both at
    once: one answer is applied, the other refused in words with her text kept."""
    from playwright.sync_api import expect

    page.set_viewport_size(DESKTOP)
    page.goto(keyed_server.url + "/")
    enter_key(page, api_keys["ann"])
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    first = start_story(page, "a fox")
    thread = page.locator("#thread-id").inner_text()

    device = page.context.browser.new_context(viewport=DESKTOP)
    other = device.new_page()
    other.goto(keyed_server.url + "/")
    enter_key(other, api_keys["ann"])
    expect(other.locator("body[data-ready=true]")).to_have_count(1)
    other.locator(f'#inbox li[data-thread-id="{thread}"] a').click()
    second = other.locator(".pause")
    expect(second.locator(".context-revision")).to_have_text("1")

    first.locator("textarea[name=comments]").fill("make it funnier")
    second.locator("textarea[name=comments]").fill("make it shorter")
    first.get_by_role("button", name="Update with comments").click()
    second.get_by_role("button", name="Update with comments").click()

    for tab in (page, other):  # both end up showing the thread as it is now
        expect(tab.locator(".pause .context-revision")).to_have_text("2")
    decisions = httpx.get(
        f"{keyed_server.url}/api/threads/{thread}/decisions",
        headers={"Authorization": f"Bearer {api_keys['ann']}"},
        timeout=60,
    ).json()["decisions"]
    assert len(decisions) == 1, decisions  # one answer applied, once
    won = decisions[0]["answer"]["comments"]
    loser, lost = (
        (other, "make it shorter") if won == "make it funnier" else (page, "make it funnier")
    )
    notice = loser.locator("#thread-notice")
    expect(notice).to_contain_text("already answered by ann (you, elsewhere) at")
    expect(notice.locator(".kept-text")).to_have_text(lost)
    expect((page if loser is other else other).locator("#thread-notice")).to_be_hidden()
    shot(loser, tmp_path, "race-lost")
    device.close()


EMPTY_ALERTS = (
    "[...document.querySelectorAll('[role=alert]')].filter(n => !n.textContent.trim()).length"
)
FOCUSED = "document.activeElement ? document.activeElement.textContent : ''"


def test_a_keyboard_alone_opens_an_inbox_entry_and_answers_with_focus_following(
    server: Any, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size(DESKTOP)
    view = httpx.post(
        server.url + "/api/threads", json={"workflow": "story", "input": {"prompt": "a fox"}}
    ).json()
    ready(page, server.url)
    assert page.evaluate(EMPTY_ALERTS) == 0

    entry = page.locator(f'#inbox li[data-thread-id="{view["thread_id"]}"] a')
    expect(entry).to_have_attribute("href", f"#thread={view['thread_id']}")
    for _ in range(40):  # Tab, as a person would, until the inbox entry has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('#inbox') !== null"):
            break
    else:
        pytest.fail("Tab never reached the inbox entry")
    page.keyboard.press("Enter")
    pause = page.locator(".pause")
    expect(pause.locator("h3")).to_have_text("Review the draft")
    expect(page.locator("#thread-heading")).to_be_focused()

    # the hint and the error are tied to the field; an error is an alert only while it speaks
    comments = pause.locator("textarea[name=comments]")
    described = comments.get_attribute("aria-describedby") or ""
    hints = " ".join(page.locator(f"#{i}").inner_text() for i in described.split() if i)
    assert "What to change." in hints
    pause.get_by_role("button", name="Update with comments").press("Enter")
    expect(pause.get_by_role("alert")).to_have_text("must not be empty")
    expect(comments).to_have_attribute("aria-invalid", "true")
    expect(comments).to_be_focused()
    assert page.evaluate(EMPTY_ALERTS) == 0
    shot(page, tmp_path, "keyboard-invalid")

    page.keyboard.type("make it funnier")
    page.keyboard.press("Tab")  # to Accept
    page.keyboard.press("Tab")  # to Update with comments
    page.keyboard.press("Enter")
    expect(page.locator(".pause .context-revision")).to_have_text("2")
    expect(page.locator(".pause h3")).to_be_focused()
    expect(page.locator("#announce")).to_have_text("The thread is now waiting: Review the draft.")
    assert page.evaluate(EMPTY_ALERTS) == 0
    shot(page, tmp_path, "keyboard-answered")


def test_a_rejection_reads_as_a_decision_with_its_history_and_the_result_as_a_table(
    server: Any, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size(DESKTOP)
    ready(page, server.url)
    page.select_option("#workflow", "deploy")
    page.fill("#input-service", "user-api")
    page.fill("#input-version", "v2.1.0")
    page.click("#start-button")
    pause = page.locator(".pause")
    expect(pause.locator("h3")).to_have_text("Deploy user-api v2.1.0 to production")
    pause.get_by_label("Reason").fill("not during the sale")
    pause.get_by_role("button", name="Reject").click()

    status = page.locator("#thread-status")
    expect(status).to_have_text("rejected")
    expect(status).not_to_have_class("badge failed")
    expect(page.locator("#thread-outcome")).to_have_text("Rejected by local: not during the sale")
    expect(page.locator("#thread-steps")).to_contain_text(
        "deploy: rejected by local: not during the sale"
    )
    expect(page.locator("#thread-steps")).not_to_contain_text("failed")
    expect(page.locator("#decisions li")).to_have_count(1)
    expect(page.locator("#decisions li")).to_contain_text("local rejected: not during the sale")
    page.locator("#result-raw summary").click()
    fields = page.locator("#result-raw").get_by_role("rowheader", name="validation_result")
    expect(fields.first).to_be_visible()
    shot(page, tmp_path, "rejected")


def test_the_owner_may_cancel_and_a_pause_for_someone_else_shows_whom_it_waits_for(
    keyed_server: Any, api_keys: dict[str, str], page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size(PHONE)
    page.goto(keyed_server.url + "/")
    enter_key(page, api_keys["ann"])
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    page.select_option("#workflow", "story")
    page.fill("#input-prompt", "a fox")
    page.fill("#input-reviewer", "bob")
    page.click("#start-button")

    pause = page.locator(".pause")
    expect(pause.locator("h3")).to_have_text("Review the draft")
    expect(pause).to_contain_text("Waiting for bob to answer.")
    expect(pause.get_by_role("button")).to_have_count(0)
    expect(pause.locator("textarea")).to_have_count(0)
    shot(page, tmp_path, "waits-for-bob")

    page.get_by_role("button", name="Cancel this thread").click()
    expect(page.locator("#thread-status")).to_have_text("cancelled")
    expect(page.locator(".pause")).to_have_count(0)
    expect(page.get_by_role("button", name="Cancel this thread")).to_be_hidden()


def test_a_run_whose_only_task_failed_is_not_shown_as_a_success(server: Any, page: Any) -> None:
    ready(page, server.url)
    failed = page.evaluate(
        """outcomeOf({status: "completed", result: {final_response: "nothing",
            tasks: [{id: "t1", task: "translate", status: "failed", error: "no agent"}]}})"""
    )
    fine = page.evaluate(
        """outcomeOf({status: "completed", result: {tasks: [{id: "t1", status: "done"}]}})"""
    )
    assert failed["label"] == "failed" and failed["tone"] == "failed"
    assert "1 of 1 task did not finish" in failed["line"] and "no agent" in failed["line"]
    assert fine["label"] == "completed"


def test_an_approval_edits_its_payload_in_a_prefilled_form_and_each_field_names_its_action(
    server: Any, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size(PHONE)
    ready(page, server.url)
    page.select_option("#workflow", "deploy")
    # short strings are one-line boxes, an enum a select
    expect(page.locator("#input-service")).to_have_attribute("type", "text")
    expect(page.locator("select#input-target")).to_have_value("production")
    page.fill("#input-service", "user-api")
    page.fill("#input-version", "v2.1.0")
    page.click("#start-button")

    pause = page.locator(".pause")
    expect(pause.locator("h3")).to_have_text("Deploy user-api v2.1.0 to production")
    reject_only = pause.locator("fieldset.for-action", has_text="Only for “Reject”")
    expect(reject_only.get_by_label("Reason")).to_be_visible()
    edits = pause.locator("fieldset.for-action", has_text="Only for “Approve with changes”")
    expect(edits.get_by_label("Target")).to_have_value("production")
    expect(edits.get_by_label("Service")).to_have_value("user-api")
    expect(edits.get_by_label("Version")).to_have_value("v2.1.0")
    expect(edits.get_by_label("Estimated downtime")).to_have_value("30 seconds")
    assert sideways(page) <= PHONE["width"]
    shot(page, tmp_path, "approval-form-phone")

    edits.get_by_label("Target").select_option("staging")
    edits.get_by_label("Version").fill("v2.1.1")
    pause.get_by_role("button", name="Approve with changes").click()
    expect(page.locator("#thread-status")).to_have_text("completed")
    expect(page.locator("#decisions li")).to_contain_text("local approved with changes")
    thread = page.locator("#thread-id").inner_text()
    log = httpx.get(f"{server.url}/api/threads/{thread}/decisions").json()["decisions"]
    assert log[0]["answer"]["edited_payload"] == {
        "target": "staging",
        "service": "user-api",
        "version": "v2.1.1",
        "estimated_downtime": "30 seconds",
    }


def test_an_answer_given_with_the_cli_reaches_an_open_page(
    server: Any, page: Any, run_cli: Any, tmp_path: Path
) -> None:
    """The CLI is another process on the same database: the server hears what it did (on
    SQLite by looking at the changed rows, service/feed.py) and the page follows it live."""
    from playwright.sync_api import expect

    page.set_viewport_size(DESKTOP)
    ready(page, server.url)
    start_story(page, "a fox")
    thread = page.locator("#thread-id").inner_text()
    expect(page.locator(f'#inbox li[data-thread-id="{thread}"]')).to_contain_text("asked")

    answered = run_cli("answer", thread, '{"decision": "accept"}', "--json")
    assert answered.code == 0, answered.stderr
    # stored when the CLI exits; the page shows it within 2 s of that
    expect(page.locator("#thread-status")).to_have_text("completed", timeout=2_000)
    expect(page.locator("#inbox li")).to_have_count(0)
    expect(page.locator("#decisions li")).to_contain_text("local accepted")

    page.select_option("#thread-filter", "waiting")
    expect(page.locator("#threads li")).to_have_count(0)
    expect(page.locator("#threads-empty")).to_be_visible()
    page.select_option("#thread-filter", "completed")
    expect(page.locator(f'#threads li[data-thread-id="{thread}"]')).to_contain_text("updated")
    shot(page, tmp_path, "cli-answered")


def test_the_chat_panel_asks_and_answers_over_the_websocket(
    keyed_server: Any, api_keys: dict[str, str], page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size(PHONE)
    page.goto(keyed_server.url + "/")
    enter_key(page, api_keys["bob"])
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    log = page.locator("#chat-log li")
    page.get_by_label("Message").fill("help me analyse data")
    page.get_by_label("Message").press("Enter")
    expect(log.nth(0)).to_have_text("bob: help me analyse data")
    expect(log.nth(1)).to_contain_text("What kind of data is it?")
    expect(page.locator("#inbox li")).to_have_count(1)

    page.get_by_label("Message").fill("sales figures")
    page.get_by_role("button", name="Send").click()
    expect(log.nth(3)).to_have_text("Pausepoint: Analysed sales figures for: help me analyse data")
    expect(page.locator("#inbox li")).to_have_count(0)
    assert sideways(page) <= PHONE["width"]
    shot(page, tmp_path, "chat-phone")


def test_a_chat_question_with_choices_is_the_pages_form_answered_over_the_socket(
    bundled_server: Any, page: Any, tmp_path: Path
) -> None:
    """The orchestrator asks which agent to use: the chat shows the same form as the page
    (a button per agent); the click answers over /ws/chat and the result follows. (A question
    wanting a line of text is answered in the message box: the test above.)"""
    from playwright.sync_api import expect

    page.set_viewport_size(PHONE)
    ready(page, bundled_server.url)
    page.get_by_label("Message").fill("compute the mean of 4, 8 and 15")
    page.get_by_label("Message").press("Enter")

    chat = page.locator("#chat-log")
    form = chat.locator("form.pause")
    expect(form.locator("h3")).to_have_text("Which agent should do this?")
    expect(form.get_by_role("button", name="calculator")).to_be_visible()
    shot(page, tmp_path, "chat-form-phone")
    form.get_by_role("button", name="statistics").click()

    expect(chat.locator("li.chat-mine").last).to_have_text("local: statistics")
    expect(chat.locator("li.chat-answer")).to_contain_text("mean 9")
    expect(form.get_by_role("button", name="statistics")).to_be_hidden()  # answered, done
    assert sideways(page) <= PHONE["width"]
    threads = httpx.get(f"{bundled_server.url}/api/threads", timeout=60).json()["threads"]
    [thread] = [t for t in threads if t["workflow"] == "orchestrator"]
    decisions = httpx.get(
        f"{bundled_server.url}/api/threads/{thread['thread_id']}/decisions", timeout=60
    ).json()["decisions"]
    assert [(d["actor"], d["answer"]) for d in decisions] == [("local", {"agent": "statistics"})]

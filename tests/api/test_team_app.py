"""A team's LangGraph app (tests/workflows/team_app, its own langgraph.json) through the HTTP
door and the web page of a live server: each graph starts over `POST /api/threads`, its pause
is in the inbox, a wrong answer is a 422 that leaves the thread as it was, a right one resumes
it and is in the decision log; an Agent Inbox request refuses a response type its config
forbids; a pause taken before a `pausepoint serve` restart is answered after it; `GET
/api/workflows` lists the graphs with their input schemas; the page starts a graph from a form
built from its input schema and answers its pause form (a typed interrupt's, a plain one's, the
LangChain agent's tool review, an Agent Inbox request's Edit prefilled with its args)."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from pausepoint.service.catalog import bundled, use_config
from pausepoint.settings import Settings
from pausepoint.workflows.registry import WorkflowRegistry

TEAM_APP = Path(__file__).resolve().parents[1] / "workflows" / "team_app"
TEAM_GRAPHS = {"expense", "triage", "writer", "survey", "receipts", "mailer", "refund"}
EXPENSE = {"employee": "ana", "amount": 120.5, "reason": "train tickets"}
ASK_EMAIL = "email ann@example.com about Lunch"
REFUND = {"order": "A-17", "amount": 30.0}


@pytest.fixture
def settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The test's database, serving the team app (no spec folder); the app's "env" is undone
    after the test."""
    monkeypatch.setenv("TEAM_APP_CURRENCY", "")
    monkeypatch.delenv("TEAM_APP_CURRENCY")
    return use_config(settings.model_copy(update={"workflows_dir": None}), TEAM_APP)


@pytest.fixture
def registry(settings: Settings) -> WorkflowRegistry:
    """What the `server` fixture serves: the team app's graphs and an orchestrator over them."""
    return bundled(settings)


@dataclass(frozen=True)
class Case:
    workflow: str
    input: dict[str, Any]
    title: str
    answer: Any
    result: dict[str, Any]


CASES = [
    Case(
        "expense",
        EXPENSE,
        "Approve 120.50 EUR for train tickets by ana?",
        {"approved": True, "note": "ok"},
        {"decision": {"approved": True, "note": "ok"}, "paid": 120.5},
    ),
    Case(
        "triage",
        {"ticket": "printer on fire"},
        "Which priority?",
        {"priority": "high"},
        {"ticket": "printer on fire", "priority": "high"},
    ),
    Case(
        "writer",
        {"topic": "tides"},
        "Sign off this note?",
        "yes",
        {"note": "A short note about tides.", "signed_off": True},
    ),
    Case("survey", {"customer": "Ann"}, "How was your visit, Ann? (1-5)", 4, {"rating": 4}),
    Case(
        "receipts",
        {"shop": "Bakery", "total": 4.2},
        "Is 4.20 from Bakery right? (yes/no)",
        "yes",
        {"receipt": {"shop": "Bakery", "total": 4.2}, "confirmed_total": 4.2},
    ),
]


async def inbox_titles(client: httpx.AsyncClient) -> dict[str, str]:
    response = await client.get("/api/inbox")
    assert response.status_code == 200, response.text
    return {item["thread_id"]: item["title"] for item in response.json()["inbox"]}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.workflow)
async def test_each_team_graph_starts_over_http_and_an_answer_resumes_it(
    server: Any, case: Case
) -> None:
    async with server.client() as client:
        started = await client.post(
            "/api/threads", json={"workflow": case.workflow, "input": case.input}
        )
        assert started.status_code == 201, started.text
        view = started.json()
        assert view["status"] == "waiting", view["error"]
        [pause] = view["pauses"]
        assert pause["title"] == case.title
        thread = view["thread_id"]
        assert (await inbox_titles(client))[thread] == case.title

        done = await client.post(f"/api/threads/{thread}/answers", json={"answer": case.answer})
        assert done.status_code == 200, done.text
        log = await client.get(f"/api/threads/{thread}/decisions")
        waiting = await inbox_titles(client)

    assert done.json()["status"] == "completed", done.json()["error"]
    result = done.json()["result"]
    assert {k: result[k] for k in case.result} == case.result  # the graph's final state
    [decision] = log.json()["decisions"]
    assert (decision["interrupt_id"], decision["answer"]) == (pause["interrupt_id"], case.answer)
    assert decision["actor"] == "local"
    assert thread not in waiting


async def test_a_wrong_answer_is_a_422_that_leaves_the_thread_as_it_was(server: Any) -> None:
    async with server.client() as client:
        started = await client.post("/api/threads", json={"workflow": "expense", "input": EXPENSE})
        thread = started.json()["thread_id"]
        before = (await client.get(f"/api/threads/{thread}")).json()

        wrong = await client.post(
            f"/api/threads/{thread}/answers", json={"answer": {"approved": "maybe"}}
        )
        empty = await client.post(f"/api/threads/{thread}/answers", json={"answer": {}})
        after = (await client.get(f"/api/threads/{thread}")).json()
        log = (await client.get(f"/api/threads/{thread}/decisions")).json()["decisions"]
        waiting = await inbox_titles(client)

        right = await client.post(
            f"/api/threads/{thread}/answers", json={"answer": {"approved": False}}
        )

    assert (wrong.status_code, wrong.json()["error"]) == (422, "invalid_answer")
    assert [f["loc"] for f in wrong.json()["fields"]] == ["approved"]
    assert empty.status_code == 422
    assert empty.json()["fields"] == [{"loc": "approved", "message": "field required"}]
    assert after == before
    assert log == []
    assert waiting[thread] == "Approve 120.50 EUR for train tickets by ana?"
    assert right.status_code == 200, right.text
    assert right.json()["status"] == "completed"
    assert right.json()["result"]["paid"] == 0.0


async def test_a_bad_start_input_is_a_422_naming_the_fields_and_starts_nothing(
    server: Any,
) -> None:
    async with server.client() as client:
        refused = await client.post(
            "/api/threads",
            json={"workflow": "expense", "input": {"employee": "ana", "amount": "lots"}},
        )
        threads = (await client.get("/api/threads")).json()["threads"]

    assert refused.status_code == 422
    fields = {f["loc"]: f["message"] for f in refused.json()["fields"]}
    assert fields == {"amount": "'lots' is not of type 'number'", "reason": "field required"}
    assert threads == []


async def test_the_workflow_list_has_each_team_graph_with_its_input_schema(server: Any) -> None:
    async with server.client() as client:
        listed = await client.get("/api/workflows")

    assert listed.status_code == 200
    served = {w["name"]: w for w in listed.json()["workflows"]}
    assert set(served) >= TEAM_GRAPHS | {"orchestrator"}
    expense = served["expense"]["input_schema"]
    assert expense["required"] == ["employee", "amount", "reason"]
    assert {name: spec["type"] for name, spec in expense["properties"].items()} == {
        "employee": "string",
        "amount": "number",
        "reason": "string",
    }
    assert served["writer"]["input_schema"]["required"] == ["topic"]
    assert served["survey"]["description"] == (
        "Asks a customer how their visit went and keeps the rating."
    )
    assert served["triage"]["description"] == (
        "Triage a support ticket: a person picks its priority."
    )
    assert served["mailer"]["input_schema"]["required"] == ["messages"]
    assert served["mailer"]["input_schema"]["properties"]["messages"]["type"] == "array"


def mailer_input(text: str) -> dict[str, Any]:
    """The LangChain agent's input: one message from the person."""
    return {"messages": [{"role": "user", "content": text}]}


def tool_results(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(tool, content, status) of each ToolMessage in the agent's final state."""
    return [
        (m["name"], m["content"], m["status"]) for m in result["messages"] if m["type"] == "tool"
    ]


async def test_the_agents_tool_review_refuses_a_decision_not_allowed_then_takes_a_rejection(
    server: Any,
) -> None:
    async with server.client() as client:
        started = await client.post(
            "/api/threads",
            json={"workflow": "mailer", "input": mailer_input("delete the draft Old plan")},
        )
        assert started.status_code == 201, started.text
        view = started.json()
        thread = view["thread_id"]
        [pause] = view["pauses"]
        in_inbox = await inbox_titles(client)

        edit = {"type": "edit", "args": {"subject": "New plan"}}
        refused = await client.post(f"/api/threads/{thread}/answers", json={"answer": edit})
        after = (await client.get(f"/api/threads/{thread}")).json()
        log_after_refusal = (await client.get(f"/api/threads/{thread}/decisions")).json()

        reject = {"type": "reject", "message": "keep it"}
        done = await client.post(f"/api/threads/{thread}/answers", json={"answer": reject})
        log = (await client.get(f"/api/threads/{thread}/decisions")).json()["decisions"]

    assert (pause["kind"], pause["title"]) == ("review", "Tool execution requires approval")
    assert [a["label"] for a in pause["actions"]] == ["Approve", "Reject"]  # as its config says
    assert in_inbox[thread] == "Tool execution requires approval"
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == "invalid_answer"
    assert after == view
    assert log_after_refusal["decisions"] == []
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed", done.json()["error"]
    rejection = "User rejected the tool call for `delete_draft` with reason: keep it"
    assert tool_results(done.json()["result"]) == [("delete_draft", rejection, "error")]
    assert [d["answer"] for d in log] == [{"decisions": [reject]}]  # what the middleware reads


async def test_an_agent_inbox_request_refuses_a_type_its_config_forbids_then_takes_an_edit(
    server: Any,
) -> None:
    async with server.client() as client:
        started = await client.post("/api/threads", json={"workflow": "refund", "input": REFUND})
        assert started.status_code == 201, started.text
        view = started.json()
        thread = view["thread_id"]
        [pause] = view["pauses"]
        in_inbox = await inbox_titles(client)

        ignore = {"type": "ignore"}  # allow_ignore is False
        refused = await client.post(f"/api/threads/{thread}/answers", json={"answer": ignore})
        after = (await client.get(f"/api/threads/{thread}")).json()
        log_after_refusal = (await client.get(f"/api/threads/{thread}/decisions")).json()

        edit = {"type": "edit", "args": {"order": "A-17", "amount": 20}}
        done = await client.post(f"/api/threads/{thread}/answers", json={"answer": edit})
        log = (await client.get(f"/api/threads/{thread}/decisions")).json()["decisions"]

    assert (pause["kind"], pause["title"]) == ("review", "Refund 30.00 to order A-17?")
    assert [a["label"] for a in pause["actions"]] == ["Accept", "Edit", "Respond"]
    assert in_inbox[thread] == "Refund 30.00 to order A-17?"
    assert (refused.status_code, refused.json()["error"]) == (422, "invalid_answer")
    assert refused.json()["fields"] == [
        {"loc": "type", "message": "must be one of ['accept', 'edit', 'response'], not 'ignore'"}
    ]
    assert after == view
    assert log_after_refusal["decisions"] == []
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed", done.json()["error"]
    assert done.json()["result"]["refund"] == {"order": "A-17", "amount": 20}
    # what the graph got: Agent Inbox's list of one HumanResponse, the edit as an ActionRequest
    edited = {"action": "issue_refund", "args": {"order": "A-17", "amount": 20}}
    assert [d["answer"] for d in log] == [[{"type": "edit", "args": edited}]]


# a `pausepoint serve` process, stopped and started again on the same database


@asynccontextmanager
async def serving_team_app(
    background: Any, cli_env: dict[str, str], cwd: Path, name: str
) -> AsyncIterator[httpx.AsyncClient]:
    """`pausepoint serve --config <team app>` as a process on the test's database, once it
    lists its workflows: a client on it. The process stops when the block ends."""

    def command(port: int) -> list[str]:
        serve = ["serve", "--host", "127.0.0.1", "--port", str(port)]
        return [sys.executable, "-m", "pausepoint", *serve, "--config", str(TEAM_APP)]

    async def listing(client: httpx.AsyncClient) -> bool | None:
        return True if (await client.get("/api/workflows")).is_success else None

    async with background(name, command, cwd=cwd, env=cli_env, ready=listing) as (url, _):
        client = httpx.AsyncClient(base_url=url, timeout=60)  # on the URL the server got
        async with client:
            yield client


async def test_a_refund_paused_before_a_restart_is_answered_over_http_after_it(
    background: Any, cli_env: dict[str, str], tmp_path: Path
) -> None:
    async with serving_team_app(background, cli_env, tmp_path, "serve-before") as client:
        started = await client.post("/api/threads", json={"workflow": "refund", "input": REFUND})
    assert started.status_code == 201, started.text
    thread = started.json()["thread_id"]

    async with serving_team_app(background, cli_env, tmp_path, "serve-after") as client:
        shown = (await client.get(f"/api/threads/{thread}")).json()
        done = await client.post(
            f"/api/threads/{thread}/answers", json={"answer": {"type": "accept"}}
        )
        waiting = await inbox_titles(client)

    assert (shown["status"], shown["pauses"]) == ("waiting", started.json()["pauses"])
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed", done.json()["error"]
    assert done.json()["result"]["refund"] == {"order": "A-17", "amount": 30.0}
    assert thread not in waiting


# the web page, in headless Chromium


def open_start_form(page: Any, url: str, workflow: str) -> None:
    from playwright.sync_api import expect

    page.goto(url + "/")
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    page.select_option("#workflow", workflow)


def form_json(pause: Any, label: str) -> Any:
    """The JSON in the pause form's field labelled `label`."""
    return json.loads(pause.get_by_label(label, exact=True).input_value())


def result_json(page: Any) -> Any:
    """The thread's result as JSON: the page shows it as a table, its JSON folded beneath."""
    from playwright.sync_api import expect

    expect(page.locator("#result-view table").first).to_be_visible()
    return json.loads(page.locator("#result-text").text_content() or "")


def start_refund(page: Any, url: str) -> Any:
    """Start the refund of 30.00 to order A-17 from its input form: its pause, once shown."""
    from playwright.sync_api import expect

    open_start_form(page, url, "refund")
    page.fill("#input-order", "A-17")
    page.fill("#input-amount", "30")
    page.click("#start-button")
    pause = page.locator(".pause")
    expect(pause.locator("h3")).to_have_text("Refund 30.00 to order A-17?")
    expect(pause.get_by_role("button")).to_have_text(["Accept", "Edit", "Respond"])
    return pause


def test_the_page_starts_the_expense_graph_from_its_input_form_and_approves_it(
    server: Any, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    open_start_form(page, server.url, "expense")
    expect(page.locator("#workflow-description")).to_have_text(
        "Expense approval: a manager approves each expense claim before it is paid."
    )
    expect(page.locator("#input-amount")).to_have_attribute("type", "number")

    # the form comes from the input schema: a missing field is named next to it
    page.fill("#input-employee", "ana")
    page.fill("#input-amount", "120.5")
    page.click("#start-button")
    expect(page.locator('#start-form .field-error[data-for="reason"]')).to_have_text(
        "field required"
    )
    expect(page.locator("#thread")).to_be_hidden()

    page.fill("#input-reason", "train tickets")
    page.click("#start-button")
    pause = page.locator(".pause")
    expect(pause.locator("h3")).to_have_text("Approve 120.50 EUR for train tickets by ana?")
    expect(page.locator("#thread-status")).to_have_text("waiting")
    expect(page.locator("#inbox li")).to_have_count(1)
    page.screenshot(path=str(tmp_path / "expense-paused.png"), full_page=True)

    # the pause form comes from the interrupt's response_schema
    pause.locator("input[name=approved]").check()
    pause.locator("input[name=note]").fill("ok")
    pause.get_by_role("button", name="Submit").click()

    expect(page.locator("#thread-status")).to_have_text("completed")
    expect(page.locator("#inbox li")).to_have_count(0)
    result = result_json(page)
    assert result["decision"] == {"approved": True, "note": "ok"}
    assert result["paid"] == 120.5
    thread = page.locator("#thread-id").inner_text()
    log = httpx.get(f"{server.url}/api/threads/{thread}/decisions", timeout=60).json()
    assert [d["answer"] for d in log["decisions"]] == [{"approved": True, "note": "ok"}]


def test_the_page_answers_a_plain_interrupt_of_a_functional_api_graph(
    server: Any, page: Any
) -> None:
    from playwright.sync_api import expect

    open_start_form(page, server.url, "writer")
    page.fill("#input-topic", "tides")
    page.click("#start-button")

    pause = page.locator(".pause")
    expect(pause.locator("h3")).to_have_text("Sign off this note?")
    expect(pause.locator(".context-draft")).to_have_text("A short note about tides.")
    pause.locator("[name=answer]").fill("yes")
    pause.get_by_role("button", name="Submit").click()

    expect(page.locator("#thread-status")).to_have_text("completed")
    result = result_json(page)
    assert result == {"note": "A short note about tides.", "signed_off": True}


def test_the_page_starts_the_langchain_agent_and_rejects_its_tool_call_with_a_reason(
    server: Any, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    open_start_form(page, server.url, "mailer")
    page.fill("#input-messages", json.dumps(mailer_input(ASK_EMAIL)["messages"]))
    page.click("#start-button")

    pause = page.locator(".pause")
    expect(pause.locator("h3")).to_have_text("Tool execution requires approval")
    expect(pause.get_by_role("button")).to_have_text(["Approve", "Edit", "Reject"])
    assert form_json(pause, "Arguments") == {"to": "ann@example.com", "subject": "Lunch"}
    page.screenshot(path=str(tmp_path / "mailer-review.png"), full_page=True)
    pause.locator("[name=message]").fill("not today")
    pause.get_by_role("button", name="Reject").click()

    expect(page.locator("#thread-status")).to_have_text("completed")
    result = result_json(page)
    rejection = "User rejected the tool call for `send_email` with reason: not today"
    assert tool_results(result) == [("send_email", rejection, "error")]


def test_the_page_prefills_an_agent_inbox_edit_with_the_requests_args(
    server: Any, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    pause = start_refund(page, server.url)
    assert form_json(pause, "Arguments") == {"order": "A-17", "amount": 30}
    expect(pause.get_by_label("Response", exact=True)).to_have_value("")  # a field of its own
    page.screenshot(path=str(tmp_path / "refund-review.png"), full_page=True)

    pause.get_by_label("Arguments", exact=True).fill('{"order": "A-17", "amount": 20}')
    pause.get_by_role("button", name="Edit").click()

    expect(page.locator("#thread-status")).to_have_text("completed")
    result = result_json(page)
    assert result["refund"] == {"order": "A-17", "amount": 20}


def test_the_page_answers_an_agent_inbox_request_with_a_response(server: Any, page: Any) -> None:
    from playwright.sync_api import expect

    pause = start_refund(page, server.url)
    pause.get_by_label("Response", exact=True).fill("customer called, no refund needed")
    pause.get_by_role("button", name="Respond").click()

    expect(page.locator("#thread-status")).to_have_text("completed")
    result = result_json(page)
    assert (result["refund"], result["note"]) == (None, "customer called, no refund needed")

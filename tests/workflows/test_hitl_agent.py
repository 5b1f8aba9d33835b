"""A LangChain agent guarded by `HumanInTheLoopMiddleware` (tests/workflows/team_app/agent.py:
the real `create_agent` and middleware, a scripted chat model) served from the team app's
langgraph.json: the middleware's request is a Pause with the decisions its config allows, a
decision it does not allow is refused before anything runs, and approve / edit / reject / respond
reach the agent as the middleware expects, across a restart, under strict msgpack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pausepoint.domain import Pause, ThreadStatus, ThreadView
from pausepoint.errors import InvalidAnswer
from pausepoint.service.doors import Door
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings

TEAM_APP = Path(__file__).resolve().parent / "team_app"
EMAIL = {"to": "ann@example.com", "subject": "Lunch"}
ASK_EMAIL = "email ann@example.com about Lunch"


@pytest.fixture
def team(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings serving the team app (its langgraph.json "env" kept out of other tests)."""
    monkeypatch.setenv("TEAM_APP_CURRENCY", "")
    monkeypatch.delenv("TEAM_APP_CURRENCY")
    return Settings(
        database_url=db_url, model="offline", config=TEAM_APP, workflows_dir=None, _env_file=None
    )


def request(text: str) -> dict[str, Any]:
    """The agent's input: one message from the person."""
    return {"messages": [{"type": "human", "content": text}]}


async def start(settings: Settings, text: str) -> ThreadView:
    async with ThreadService.open(settings, chat_model=None) as service:
        paused = await service.start("mailer", request(text), "ann")
    assert paused.status is ThreadStatus.WAITING, paused.error
    return paused


async def answer_after_restart(settings: Settings, paused: ThreadView, answer: Any) -> ThreadView:
    """Answer `paused` from a service opened anew (a restart), which shows it as it was."""
    async with ThreadService.open(settings, chat_model=None) as service:
        assert await service.get(paused.thread_id) == paused
        done = await service.answer(paused.thread_id, answer, "ann")
    assert done.status is ThreadStatus.COMPLETED, done.error
    return done


def tool_results(done: ThreadView) -> list[tuple[str, str, str]]:
    """(tool, content, status) of each ToolMessage in the agent's final state."""
    return [
        (m["name"], m["content"], m["status"])
        for m in done.result["messages"]
        if m["type"] == "tool"
    ]


def final_answer(done: ThreadView) -> str:
    last = done.result["messages"][-1]
    assert last["type"] == "ai" and not last["tool_calls"]
    return str(last["content"])


def variant(pause: Pause, kind: str) -> dict[str, Any]:
    """The branch of the pause's form answering with decision `kind`."""
    assert pause.response_schema is not None
    return next(
        v
        for v in pause.response_schema["anyOf"]
        if v["properties"].get("type", {}).get("const") == kind
    )


async def test_the_middlewares_request_is_a_review_with_its_allowed_decisions_and_the_args(
    team: Settings,
) -> None:
    paused = await start(team, ASK_EMAIL)

    [pause] = paused.pauses
    assert (pause.kind, pause.title) == ("review", "Tool execution requires approval")
    assert pause.message == f"Tool: send_email\nArgs: {EMAIL}"
    assert [(a.label, a.answer, a.fields) for a in pause.actions] == [
        ("Approve", {"type": "approve"}, []),
        ("Edit", {"type": "edit"}, ["args"]),
        ("Reject", {"type": "reject"}, ["message"]),
    ]
    assert variant(pause, "edit")["properties"]["args"]["default"] == EMAIL
    [asked] = pause.context["action_requests"]
    assert (asked["name"], asked["args"]) == ("send_email", EMAIL)


async def test_approve_after_a_restart_runs_the_tool_and_the_model_gets_its_result(
    team: Settings,
) -> None:
    paused = await start(team, ASK_EMAIL)

    done = await answer_after_restart(team, paused, {"type": "approve"})

    assert tool_results(done) == [("send_email", "Sent 'Lunch' to ann@example.com", "success")]
    assert final_answer(done) == "Done. Sent 'Lunch' to ann@example.com"


async def test_edit_after_a_restart_runs_the_tool_with_the_edited_args(team: Settings) -> None:
    paused = await start(team, ASK_EMAIL)
    edited = {"to": "bob@example.com", "subject": "Dinner"}

    done = await answer_after_restart(team, paused, {"type": "edit", "args": edited})

    [(tool, content, status)] = tool_results(done)
    assert (tool, status) == ("send_email", "success")
    assert content.endswith("Tool response:\nSent 'Dinner' to bob@example.com")
    assert done.result["hitl_edited_tool_calls"] == {
        "call_1": {"name": "send_email", "args": edited}
    }


async def test_reject_after_a_restart_tells_the_model_why_and_the_tool_does_not_run(
    team: Settings,
) -> None:
    paused = await start(team, ASK_EMAIL)

    done = await answer_after_restart(team, paused, {"type": "reject", "message": "not today"})

    rejection = "User rejected the tool call for `send_email` with reason: not today"
    assert tool_results(done) == [("send_email", rejection, "error")]
    assert final_answer(done) == f"Done. {rejection}"


async def test_one_decision_in_a_decisions_list_answers_the_single_request(
    team: Settings,
) -> None:
    paused = await start(team, ASK_EMAIL)

    done = await answer_after_restart(team, paused, {"decisions": [{"type": "approve"}]})

    assert tool_results(done) == [("send_email", "Sent 'Lunch' to ann@example.com", "success")]


async def test_a_decision_the_tool_does_not_allow_is_invalid_and_leaves_the_thread_as_it_was(
    team: Settings,
) -> None:
    paused = await start(team, "delete the draft Old plan")
    [pause] = paused.pauses
    assert [a.label for a in pause.actions] == ["Approve", "Reject"]

    async with ThreadService.open(team, chat_model=None) as service:
        for refused in (
            {"type": "edit", "args": {"subject": "New plan"}},
            {"decisions": [{"type": "edit", "args": {"subject": "New plan"}}]},
            {"type": "respond", "message": "deleted it myself"},
        ):
            with pytest.raises(InvalidAnswer):
                await service.answer(paused.thread_id, refused, "ann")
        assert await service.get(paused.thread_id) == paused
        assert await service.decisions(paused.thread_id) == []

    done = await answer_after_restart(team, paused, {"type": "approve"})
    assert tool_results(done) == [("delete_draft", "Deleted the draft 'Old plan'", "success")]


async def test_respond_answers_for_the_tool_without_running_it(team: Settings) -> None:
    paused = await start(team, "book a room for Friday")  # `book_room: True`: every decision
    [pause] = paused.pauses
    assert [a.label for a in pause.actions] == ["Approve", "Edit", "Reject", "Respond"]
    async with ThreadService.open(team, chat_model=None) as service:
        with pytest.raises(InvalidAnswer):  # a response says something
            await service.answer(paused.thread_id, {"type": "respond"}, "ann")

    done = await answer_after_restart(
        team, paused, {"type": "respond", "message": "Room 4 is yours"}
    )

    assert tool_results(done) == [("book_room", "Room 4 is yours", "success")]
    assert final_answer(done) == "Done. Room 4 is yours"


async def test_two_calls_in_one_turn_take_one_decision_each_checked_against_its_own_tool(
    team: Settings,
) -> None:
    paused = await start(team, f"{ASK_EMAIL}; delete the draft Old plan")
    [pause] = paused.pauses
    assert (pause.title, pause.actions) == ("Review 2 tool calls", [])
    edit = {"type": "edit", "args": {"to": "bob@example.com", "subject": "Lunch"}}

    async with ThreadService.open(team, chat_model=None) as service:
        for refused in (
            [{"type": "approve"}, {"type": "edit", "args": {"subject": "New plan"}}],
            [{"type": "approve"}],
            [{"type": "approve"}, {"type": "approve"}, {"type": "approve"}],
        ):
            with pytest.raises(InvalidAnswer):
                await service.answer(paused.thread_id, {"decisions": refused}, "ann")
        assert await service.get(paused.thread_id) == paused

    done = await answer_after_restart(
        team, paused, {"decisions": [edit, {"type": "reject", "message": "keep it"}]}
    )

    [rejected, sent] = tool_results(done)
    assert rejected == (
        "delete_draft",
        "User rejected the tool call for `delete_draft` with reason: keep it",
        "error",
    )
    assert sent[0] == "send_email" and sent[1].endswith("Sent 'Lunch' to bob@example.com")


async def test_a_text_reply_rejects_with_its_reason(team: Settings) -> None:
    paused = await start(team, ASK_EMAIL)

    async with ThreadService.open(team, chat_model=None) as service:
        done = await Door(service, "ann").reply(paused.thread_id, "reject: not today")

    assert done.status is ThreadStatus.COMPLETED, done.error
    assert tool_results(done) == [
        (
            "send_email",
            "User rejected the tool call for `send_email` with reason: not today",
            "error",
        )
    ]


async def test_a_decision_word_the_tool_does_not_allow_is_refused_not_taken_as_a_reason(
    team: Settings,
) -> None:
    paused = await start(team, "delete the draft Old plan")  # approve or reject only

    async with ThreadService.open(team, chat_model=None) as service:
        door = Door(service, "ann")
        refusals = []
        for text in ("edit", "Edit: subject New plan", "respond: deleted it myself", "ignore"):
            with pytest.raises(InvalidAnswer) as refused:
                await door.reply(paused.thread_id, text)
            refusals.append(refused.value)
        assert await service.get(paused.thread_id) == paused
        assert await service.decisions(paused.thread_id) == []
        done = await door.reply(paused.thread_id, "approve")

    assert refusals[0].fields == [{"loc": "type", "message": "'edit' is not allowed here"}]
    assert all("choose one of: Approve, Reject: <message>" in r.detail for r in refusals)
    assert tool_results(done) == [("delete_draft", "Deleted the draft 'Old plan'", "success")]


async def test_a_message_given_as_role_and_content_starts_the_agent(team: Settings) -> None:
    async with ThreadService.open(team, chat_model=None) as service:
        paused = await service.start(
            "mailer", {"messages": [{"role": "user", "content": ASK_EMAIL}]}, "ann"
        )
    assert paused.status is ThreadStatus.WAITING, paused.error

"""Interrupts as teams write them: a plain dict, `response_schema`, Agent Inbox's
HumanInterrupt and LangChain's HumanInTheLoopMiddleware request each become a Pause with a form
and actions, and the person's answer reaches the graph as the value it expects, across a
restart (the pause row keeps how to turn the answer back)."""

from __future__ import annotations

import warnings
from typing import Any, TypedDict

import pytest
from langgraph.graph import START, StateGraph
from langgraph.types import interrupt
from pydantic import BaseModel

from pausepoint.domain import ThreadStatus
from pausepoint.errors import InvalidAnswer
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings
from pausepoint.workflows import BuildContext, Workflow, WorkflowRegistry


class State(TypedDict, total=False):
    got: Any


class NoInput(BaseModel):
    pass


class Approval(BaseModel):
    approved: bool
    note: str = ""


EMAIL = {"to": "ann@example.com", "subject": "Hi"}
HITL_REQUEST = {
    "action_requests": [
        {"name": "delete_file", "args": {"path": "/tmp/x"}, "description": "Delete /tmp/x?"}
    ],
    "review_configs": [{"action_name": "delete_file", "allowed_decisions": ["approve", "reject"]}],
}


def one_node(name: str, ask: Any) -> Workflow:
    def build(ctx: BuildContext) -> StateGraph[State, Any, Any, Any]:
        graph = StateGraph(State)
        graph.add_node("ask", lambda state: {"got": ask()})
        graph.add_edge(START, "ask")
        return graph

    return Workflow(
        name=name,
        description=f"one interrupt, {name}",
        build=build,
        input_model=NoInput,
        result=lambda values: values.get("got"),
    )


def inbox_request() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from langgraph.prebuilt.interrupt import ActionRequest, HumanInterrupt, HumanInterruptConfig

        return HumanInterrupt(
            action_request=ActionRequest(action="send_email", args=EMAIL),
            config=HumanInterruptConfig(
                allow_accept=True, allow_edit=True, allow_respond=False, allow_ignore=True
            ),
            description="Send this email?\nIt goes to a customer.",
        )


WORKFLOWS = WorkflowRegistry(
    {
        wf.name: wf
        for wf in (
            one_node(
                "plain", lambda: interrupt({"question": "Which region?", "options": ["eu", "us"]})
            ),
            one_node(
                "typed",
                lambda: interrupt("Approve 120.50 EUR?", response_schema=Approval).model_dump(),
            ),
            one_node("inbox", lambda: interrupt([inbox_request()])[0]),
            one_node("hitl", lambda: interrupt(HITL_REQUEST)),
        )
    }
)


async def start_then_answer(settings: Settings, name: str, answer: Any) -> tuple[Any, Any]:
    """Start `name`, restart the service, answer; (the pause, the graph's result)."""
    async with ThreadService.open(settings, workflows=WORKFLOWS, chat_model=None) as service:
        view = await service.start(name, {}, "ann")
    async with ThreadService.open(settings, workflows=WORKFLOWS, chat_model=None) as service:
        done = await service.answer(view.thread_id, answer, "ann")
    assert done.status is ThreadStatus.COMPLETED
    return view.pauses[0], done.result


async def test_a_plain_dict_interrupt_reads_its_question(settings: Settings) -> None:
    pause, got = await start_then_answer(settings, "plain", "eu")
    assert (pause.title, pause.context) == ("Which region?", {"options": ["eu", "us"]})
    assert got == "eu"


async def test_a_response_schema_is_the_form_and_a_wrong_answer_changes_nothing(
    settings: Settings,
) -> None:
    async with ThreadService.open(settings, workflows=WORKFLOWS, chat_model=None) as service:
        view = await service.start("typed", {}, "ann")
        assert view.pauses[0].response_schema["required"] == ["approved"]
        with pytest.raises(InvalidAnswer, match="approved"):
            await service.answer(view.thread_id, {"approved": "maybe"}, "ann")
        assert await service.get(view.thread_id) == view
        done = await service.answer(view.thread_id, {"approved": True}, "ann")
    assert done.result == {"approved": True, "note": ""}


async def test_agent_inbox_human_interrupt_answers_as_human_response(settings: Settings) -> None:
    edited = {**EMAIL, "subject": "Hello"}
    pause, got = await start_then_answer(settings, "inbox", {"type": "edit", "args": edited})

    assert pause.title == "Send this email?" and pause.message == "It goes to a customer."
    assert [a.label for a in pause.actions] == ["Accept", "Edit", "Ignore"]
    assert pause.context == {"action": "send_email", "args": EMAIL}
    assert got == {"type": "edit", "args": {"action": "send_email", "args": edited}}


async def test_agent_inbox_refuses_a_response_type_its_flags_forbid(settings: Settings) -> None:
    async with ThreadService.open(settings, workflows=WORKFLOWS, chat_model=None) as service:
        view = await service.start("inbox", {}, "ann")
        with pytest.raises(InvalidAnswer):
            await service.answer(view.thread_id, {"type": "response", "args": "no"}, "ann")
        done = await service.answer(view.thread_id, {"type": "accept"}, "ann")
    assert done.result == {"type": "accept", "args": None}


async def test_hitl_middleware_request_answers_as_decisions(settings: Settings) -> None:
    pause, got = await start_then_answer(settings, "hitl", {"type": "reject", "message": "not now"})

    assert pause.title == "Delete /tmp/x?"
    assert [a.label for a in pause.actions] == ["Approve", "Reject"]
    assert got == {"decisions": [{"type": "reject", "message": "not now"}]}


async def test_hitl_takes_the_decisions_list_and_refuses_a_decision_not_allowed(
    settings: Settings,
) -> None:
    async with ThreadService.open(settings, workflows=WORKFLOWS, chat_model=None) as service:
        view = await service.start("hitl", {}, "ann")
        with pytest.raises(InvalidAnswer):
            await service.answer(view.thread_id, {"type": "edit", "args": {"path": "/"}}, "ann")
        done = await service.answer(view.thread_id, {"decisions": [{"type": "approve"}]}, "ann")
    assert done.result == {"decisions": [{"type": "approve"}]}


async def test_text_replies_answer_inbox_and_hitl_pauses(settings: Settings) -> None:
    from pausepoint.service.doors import Door

    async with ThreadService.open(settings, workflows=WORKFLOWS, chat_model=None) as service:
        hitl = await service.start("hitl", {}, "ann")
        rejected = await Door(service, "ann").reply(hitl.thread_id, "reject: not now")
        inbox = await service.start("inbox", {}, "ann")
        ignored = await Door(service, "ann").reply(inbox.thread_id, "ignore")

    assert rejected.result == {"decisions": [{"type": "reject", "message": "not now"}]}
    assert ignored.result == {"type": "ignore", "args": None}

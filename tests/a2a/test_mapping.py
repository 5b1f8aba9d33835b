"""How text maps onto a pause, and how a remote task's state reads as a question or a result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from a2a.helpers import new_data_part, new_text_part
from a2a.types.a2a_pb2 import Artifact, Message, Role, Task, TaskState, TaskStatus

from pausepoint.a2a.answers import answers_from_message
from pausepoint.a2a.card import build_card
from pausepoint.a2a.starts import choose_workflow
from pausepoint.agents.a2a_client import read_turn
from pausepoint.domain import Pause
from pausepoint.errors import InvalidAnswer, InvalidInput
from pausepoint.service.catalog import bundled
from pausepoint.workflows.registry import WorkflowRegistry
from pausepoint.workflows.story import STORY

ReviewPause = Callable[..., Pause]


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("accept", {"decision": "accept"}),
        ("Accept", {"decision": "accept"}),
        ("update: make it funnier", {"decision": "update", "comments": "make it funnier"}),
        ("Update with comments: shorter", {"decision": "update", "comments": "shorter"}),
        ("update", {"decision": "update"}),
    ],
)
def test_text_names_an_action_and_fills_its_one_field(
    text: str, answer: Any, review_pause: ReviewPause
) -> None:
    assert answers_from_message([review_pause()], {}, text) == {"i1": answer}


def test_free_text_on_a_review_becomes_the_comment(review_pause: ReviewPause) -> None:
    assert answers_from_message([review_pause()], {}, "give the fox a name") == {
        "i1": {"decision": "update", "comments": "give the fox a name"}
    }


def _task(state: TaskState, text: str = "", artifacts: list[Artifact] | None = None) -> Task:
    parts = [new_text_part(text)] if text else []
    message = Message(role=Role.ROLE_AGENT, message_id="m", parts=parts)
    return Task(
        id="t1",
        context_id="c1",
        status=TaskStatus(state=state, message=message),
        artifacts=artifacts or [],
    )


def test_a_langgraph_interrupt_artifact_reads_as_a_question_answered_by_resume() -> None:
    interrupt = Artifact(
        artifact_id="a",
        name="Interrupt",
        parts=[
            new_data_part(
                {"id": "int-1", "value": "Which city?", "response_schema": {"type": "string"}}
            )
        ],
    )
    turn = read_turn(_task(TaskState.TASK_STATE_INPUT_REQUIRED, artifacts=[interrupt]), "lg", "u")
    assert turn.waiting and turn.style == "interrupt"
    assert turn.question is not None and turn.question["title"] == "lg: Which city?"
    assert turn.schema == {"type": "string"}


def test_a_plain_text_question_reads_as_a_text_question() -> None:
    turn = read_turn(_task(TaskState.TASK_STATE_INPUT_REQUIRED, text="Your name?"), "agent", "u")
    assert turn.style == "text" and turn.question is not None
    assert turn.question["title"] == "agent: Your name?"


def test_a_completed_task_reads_its_artifacts_as_the_result() -> None:
    result = Artifact(artifact_id="r", name="result", parts=[new_data_part({"story": "s"})])
    turn = read_turn(_task(TaskState.TASK_STATE_COMPLETED, artifacts=[result]), "agent", "u")
    assert turn.state == "completed" and turn.result == {"story": "s"}


def _registry_with_orchestrator() -> WorkflowRegistry:
    registry = bundled()
    registry.register(replace(STORY, name="orchestrator", description="Plans and delegates."))
    return registry


def test_plain_text_starts_the_orchestrator_when_one_is_registered() -> None:
    assert choose_workflow(_registry_with_orchestrator(), {}, "write a story") == (
        "orchestrator",
        {"message": "write a story"},
    )
    with pytest.raises(InvalidInput, match="name a workflow"):
        choose_workflow(WorkflowRegistry({"story": STORY}), {}, "write a story")


def test_the_card_has_a_skill_per_workflow_and_a_chat_skill_for_the_orchestrator() -> None:
    registry = _registry_with_orchestrator()
    card = build_card(registry, "http://127.0.0.1:1")
    skills = {s.id: s.name for s in card.skills}
    assert set(skills) == {w.name for w in registry}
    assert skills["orchestrator"] == "Chat with the orchestrator"
    assert skills["story"] == "story"


def test_with_several_pauses_pending_a_reply_must_name_the_pause() -> None:
    first, second = Pause(interrupt_id="a", title="A"), Pause(interrupt_id="b", title="B")
    with pytest.raises(InvalidAnswer, match=r"2 pauses are pending.*ids: a, b"):
        answers_from_message([first, second], {}, "yes")
    assert answers_from_message([first, second], {"interrupt_id": "b"}, "fine") == {"b": "fine"}
    assert answers_from_message([first, second], {"answers": {"a": 1, "b": 2}}, "") == {
        "a": 1,
        "b": 2,
    }


def test_an_unnamed_reply_is_bound_to_the_pause_the_task_showed_not_the_one_pending_now(
    review_pause: ReviewPause,
) -> None:
    now = review_pause()  # "i1": the pause pending now; "i0" was shown, then answered elsewhere
    assert answers_from_message([now], {}, "accept", shown=["i0"]) == {"i0": "accept"}
    assert answers_from_message([now], {"answer": 1}, "", shown=["i0"]) == {"i0": 1}
    assert answers_from_message([now], {}, "accept", shown=["i1"]) == {"i1": {"decision": "accept"}}

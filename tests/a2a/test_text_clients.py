"""A client that reads and writes only text parts can use the A2A door: the status text of an
input-required task says what is asked, on what, and which replies it takes; text starts a
named workflow by filling its one required text field."""

from __future__ import annotations

import re
from typing import Any

from a2a.types.a2a_pb2 import TaskState

from pausepoint.a2a.pause_text import pauses_text
from pausepoint.agents.a2a_parts import data_of
from pausepoint.domain import Pause
from pausepoint.service.threads import ThreadService

INPUT_REQUIRED = TaskState.TASK_STATE_INPUT_REQUIRED
COMPLETED = TaskState.TASK_STATE_COMPLETED
REJECTED = TaskState.TASK_STATE_REJECTED


def replies_offered(text: str) -> list[str]:
    """The quoted replies a status text lists under "Reply with one of:"."""
    return re.findall(r'^- "([^"]+)"', text, flags=re.MULTILINE)


async def test_a_text_only_client_reads_the_draft_and_accepts_with_a_reply_the_text_offers(
    server: Any, connect: Any, story: dict[str, Any], server_service: ThreadService
) -> None:
    a2a = await connect(server.url)
    task = await a2a.send(data=story)
    (pending,) = (await server_service.get(a2a.thread_id(task))).pauses

    text = a2a.text(task)

    assert text.startswith("Review the draft\nDraft 1: accept it, or ask for changes.")
    assert f"draft:\n{pending.context['draft']}\n" in text
    assert replies_offered(text) == ["accept", "update: <comments>"]
    done = await a2a.send(text=replies_offered(text)[0], task=task)
    assert done.status.state == COMPLETED
    assert data_of(done.artifacts[0].parts) == [{"story": pending.context["draft"], "revisions": 1}]


async def test_a_text_only_client_asks_for_a_change_with_the_offered_reply_and_sees_draft_two(
    server: Any, connect: Any, story: dict[str, Any], server_service: ThreadService
) -> None:
    a2a = await connect(server.url)
    task = await a2a.send(data=story)
    reply = replies_offered(a2a.text(task))[1].replace("<comments>", "give the keeper a dog")

    revised = await a2a.send(text=reply, task=task)

    assert revised.status.state == INPUT_REQUIRED
    (pending,) = (await server_service.get(a2a.thread_id(task))).pauses
    assert pending.context["revision"] == 2
    assert a2a.text(revised).startswith("Review the draft\nDraft 2:")
    assert pending.context["draft"] in a2a.text(revised)


async def test_a_deploy_approval_in_words_shows_the_plan_and_approves_with_the_offered_reply(
    server: Any, connect: Any
) -> None:
    a2a = await connect(server.url)
    task = await a2a.send(
        data={"workflow": "deploy", "input": {"service": "user-api", "version": "v2.1.0"}}
    )
    text = a2a.text(task)

    assert text.startswith("Deploy user-api v2.1.0 to production\nPlease review and approve")
    for line in ("target: production", "service: user-api", "version: v2.1.0"):
        assert line in text.splitlines()
    assert replies_offered(text) == ["approve", "reject: <reason>"]
    assert '- Approve with changes: send a data part {"answer": {"decision": "approve"' in text

    done = await a2a.send(text="approve", task=task)
    assert done.status.state == COMPLETED
    assert data_of(done.artifacts[0].parts)[0]["deployment_result"]["status"] == "deployed"


async def test_a_refused_reply_says_why_and_shows_the_same_pause_again_in_words(
    server: Any, connect: Any, story: dict[str, Any]
) -> None:
    a2a = await connect(server.url)
    task = await a2a.send(data=story)
    shown = a2a.text(task)

    refused = await a2a.send(text="update", task=task)

    assert refused.status.state == INPUT_REQUIRED
    first, rest = a2a.text(refused).split("\n\n", 1)
    assert first.startswith("Not accepted: invalid answer to 'Review the draft'")
    assert "comments: field required" in first
    assert rest == shown


async def test_text_with_a_data_part_naming_the_story_becomes_its_prompt(
    server: Any, connect: Any, server_service: ThreadService
) -> None:
    a2a = await connect(server.url)

    task = await a2a.send(text="a fox who learns to sail", data={"workflow": "story"})

    assert task.status.state == INPUT_REQUIRED, a2a.text(task)
    view = await server_service.get(a2a.thread_id(task))
    assert view.workflow == "story"
    assert view.pauses[0].context["prompt"] == "a fox who learns to sail"
    assert "prompt: a fox who learns to sail" in a2a.text(task)


async def test_text_fills_the_prompt_an_input_lacks_and_the_input_keeps_its_other_fields(
    server: Any, connect: Any, server_service: ThreadService
) -> None:
    a2a = await connect(server.url)
    data = {"workflow": "story", "input": {"reviewer": "local"}}

    task = await a2a.send(text="a fox who learns to sail", data=data)

    (pause,) = (await server_service.get(a2a.thread_id(task))).pauses
    assert pause.context["prompt"] == "a fox who learns to sail"
    assert pause.assignee == "local"


async def test_a_data_part_with_the_whole_input_is_started_with_that_input(
    server: Any, connect: Any, story: dict[str, Any], server_service: ThreadService
) -> None:
    a2a = await connect(server.url)

    task = await a2a.send(text="please start this", data=story)

    (pause,) = (await server_service.get(a2a.thread_id(task))).pauses
    assert pause.context["prompt"] == story["input"]["prompt"]


async def test_text_cannot_stand_for_several_required_fields_the_refusal_names_them(
    server: Any, connect: Any, server_service: ThreadService
) -> None:
    a2a = await connect(server.url)
    before = len(await server_service.list_threads(limit=10_000))

    task = await a2a.send(text="user-api v2.1.0", data={"workflow": "deploy"})

    assert task.status.state == REJECTED
    text = a2a.text(task)
    assert text.startswith(
        "invalid input for workflow 'deploy': service: field required; version: field required."
    )
    assert '{"workflow": "deploy", "input": {"service": ..., "version": ...}}' in text
    (problem,) = data_of(task.status.message.parts)
    assert problem["error"] == "invalid_input"
    assert [f["loc"] for f in problem["fields"]] == ["service", "version"]
    assert len(await server_service.list_threads(limit=10_000)) == before


async def test_a_rejected_input_names_the_field_in_its_text_too(server: Any, connect: Any) -> None:
    a2a = await connect(server.url)

    task = await a2a.send(data={"workflow": "story", "input": {"prompt": ""}})

    assert task.status.state == REJECTED
    assert a2a.text(task).startswith("invalid input for workflow 'story': prompt: ")


def test_a_form_of_several_fields_lists_them_with_what_each_takes() -> None:
    form = Pause(
        interrupt_id="f",
        kind="form",
        title="Fill in the details",
        message="For the invoice.",
        context={"invoice": "A-17", "lines": [{"item": "paper", "amount": 3}], "total": 5},
        response_schema={
            "type": "object",
            "properties": {
                "name": {"type": "string", "description": "Who checked it."},
                "hours": {"type": "integer"},
                "tier": {"enum": ["gold", "silver"]},
            },
            "required": ["name", "hours"],
        },
    )

    text = pauses_text([form])

    head, context, fields = text.split("\n\n")
    assert head == "Fill in the details\nFor the invoice."
    assert context == 'invoice: A-17\nlines:\n- {"item": "paper", "amount": 3}\ntotal: 5'
    assert fields.splitlines()[:4] == [
        "Fields:",
        "- name (required): Who checked it.",
        "- hours (required, a whole number)",
        "- tier (one of gold, silver)",
    ]
    assert fields.splitlines()[-1].endswith(
        'a data part {"answer": {"name": "...", "hours": "...", "tier": "..."}}.'
    )


def test_several_pending_pauses_are_each_named_by_id_with_how_to_answer_one() -> None:
    city = Pause(interrupt_id="a1", title="Which city?", response_schema={"type": "string"})
    name = Pause(
        interrupt_id="b2",
        title="Your name?",
        response_schema={
            "type": "object",
            "properties": {"name": {"type": "string"}},
            "required": ["name"],
        },
    )

    blocks = pauses_text([city, name]).split("\n\n")

    assert blocks == [
        "[a1] Which city?",
        "Reply with your answer as text.",
        "[b2] Your name?",
        "Reply with the name as text.",
        '2 pauses are pending: answer one with a data part {"interrupt_id": ID, "answer": ...}, '
        'or several with {"answers": {ID: answer}}.',
    ]


def test_long_context_values_that_are_not_text_are_cut_short() -> None:
    pause = Pause(interrupt_id="x", title="Look", context={"numbers": list(range(500))})

    (line,) = [ln for ln in pauses_text([pause]).splitlines() if ln.startswith("numbers:")]

    assert len(line) == len("numbers: ") + 300
    assert line.endswith("…")

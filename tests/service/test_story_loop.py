"""The story review loop through ThreadService, on a real SQLite file."""

from __future__ import annotations

import logging

import pytest

from pausepoint.agents.fakes import ScriptedChatModel
from pausepoint.domain import ThreadStatus, ThreadView
from pausepoint.errors import Conflict, ThreadNotFound
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings


def draft_of(view: ThreadView) -> str:
    assert view.status is ThreadStatus.WAITING, view
    [pause] = view.pauses
    return str(pause.context["draft"])


async def assert_index_matches_state(service: ThreadService, view: ThreadView) -> None:
    """The pause index (inbox) lists exactly the pauses aget_state reports."""
    fresh = await service.get(view.thread_id)
    inbox = await service.inbox(fresh.owner, limit=1000)
    indexed = {i.interrupt_id for i in inbox if i.thread_id == view.thread_id}
    assert indexed == {p.interrupt_id for p in fresh.pauses}


async def test_two_rounds_of_comments_then_accept_completes_with_the_accepted_story(
    service: ThreadService,
) -> None:
    view = await service.start("story", {"prompt": "a lighthouse keeper who finds a map"}, "ann")
    first = draft_of(view)
    assert "lighthouse keeper" in first
    pause = view.pauses[0]
    assert pause.kind == "review"
    assert [a.label for a in pause.actions] == ["Accept", "Update with comments"]
    await assert_index_matches_state(service, view)

    view = await service.answer(
        view.thread_id, {"decision": "update", "comments": "make it funnier"}, "ann"
    )
    second = draft_of(view)
    assert second.startswith(first) and "laughed" in second
    await assert_index_matches_state(service, view)

    view = await service.answer(
        view.thread_id, {"decision": "update", "comments": "the keeper is named Ada"}, "ann"
    )
    third = draft_of(view)
    assert third.startswith(second) and "Ada" in third
    await assert_index_matches_state(service, view)

    done = await service.answer(view.thread_id, {"decision": "accept"}, "ann")
    assert done.status is ThreadStatus.COMPLETED
    assert done.result == {"story": third, "revisions": 3}
    assert done.pauses == []
    await assert_index_matches_state(service, done)
    log = await service.decisions(view.thread_id)
    assert [(d.actor, d.answer["decision"]) for d in log] == [
        ("ann", "update"),
        ("ann", "update"),
        ("ann", "accept"),
    ]
    assert all(d.applied_at is not None for d in log)


async def test_chat_model_writer_revises_the_previous_draft_with_each_comment(
    settings: Settings,
) -> None:
    model = ScriptedChatModel(replies=["Draft one.", "Draft two, funnier.", "Draft three."])
    async with ThreadService.open(settings, chat_model=model) as service:
        view = await service.start("story", {"prompt": "a fox"}, "ann")
        assert draft_of(view) == "Draft one."
        view = await service.answer(
            view.thread_id, {"decision": "update", "comments": "make it funnier"}, "ann"
        )
        assert draft_of(view) == "Draft two, funnier."
        view = await service.answer(
            view.thread_id, {"decision": "update", "comments": "give the fox a name"}, "ann"
        )
        done = await service.answer(view.thread_id, {"decision": "accept"}, "ann")

    assert done.result == {"story": "Draft three.", "revisions": 3}
    prompts = [call[-1].text for call in model.calls]
    assert len(prompts) == 3  # the writer ran once per draft, never on a resume
    assert "a fox" in prompts[0]
    assert "Draft one." in prompts[1] and "make it funnier" in prompts[1]
    assert "Draft two, funnier." in prompts[2] and "give the fox a name" in prompts[2]


async def test_unknown_thread_is_not_found(service: ThreadService) -> None:
    with pytest.raises(ThreadNotFound, match="nope"):
        await service.get("nope")
    with pytest.raises(ThreadNotFound):
        await service.answer("nope", {"decision": "accept"}, "ann")


async def test_answering_a_completed_thread_is_a_conflict(service: ThreadService) -> None:
    view = await service.start("story", {"prompt": "a fox"}, "ann")
    pause_id = view.pauses[0].interrupt_id
    await service.answer(view.thread_id, {"decision": "accept"}, "ann")
    with pytest.raises(Conflict, match="completed"):
        await service.resume(view.thread_id, {pause_id: {"decision": "accept"}}, "ann")
    assert len(await service.decisions(view.thread_id)) == 1


async def test_cancelled_thread_leaves_the_inbox_and_refuses_answers(
    service: ThreadService,
) -> None:
    view = await service.start("story", {"prompt": "a fox"}, "ann")
    cancelled = await service.cancel(view.thread_id, "ann")
    assert cancelled.status is ThreadStatus.CANCELLED
    assert await service.inbox("ann") == []
    with pytest.raises(Conflict, match="cancelled"):
        await service.answer(view.thread_id, {"decision": "accept"}, "ann")
    with pytest.raises(Conflict, match="already cancelled"):
        await service.cancel(view.thread_id, "ann")


async def test_thread_survives_closing_and_reopening_the_service(settings: Settings) -> None:
    async with ThreadService.open(settings, chat_model=None) as service:
        view = await service.start("story", {"prompt": "a fox"}, "ann")
    async with ThreadService.open(settings, chat_model=None) as service:
        again = await service.get(view.thread_id)
        assert again.pauses == view.pauses
        done = await service.answer(view.thread_id, {"decision": "accept"}, "ann")
    assert done.status is ThreadStatus.COMPLETED


async def test_inbox_lists_the_pauses_of_the_reviewer_not_the_owner(
    service: ThreadService,
) -> None:
    view = await service.start("story", {"prompt": "a fox", "reviewer": "bob"}, "ann")
    assert [i.thread_id for i in await service.inbox("bob")] == [view.thread_id]
    assert await service.inbox("ann") == []
    item = (await service.inbox("bob"))[0]
    assert (item.title, item.kind, item.assignee, item.owner) == (
        "Review the draft",
        "review",
        "bob",
        "ann",
    )


async def test_strict_msgpack_round_trip_logs_no_unregistered_type(
    service: ThreadService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    view = await service.start("story", {"prompt": "a fox"}, "ann")
    view = await service.answer(view.thread_id, {"decision": "update", "comments": "x"}, "ann")
    await service.answer(view.thread_id, {"decision": "accept"}, "ann")
    assert "unregistered" not in caplog.text.lower()
    assert "blocked" not in caplog.text.lower()


async def test_offline_writer_gives_the_hero_a_name_when_asked(service: ThreadService) -> None:
    view = await service.start("story", {"prompt": "a fox in the snow"}, "ann")
    view = await service.answer(
        view.thread_id, {"decision": "update", "comments": "give the fox a name"}, "ann"
    )
    assert "everyone called the hero" in draft_of(view)

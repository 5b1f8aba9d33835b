"""LangGraph's `Command` and time travel through ThreadService.run_command (service/commands.py):
a command acknowledged just before the process died is run by the next process, with the answer
it logged; one a run already took the thread past is not run again; a fork leaves no pause of
the old branch in the inbox, and an answer to such a pause is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from langgraph.types import StateSnapshot

from pausepoint.domain import ThreadStatus
from pausepoint.errors import Conflict, Forbidden
from pausepoint.service.answers import waiting_on
from pausepoint.service.catalog import use_config
from pausepoint.service.commands import GraphCommand
from pausepoint.service.decisions import decision
from pausepoint.service.pauses import checkpoint_of
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings

#: The team's survey (tests/workflows/team_app): it asks a customer, keeps the rating.
TEAM_APP = Path(__file__).resolve().parents[1] / "workflows" / "team_app"


@pytest.fixture
def team(settings: Settings) -> Settings:
    return use_config(settings.model_copy(update={"workflows_dir": None}), TEAM_APP)


async def rated(service: ThreadService, customer: str = "Ann") -> str:
    view = await service.start("survey", {"customer": customer}, "ann")
    done = await service.answer(view.thread_id, 5, "ann")
    assert done.status is ThreadStatus.COMPLETED, done.error
    return view.thread_id


async def _history(service: ThreadService, thread_id: str) -> list[StateSnapshot]:
    runs = service._runs
    _, graph = runs.workflow(await runs.thread(thread_id))
    return [s async for s in graph.aget_state_history(runs.config(thread_id))]


async def _head(service: ThreadService, thread_id: str) -> str:
    record = await service._runs.thread(thread_id)
    return checkpoint_of(await service._runs.snapshot(record))


async def test_a_command_acknowledged_before_a_crash_is_run_by_the_next_process(
    team: Settings,
) -> None:
    command = GraphCommand(update={"customer": "Bo"}, goto="ask", thread_id="")
    async with ThreadService.open(team, chat_model=None) as service:
        thread_id = await rated(service)
        # what the job has made durable when it acknowledges; then the process dies
        stored = command.stored(await _head(service, thread_id), "ann", [])
        runs = service._runs
        assert await runs.store.reopen_thread(
            thread_id, stored, runs.clock(), ThreadStatus.COMPLETED
        )

    async with ThreadService.open(team, chat_model=None) as service:  # recovery
        view = await service.get(thread_id)

    assert view.status is ThreadStatus.WAITING
    assert view.pauses[0].title == "How was your visit, Bo? (1-5)"


async def test_a_resume_with_an_update_acknowledged_before_a_crash_applies_both_once(
    team: Settings,
) -> None:
    command = GraphCommand(update={"customer": "Bo"}, resume=4, resumes=True)
    async with ThreadService.open(team, chat_model=None) as service:
        view = await service.start("survey", {"customer": "Ann"}, "ann")
        thread_id = view.thread_id
        runs = service._runs
        state = await runs.store.thread_state(thread_id)
        assert state is not None
        waiting = await waiting_on(runs, state)
        [(interrupt_id, pause)] = waiting.pauses.items()
        at = waiting.checkpoints[interrupt_id]
        # the decision and the command, durable when the job acknowledges; then the process dies
        answer = decision(thread_id, pause, at, "ann", runs.clock(), 4, "")
        await runs.store.record_decisions([answer], running_since=runs.clock())
        stored = command.stored(at, "ann", [interrupt_id])
        assert await runs.store.reopen_thread(thread_id, stored, runs.clock(), ThreadStatus.RUNNING)

    async with ThreadService.open(team, chat_model=None) as service:  # recovery
        done = await service.get(thread_id)
        log = await service.decisions(thread_id)

    assert done.status is ThreadStatus.COMPLETED
    assert done.result == {"customer": "Bo", "rating": 4}
    assert [(d.actor, d.answer) for d in log] == [("ann", 4)]


async def test_a_command_a_run_took_the_thread_past_is_not_run_again_by_recovery(
    team: Settings,
) -> None:
    async with ThreadService.open(team, chat_model=None) as service:
        thread_id = await rated(service)
        command = GraphCommand(update={"customer": "Bo"}, goto="ask", thread_id=thread_id)
        asked = await service.run_command(command, "ann")
        history = await _history(service, thread_id)
        # the process dies as if in the middle of a later run
        await service._runs.store.set_status(thread_id, ThreadStatus.RUNNING, service._runs.clock())

    async with ThreadService.open(team, chat_model=None) as service:  # recovery
        view = await service.get(thread_id)
        after = await _history(service, thread_id)

    assert asked.status is ThreadStatus.WAITING
    assert view.status is ThreadStatus.WAITING
    assert [p.interrupt_id for p in view.pauses] == [p.interrupt_id for p in asked.pauses]
    assert len(after) == len(history)


async def test_a_fork_before_the_pause_replaces_it_in_the_inbox_and_the_old_one_is_refused(
    team: Settings,
) -> None:
    async with ThreadService.open(team, chat_model=None) as service:
        view = await service.start("survey", {"customer": "Ann"}, "ann")
        thread_id = view.thread_id
        [old] = view.pauses
        history = await _history(service, thread_id)
        [first] = [s for s in history if s.metadata and s.metadata.get("source") == "input"]
        with pytest.raises(Forbidden):
            await service.update_state(
                thread_id, {"customer": "Bo"}, "bob", checkpoint_id=checkpoint_of(first)
            )
        await service.update_state(
            thread_id, {"customer": "Bo"}, "ann", checkpoint_id=checkpoint_of(first)
        )
        await service.settled(thread_id)  # the fork runs on to its next stop
        forked = await service.get(thread_id)
        inbox = await service.inbox("ann")
        with pytest.raises(Conflict):
            await service.answer(thread_id, 1, "ann", interrupt_id=old.interrupt_id)
        done = await service.answer(thread_id, 2, "ann")

    assert forked.status is ThreadStatus.WAITING
    [new] = forked.pauses
    assert new.interrupt_id != old.interrupt_id
    assert new.title == "How was your visit, Bo? (1-5)"
    assert [i.interrupt_id for i in inbox if i.thread_id == thread_id] == [new.interrupt_id]
    assert done.result == {"customer": "Bo", "rating": 2}


async def test_a_fork_written_before_a_crash_is_followed_by_the_next_process(
    team: Settings,
) -> None:
    async with ThreadService.open(team, chat_model=None) as service:
        view = await service.start("survey", {"customer": "Ann"}, "ann")
        thread_id = view.thread_id
        [old] = view.pauses
        [first] = [
            s
            for s in await _history(service, thread_id)
            if s.metadata and s.metadata.get("source") == "input"
        ]
        # what the edit's job has written when the process dies: the thread set running, the fork
        runs = service._runs
        edited = {"pausepoint_edited_by": "ann"}
        assert await runs.store.reopen_thread(thread_id, edited, runs.clock(), ThreadStatus.WAITING)
        _, graph = runs.workflow(await runs.thread(thread_id))
        await graph.aupdate_state(
            {
                "configurable": {
                    "thread_id": thread_id,
                    "checkpoint_ns": "",
                    **first.config["configurable"],
                }
            },
            {"customer": "Bo"},
        )

    async with ThreadService.open(team, chat_model=None) as service:  # recovery
        view = await service.get(thread_id)
        inbox = await service.inbox("ann")
        with pytest.raises(Conflict):
            await service.answer(thread_id, 1, "ann", interrupt_id=old.interrupt_id)

    assert view.status is ThreadStatus.WAITING
    [new] = view.pauses
    assert new.title == "How was your visit, Bo? (1-5)" and new.interrupt_id != old.interrupt_id
    assert [i.interrupt_id for i in inbox if i.thread_id == thread_id] == [new.interrupt_id]


async def test_no_fork_while_a_logged_answer_waits_to_be_applied(team: Settings) -> None:
    async with ThreadService.open(team, chat_model=None) as service:
        view = await service.start("survey", {"customer": "Ann"}, "ann")
        thread_id = view.thread_id
        [pause] = view.pauses
        [first] = [
            s
            for s in await _history(service, thread_id)
            if s.metadata and s.metadata.get("source") == "input"
        ]
        runs = service._runs
        # an answer logged, then the process died before applying it
        answer = decision(thread_id, pause, checkpoint_of(first), "ann", runs.clock(), 4, "")
        await runs.store.record_decisions([answer], running_since=runs.clock())
        with pytest.raises(Conflict):
            await service.update_state(
                thread_id, {"customer": "Bo"}, "ann", checkpoint_id=checkpoint_of(first)
            )
        with pytest.raises(Conflict):
            await service.run_command(
                GraphCommand(checkpoint_id=checkpoint_of(first), thread_id=thread_id), "ann"
            )

    async with ThreadService.open(team, chat_model=None) as service:  # recovery
        done = await service.get(thread_id)

    assert done.result == {"customer": "Ann", "rating": 4}


async def test_a_start_stored_before_its_first_checkpoint_is_still_run_by_the_next_process(
    team: Settings,
) -> None:
    """What a process killed between storing a start and its first checkpoint leaves: recovery
    (which looks for a stored command first) starts it from its input."""
    from datetime import UTC, datetime

    from pausepoint.persistence.records import ThreadRecord

    now = datetime.now(UTC)
    record = ThreadRecord("cut-short", "survey", "ann", ThreadStatus.RUNNING, now, now)
    async with ThreadService.open(team, chat_model=None, recover=False) as service:
        await service._runs.store.create_thread(record, {"customer": "Cy"})
    async with ThreadService.open(team, chat_model=None) as service:  # recovers
        view = await service.get("cut-short")

    assert view.status is ThreadStatus.WAITING, view.error
    assert len(view.pauses) == 1

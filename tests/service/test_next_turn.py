"""New input for a completed thread (a conversation's next turn): it runs on from the thread's
last checkpoint, as its owner's; an input acknowledged just before the process died is run by
the next process; it is refused, changing nothing, on a thread that is not completed, to
anyone but the owner, and when the input is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from pausepoint.domain import ThreadStatus
from pausepoint.errors import Conflict, Forbidden, InvalidInput
from pausepoint.service.catalog import use_config
from pausepoint.service.pauses import checkpoint_of
from pausepoint.service.runs import CONTINUE
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


async def test_new_input_runs_on_from_the_completed_thread(team: Settings) -> None:
    async with ThreadService.open(team, chat_model=None) as service:
        thread_id = await rated(service)
        with pytest.raises(Forbidden):
            await service.go_on(thread_id, {"customer": "Bo"}, "bob")
        with pytest.raises(InvalidInput):
            await service.go_on(thread_id, {"customer": ["not", "a", "name"]}, "ann")
        assert (await service.get(thread_id)).status is ThreadStatus.COMPLETED

        again = await service.go_on(thread_id, {"customer": "Bo"}, "ann")
        with pytest.raises(Conflict, match="only a completed thread"):
            await service.go_on(thread_id, {"customer": "Cy"}, "ann")
        done = await service.answer(thread_id, 3, "ann")
        log = await service.decisions(thread_id)

    assert again.status is ThreadStatus.WAITING
    assert again.pauses[0].title == "How was your visit, Bo? (1-5)"
    assert done.status is ThreadStatus.COMPLETED and done.result == {"customer": "Bo", "rating": 3}
    assert [(d.actor, d.answer) for d in log] == [("ann", 5), ("ann", 3)]


async def test_new_input_acknowledged_before_a_crash_is_run_by_the_next_process(
    team: Settings,
) -> None:
    async with ThreadService.open(team, chat_model=None) as service:
        thread_id = await rated(service)
        record = await service._runs.thread(thread_id)
        after = checkpoint_of(await service._runs.snapshot(record))
        # what the job has made durable when it acknowledges; then the process dies
        marker = {CONTINUE: after, "input": {"customer": "Bo"}, "actor": "ann"}
        assert await service._runs.store.reopen_thread(thread_id, marker, service._runs.clock())

    async with ThreadService.open(team, chat_model=None) as service:  # recovery
        view = await service.get(thread_id)

    assert view.status is ThreadStatus.WAITING
    assert view.pauses[0].title == "How was your visit, Bo? (1-5)"

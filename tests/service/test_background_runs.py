"""Runs that take a while, through ThreadService: a start or an answer that does not wait
comes back running once it is stored, the run goes on by itself to its pause, and what it does
meanwhile (nodes, the graph's own progress, a chat model's tokens) are thread events, its
latest progress on the view; a run timeout fails the thread, a cancel stops its run, a service
closed mid-run leaves the thread for the next one to finish."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from pausepoint.domain import ThreadStatus
from pausepoint.errors import Conflict
from pausepoint.service.catalog import use_config
from pausepoint.service.events import ThreadEvent
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings

APP = Path(__file__).with_name("background_app.py")
LETTER = "Dear Ann, your refund of 30 EUR is on its way."
CHECK_SECONDS = 0.6


@pytest.fixture
def claims(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings serving the background app's `claim` graph (its `check` takes 0.6 s)."""
    folder = tmp_path / "claims"
    folder.mkdir()
    shutil.copy(APP, folder / "claims.py")
    (folder / "langgraph.json").write_text(json.dumps({"graphs": {"claim": "./claims.py:graph"}}))
    monkeypatch.setenv("BACKGROUND_APP_CHECK_SECONDS", str(CHECK_SECONDS))
    return use_config(settings.model_copy(update={"workflows_dir": None}), folder)


async def until(queue: asyncio.Queue[ThreadEvent], type: str) -> list[ThreadEvent]:
    """The events up to and including the first of `type`."""
    seen = []
    async with asyncio.timeout(30):
        while True:
            event = await queue.get()
            seen.append(event)
            if event.type == type:
                return seen


def story(events: list[ThreadEvent]) -> list[tuple[str, Any]]:
    """The events as (type, what matters): the node, the progress text, the tokens."""
    told: list[tuple[str, Any]] = []
    for e in events:
        if e.type in ("node_started", "node_finished"):
            told.append((e.type, e.data["node"]))
        elif e.type == "progress":
            told.append((e.type, e.data["text"]))
        elif e.type == "tokens":
            if told and told[-1][0] == "tokens":
                told[-1] = ("tokens", told[-1][1] + e.data["text"])
            else:
                told.append(("tokens", e.data["text"]))
        else:
            told.append((e.type, None))
    return told


@pytest.fixture
async def service(claims: Settings) -> AsyncIterator[ThreadService]:
    async with ThreadService.open(claims, chat_model=None) as opened:
        yield opened


async def test_a_start_that_does_not_wait_is_running_and_reaches_its_pause_by_itself(
    service: ThreadService,
) -> None:
    async with service.events.subscribe() as events:
        t0 = time.perf_counter()
        started = await service.start("claim", {"customer": "Ann"}, "ann", wait=0)
        took = time.perf_counter() - t0
        heard = await until(events, "paused")

    assert started.status is ThreadStatus.RUNNING
    assert took < CHECK_SECONDS / 3, took
    assert story(heard) == [
        ("started", None),
        ("node_started", "check"),
        ("progress", "checking receipts"),
        ("progress", "checking the bank"),
        ("node_finished", "check"),
        ("node_started", "draft"),
        ("tokens", LETTER),
        ("node_finished", "draft"),
        ("node_started", "ask"),
        ("node_finished", "ask"),
        ("paused", None),
    ]
    assert heard[4].data["ms"] >= CHECK_SECONDS * 1000 * 0.9  # `check` took its time
    assert heard[2].data["value"] == {"progress": "checking receipts", "done": 0}
    assert {e.thread_id for e in heard} == {started.thread_id}
    paused = await service.get(started.thread_id)
    assert (paused.status, paused.pauses[0].title) == (ThreadStatus.WAITING, "Send this letter?")
    assert paused.progress is None


async def test_the_view_of_a_running_thread_says_what_it_last_reported(
    service: ThreadService,
) -> None:
    async with service.events.subscribe() as events:
        started = await service.start("claim", {"customer": "Ann"}, "ann", wait=0)
        await until(events, "progress")
        running = await service.get(started.thread_id)
        await until(events, "paused")

    assert running.status is ThreadStatus.RUNNING
    assert running.progress is not None
    assert (running.progress.node, running.progress.text) == ("check", "checking receipts")


async def test_an_answer_that_does_not_wait_is_logged_before_it_returns(
    service: ThreadService,
) -> None:
    paused = await service.start("claim", {"customer": "Ann"}, "ann")
    async with service.events.subscribe() as events:
        answered = await service.answer(paused.thread_id, True, "ann", wait=0)
        logged = await service.decisions(paused.thread_id)
        await until(events, "completed")

    assert [d.answer for d in logged] == [True]
    assert (answered.status, answered.pauses) == (ThreadStatus.RUNNING, [])
    done = await service.get(paused.thread_id)
    assert done.status is ThreadStatus.COMPLETED
    assert done.result == {
        "customer": "Ann",
        "checked": True,
        "letter": LETTER,
        "approved": True,
        "sent": True,
    }


async def test_a_wrong_answer_that_would_not_wait_is_still_refused_at_once(
    service: ThreadService,
) -> None:
    paused = await service.start("claim", {"customer": "Ann"}, "ann")
    with pytest.raises(Conflict, match="pause 'nope' is not pending"):
        await service.answer(paused.thread_id, True, "ann", interrupt_id="nope", wait=0)
    assert await service.get(paused.thread_id) == paused
    assert await service.decisions(paused.thread_id) == []


async def test_a_run_over_the_run_timeout_fails_saying_so(claims: Settings) -> None:
    limited = claims.model_copy(update={"run_timeout": 0.2})
    async with ThreadService.open(limited, chat_model=None) as service:
        failed = await service.start("claim", {"customer": "Ann"}, "ann")

    assert failed.status is ThreadStatus.FAILED
    assert failed.error == "the run took longer than PAUSEPOINT_RUN_TIMEOUT (0.2 s)"


async def test_cancelling_a_running_thread_stops_its_run(service: ThreadService) -> None:
    async with service.events.subscribe() as events:
        started = await service.start("claim", {"customer": "Ann"}, "ann", wait=0)
        await until(events, "progress")
        cancelled = await service.cancel(started.thread_id, "ann")
        await asyncio.sleep(CHECK_SECONDS * 1.5)  # past where `check` would have finished
        after = [events.get_nowait() for _ in range(events.qsize())]

    assert cancelled.status is ThreadStatus.CANCELLED
    assert [e.type for e in after] == ["cancelled"]
    assert after[0].data == {"stopped_run": True}
    assert (await service.get(started.thread_id)).status is ThreadStatus.CANCELLED


async def test_a_run_cut_off_by_closing_is_finished_by_the_next_service(claims: Settings) -> None:
    async with (
        ThreadService.open(claims, chat_model=None) as service,
        service.events.subscribe() as events,
    ):
        started = await service.start("claim", {"customer": "Ann"}, "ann", wait=0)
        await until(events, "progress")
    # closed in the middle of `check`: the thread is left running, its lease let go
    async with ThreadService.open(claims, chat_model=None) as service:
        recovered = await service.get(started.thread_id)

    assert recovered.status is ThreadStatus.WAITING
    assert recovered.pauses[0].context == {"letter": LETTER}


async def test_an_answer_whose_run_was_cut_off_after_taking_it_is_applied_by_the_next_service(
    claims: Settings,
) -> None:
    """The answer was consumed (the checkpoint after `ask` is written) but the run stopped in
    `send`: the next service finishes the thread and marks the decision applied."""
    async with ThreadService.open(claims, chat_model=None) as service:
        paused = await service.start("claim", {"customer": "Ann"}, "ann")
        async with service.events.subscribe() as events:
            await service.answer(paused.thread_id, True, "ann", wait=0)
            heard = await until(events, "progress")
    assert heard[-1].data["text"] == "sending the letter"
    async with ThreadService.open(claims, chat_model=None) as service:
        done = await service.get(paused.thread_id)
        [decision] = await service.decisions(paused.thread_id)

    assert done.status is ThreadStatus.COMPLETED, done.error
    assert done.result is not None and done.result["sent"] is True
    assert decision.applied_at is not None


async def test_a_thread_stored_but_never_run_starts_from_its_input(claims: Settings) -> None:
    """What a process killed between storing a start and its first checkpoint leaves."""
    async with (
        ThreadService.open(claims, chat_model=None) as service,
        service.events.subscribe() as events,
    ):
        started = await service.start("claim", {"customer": "Bo"}, "ann", wait=0)
        await until(events, "started")
        await service.close()  # before the run wrote anything
    async with ThreadService.open(claims, chat_model=None) as service:
        recovered = await service.get(started.thread_id)

    assert recovered.status is ThreadStatus.WAITING, recovered.error
    assert recovered.pauses[0].context == {"letter": LETTER}


async def test_a_live_services_sweep_finishes_a_run_another_left_without_waiting_for_it(
    claims: Settings,
) -> None:
    async with ThreadService.open(claims, chat_model=None) as live:
        async with (
            ThreadService.open(claims, chat_model=None) as dying,
            dying.events.subscribe() as events,
        ):
            started = await dying.start("claim", {"customer": "Ann"}, "ann", wait=0)
            await until(events, "progress")
        # `dying` stopped in the middle of `check`; `live` opened before, so only a sweep
        # finds the thread
        async with live.events.subscribe() as events:
            t0 = time.perf_counter()
            taken = await live.recover(background=True)
            swept_in = time.perf_counter() - t0
            await until(events, "paused")
        recovered = await live.get(started.thread_id)

    assert taken == 1
    assert swept_in < CHECK_SECONDS / 2  # the sweep hands the run to the pool
    assert recovered.status is ThreadStatus.WAITING
    assert recovered.pauses[0].title == "Send this letter?"


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_a_cancel_on_another_server_stops_the_run_going_on_there(
    claims: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two servers on one Postgres database: B cancels a thread whose run goes on in A. A
    stops the run (it never drafts the letter nor pauses), and B's cancel does not wait for
    the run to end by itself."""
    monkeypatch.setenv("BACKGROUND_APP_CHECK_SECONDS", "8")
    async with (
        ThreadService.open(claims, chat_model=None) as a,
        ThreadService.open(claims, chat_model=None) as b,
        a.events.subscribe() as heard_in_a,
    ):
        started = await a.start("claim", {"customer": "Ann"}, "ann", wait=0)
        await until(heard_in_a, "progress")  # A's run is in `check`
        t0 = time.monotonic()
        cancelled = await b.cancel(started.thread_id, "ann")
        took = time.monotonic() - t0
        await asyncio.sleep(0.5)
        after = [heard_in_a.get_nowait() for _ in range(heard_in_a.qsize())]
        seen_by_a = await a.get(started.thread_id)

    assert cancelled.status is ThreadStatus.CANCELLED
    assert took < 4, took  # not the 8 s `check` would have taken
    assert seen_by_a.status is ThreadStatus.CANCELLED and seen_by_a.pauses == []
    types = [e.type for e in after]
    assert types[-1] == "cancelled", types
    assert "paused" not in types
    assert not [e for e in after if e.type == "node_started" and e.data["node"] == "draft"]

"""Several Pausepoint processes on one PostgreSQL database behave as one server would."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg

from pausepoint.domain import ThreadStatus
from pausepoint.persistence.sql import MIGRATIONS
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings


def _settings(url: str) -> Settings:
    return Settings(database_url=url, model="offline", _env_file=None)  # type: ignore[call-arg]


def _revision_marks(draft: str) -> int:
    """How many comments the offline writer worked into the draft."""
    return draft.count("Revised as asked")


async def test_fifty_answers_from_two_processes_exactly_one_wins_and_the_writer_runs_once(
    postgres_url: str, start_worker: Callable[..., Awaitable[Any]]
) -> None:
    async with ThreadService.open(_settings(postgres_url), chat_model=None) as service:
        view = await service.start("story", {"prompt": "a fox"}, "ann")
    pause = view.pauses[0].interrupt_id
    workers = [
        await start_worker(postgres_url, "answer", view.thread_id, pause, "25", tag)
        for tag in ("a", "b")
    ]
    for worker in workers:
        await worker.ready()
    for worker in workers:
        worker.fire()
    results = [await worker.result() for worker in workers]

    assert [r["errors"] for r in results] == [[], []]
    [winner] = [comment for r in results for comment in r["won"]]
    assert sum(r["conflicts"] for r in results) == 49
    async with ThreadService.open(_settings(postgres_url), chat_model=None) as service:
        after = await service.get(view.thread_id)
        [decision] = await service.decisions(view.thread_id)
    assert decision.answer == {"decision": "update", "comments": winner}
    assert decision.applied_at is not None
    draft = after.pauses[0].context
    assert draft["revision"] == 2  # exactly one new draft
    assert _revision_marks(draft["draft"]) == 1 and f'"{winner}"' in draft["draft"]


async def test_process_killed_between_decision_and_resume_is_finished_once_by_another(
    postgres_url: str,
    start_worker: Callable[..., Awaitable[Any]],
    run_pausepoint: Callable[..., Awaitable[tuple[int, str, str]]],
) -> None:
    async with ThreadService.open(_settings(postgres_url), chat_model=None) as service:
        view = await service.start("story", {"prompt": "a fox"}, "ann")
    update = {"decision": "update", "comments": "the fox learns to sail"}
    code, _, err = await run_pausepoint(
        postgres_url,
        *["answer", view.thread_id, json.dumps(update), "--as", "ann"],
        PAUSEPOINT_FAILPOINT="after_decision",
    )
    assert code == -9, err  # SIGKILL after the decision was recorded, before it was applied

    # two other processes recover at the same moment; the thread's lease lets one apply it
    workers = [await start_worker(postgres_url, "recover") for _ in range(2)]
    for worker in workers:
        await worker.ready()
    for worker in workers:
        worker.fire()
    for worker in workers:
        await worker.result()

    async with ThreadService.open(_settings(postgres_url), chat_model=None) as service:
        after = await service.get(view.thread_id)
        [decision] = await service.decisions(view.thread_id)
    assert after.status is ThreadStatus.WAITING
    assert decision.answer == update and decision.applied_at is not None
    assert after.pauses[0].context["revision"] == 2
    assert _revision_marks(after.pauses[0].context["draft"]) == 1
    assert "the fox learns to sail" in after.pauses[0].context["draft"]


async def _events_until_paused(
    listener: Any, next_event: Callable[[Any], Awaitable[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """The events `listener` printed, up to and including the first pause."""
    events = [await next_event(listener)]
    while events[-1]["type"] != "paused":
        events.append(await next_event(listener))
    return events


async def test_a_pause_on_one_process_reaches_the_event_bus_of_another(
    postgres_url: str,
    follow_events: Callable[..., Any],
    next_event: Callable[[Any], Awaitable[dict[str, Any]]],
) -> None:
    async with follow_events(postgres_url) as listener:
        async with ThreadService.open(_settings(postgres_url), chat_model=None) as service:
            view = await service.start("story", {"prompt": "a fox"}, "ann")
        events = await _events_until_paused(listener, next_event)
    started, paused = events[0], events[-1]
    assert (started["type"], started["thread_id"]) == ("started", view.thread_id)
    # the run's node events cross processes too, between the start and the pause
    assert {"node_started", "node_finished"} <= {event["type"] for event in events[1:-1]}
    assert (paused["type"], paused["thread_id"], paused["status"]) == (
        "paused",
        view.thread_id,
        "waiting",
    )
    assert paused["pause"]["interrupt_id"] == view.pauses[0].interrupt_id
    assert paused["pause"]["context"]["draft"] == view.pauses[0].context["draft"]


async def test_an_event_too_large_for_one_notify_still_arrives_whole(
    postgres_url: str,
    follow_events: Callable[..., Any],
    next_event: Callable[[Any], Awaitable[dict[str, Any]]],
) -> None:
    prompt = "a fox who collects " + "very " * 3000 + "old maps"  # > 8000 bytes twice over
    async with follow_events(postgres_url) as listener:
        async with ThreadService.open(_settings(postgres_url), chat_model=None) as service:
            view = await service.start("story", {"prompt": prompt}, "ann")
        paused = (await _events_until_paused(listener, next_event))[-1]
    assert paused["type"] == "paused"
    assert paused["pause"]["context"]["draft"] == view.pauses[0].context["draft"]
    assert len(paused["pause"]["context"]["draft"]) > 16_000


async def test_processes_opening_a_new_database_together_set_it_up_once(
    postgres_url: str,
    run_pausepoint: Callable[..., Awaitable[tuple[int, str, str]]],
) -> None:
    outcomes = await asyncio.gather(
        *(run_pausepoint(postgres_url, "threads", "--json") for _ in range(4))
    )
    assert [code for code, _, _ in outcomes] == [0] * 4, outcomes
    assert all(json.loads(out) == {"threads": []} for _, out, _ in outcomes)
    with psycopg.connect(postgres_url) as conn:
        versions = conn.execute(
            "SELECT version FROM pausepoint_migrations ORDER BY version"
        ).fetchall()
    assert versions == [(v,) for v in range(1, len(MIGRATIONS) + 1)]


async def test_an_unreachable_postgres_is_a_clear_error_without_the_password(
    run_pausepoint: Callable[..., Awaitable[tuple[int, str, str]]],
) -> None:
    url = "postgresql://pp:s3cret@127.0.0.1:1/nowhere"
    code, _, err = await run_pausepoint(url, "threads")
    assert code == 1
    assert "cannot connect to PostgreSQL" in err and "127.0.0.1" in err
    assert "s3cret" not in err

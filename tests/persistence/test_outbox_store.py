"""The `notifications` outbox's store methods, one contract for SQLite, Postgres and memory.

Each test runs on a SQLite file, a fresh Postgres database (skipped, with the reason, when
PAUSEPOINT_TEST_POSTGRES_URL is unset) and a `MemoryStore`; the SQL stores are opened as a
server opens them (`open_database`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from pausepoint.domain import ThreadStatus
from pausepoint.errors import Conflict
from pausepoint.persistence.database import open_database
from pausepoint.persistence.memory import MemoryStore
from pausepoint.persistence.records import NotificationRow, PauseRow, ThreadRecord
from pausepoint.persistence.serde import make_serializer
from pausepoint.persistence.store import Store
from pausepoint.settings import Settings

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def note(
    id: str, minutes: float = 0, *, thread_id: str = "t1", event: str = "paused", **payload: object
) -> NotificationRow:
    return NotificationRow(
        id=id,
        channel="webhook",
        target="https://example.test/hook",
        event=event,
        thread_id=thread_id,
        payload={"event": event, "thread_id": thread_id, **payload},
        created_at=at(minutes),
    )


def settings_for(url: str) -> Settings:
    return Settings(database_url=url, model="offline", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture(params=["sqlite", "postgres", "memory"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """A SQLite file, a fresh Postgres database (skipped without a server), the memory twin."""
    if request.param == "memory":
        yield MemoryStore()
        return
    url = (
        f"sqlite:///{tmp_path / 'pausepoint.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    async with open_database(settings_for(url), make_serializer(())) as db:
        yield db.store


async def waiting_thread(store: Store, thread_id: str = "t1") -> None:
    """A running thread, then waiting on one pause `i1` (no assignee, a deadline)."""
    record = ThreadRecord(thread_id, "story", "ann", ThreadStatus.RUNNING, T0, T0)
    await store.create_thread(record)
    pause = PauseRow("i1", "approval", "Approve?", None, at(60))
    await store.set_status(thread_id, ThreadStatus.WAITING, at(1), pauses=[pause])


# written with the change that causes them


async def test_notifications_given_to_set_status_are_written_with_the_status_change(
    store: Store,
) -> None:
    record = ThreadRecord("t1", "story", "ann", ThreadStatus.RUNNING, T0, T0)
    await store.create_thread(record)
    sent = [note("n1", 1), note("n2", 1, kind="approval")]

    pause = PauseRow("i1", "approval", "Approve?", None, None)
    await store.set_status("t1", ThreadStatus.WAITING, at(1), pauses=[pause], notifications=sent)

    thread = await store.get_thread("t1")
    assert thread is not None and thread.status is ThreadStatus.WAITING
    assert [p.interrupt_id for p in await store.pause_rows("t1")] == ["i1"]
    assert [await store.get_notification(n.id) for n in sent] == sent


async def test_a_set_status_whose_notification_ids_clash_writes_neither_status_nor_rows(
    store: Store,
) -> None:
    await waiting_thread(store)
    await store.add_notifications([note("taken")])

    with pytest.raises(Conflict):
        await store.set_status(
            "t1", ThreadStatus.COMPLETED, at(2), pauses=[], notifications=[note("a"), note("a")]
        )
    with pytest.raises(Conflict):
        await store.set_status(
            "t1", ThreadStatus.COMPLETED, at(2), pauses=[], notifications=[note("b"), note("taken")]
        )

    thread = await store.get_thread("t1")
    assert thread is not None and (thread.status, thread.updated_at) == (
        ThreadStatus.WAITING,
        at(1),
    )
    assert [p.interrupt_id for p in await store.pause_rows("t1")] == ["i1"]
    assert [n.id for n in await store.list_notifications()] == ["taken"]


async def test_notifications_given_to_escalate_are_written_with_the_escalation(
    store: Store,
) -> None:
    await waiting_thread(store)
    told = note("e1", 5, event="escalated", assignee="bob")

    await store.escalate("t1", "i1", "bob", notifications=[told])

    [row] = await store.pause_rows("t1")
    assert (row.assignee, row.deadline) == ("bob", None)
    assert [i.thread_id for i in await store.inbox("bob", 10, 0)] == ["t1"]
    assert await store.get_notification("e1") == told


async def test_an_escalation_whose_notification_id_clashes_moves_no_pause(store: Store) -> None:
    await waiting_thread(store)
    await store.add_notifications([note("taken")])

    with pytest.raises(Conflict):
        await store.escalate("t1", "i1", "bob", notifications=[note("taken", event="escalated")])

    [row] = await store.pause_rows("t1")
    assert (row.assignee, row.deadline) == (None, at(60))
    assert await store.inbox("bob", 10, 0) == []


async def test_add_notifications_writes_all_or_none(store: Store) -> None:
    await store.add_notifications([note("n1"), note("n2", 1)])

    with pytest.raises(Conflict):
        await store.add_notifications([note("n3", 2), note("n1", 3)])

    assert [n.id for n in await store.list_notifications()] == ["n2", "n1"]


# claimed by a sender


async def test_a_claim_takes_due_rows_oldest_first_at_most_limit_and_holds_them_until(
    store: Store,
) -> None:
    await store.add_notifications([note("c", 3), note("a", 1), note("d", 4), note("b", 2)])

    claimed = await store.claim_notifications(at(10), at(15), limit=3)

    assert [n.id for n in claimed] == ["a", "b", "c"]
    assert all(n.next_at == at(15) and n.status == "pending" for n in claimed)
    assert [await store.get_notification(n.id) for n in claimed] == claimed
    untouched = await store.get_notification("d")
    assert untouched is not None and untouched.next_at is None


async def test_claimed_rows_are_not_claimed_again_before_until_and_are_after(
    store: Store,
) -> None:
    await store.add_notifications([note("a", 1), note("b", 2)])
    first = await store.claim_notifications(at(10), at(15), limit=10)

    before = await store.claim_notifications(at(14), at(20), limit=10)
    after = await store.claim_notifications(at(15), at(20), limit=10)

    assert [n.id for n in first] == ["a", "b"]
    assert before == []
    assert [(n.id, n.next_at) for n in after] == [("a", at(20)), ("b", at(20))]


async def test_rows_not_yet_due_or_no_longer_pending_are_not_claimed(store: Store) -> None:
    later = replace(note("later", 1), next_at=at(30))
    sent = replace(note("sent", 2), status="sent", next_at=at(3))
    dead = replace(note("dead", 3), status="dead", attempts=8, last_error="gone")
    await store.add_notifications([later, sent, dead, note("now", 4)])

    claimed = await store.claim_notifications(at(10), at(15), limit=10)

    assert [n.id for n in claimed] == ["now"]
    assert await store.get_notification("later") == later


async def test_finish_notification_records_the_outcome_and_refuses_an_unknown_id(
    store: Store,
) -> None:
    await store.add_notifications([note("a"), note("b")])

    retried = await store.finish_notification("a", "pending", 1, at(20), "HTTP 503")
    sent = await store.finish_notification("b", "sent", 1, at(5), None)
    unknown = await store.finish_notification("missing", "sent", 1, at(5), None)

    assert (retried, sent, unknown) == (True, True, False)
    assert await store.get_notification("a") == replace(
        note("a"), attempts=1, next_at=at(20), last_error="HTTP 503"
    )
    assert await store.get_notification("b") == replace(
        note("b"), status="sent", attempts=1, next_at=at(5)
    )
    assert await store.get_notification("missing") is None
    assert await store.claim_notifications(at(10), at(15), limit=10) == []


# read back


async def test_notifications_are_listed_by_status_newest_first_a_page_at_a_time(
    store: Store,
) -> None:
    await store.add_notifications([note(f"n{i}", i) for i in range(5)])
    await store.finish_notification("n1", "sent", 1, at(9), None)
    await store.finish_notification("n3", "sent", 1, at(9), None)

    assert [n.id for n in await store.list_notifications()] == ["n4", "n3", "n2", "n1", "n0"]
    assert [n.id for n in await store.list_notifications("pending")] == ["n4", "n2", "n0"]
    assert [n.id for n in await store.list_notifications("sent")] == ["n3", "n1"]
    assert [n.id for n in await store.list_notifications(limit=2, offset=1)] == ["n3", "n2"]
    assert await store.list_notifications("dead") == []


async def test_payload_and_times_read_back_equal_as_aware_utc(store: Store) -> None:
    plus_two = timezone(timedelta(hours=2))
    payload = {"pause": {"title": "Ship it? ✓", "fields": [1, 2.5, None, True]}, "n": 3}
    row = NotificationRow(
        id="n1",
        channel="email",
        target="ann@example.test",
        event="reminder",
        thread_id="t1",
        payload=payload,
        created_at=datetime(2025, 1, 1, 14, 0, 0, 123456, tzinfo=plus_two),
        next_at=datetime(2025, 1, 1, 12, 30),  # naive: taken as UTC
        attempts=2,
        last_error="timed out",
    )
    await store.add_notifications([row])

    found = await store.get_notification("n1")

    assert found is not None and found.next_at is not None
    assert found == replace(row, next_at=at(30))
    assert found.created_at == at(0) + timedelta(microseconds=123456)
    assert (found.created_at.tzinfo, found.next_at.tzinfo) == (UTC, UTC)


# two servers on one database


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_two_servers_claiming_at_once_take_disjoint_rows_that_cover_all_due(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'pausepoint.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    async with AsyncExitStack() as stack:
        a, b = [
            (
                await stack.enter_async_context(
                    open_database(settings_for(url), make_serializer(()))
                )
            ).store
            for _ in range(2)
        ]
        await a.add_notifications([note(f"n{i:02}", i) for i in range(50)])

        first, second = await asyncio.gather(
            a.claim_notifications(at(100), at(105), limit=30),
            b.claim_notifications(at(100), at(105), limit=30),
        )

    ids_a, ids_b = {n.id for n in first}, {n.id for n in second}
    assert ids_a.isdisjoint(ids_b)
    assert ids_a | ids_b == {f"n{i:02}" for i in range(50)}
    assert sorted((len(ids_a), len(ids_b))) == [20, 30]

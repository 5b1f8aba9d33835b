"""The `Store` contract, one set of tests for every implementation.

Each test runs on a `SqliteStore` on a real file in tmp_path, a `PostgresStore` on a fresh
PostgreSQL database (skipped, with the reason, when PAUSEPOINT_TEST_POSTGRES_URL is unset) and
a `MemoryStore`. The SQL stores are opened as a server opens them (`open_database`, with their
checkpointer); the MemoryStore is given an `InMemorySaver`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypedDict

import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph

from pausepoint.domain import Decision, InboxItem, Pause, ThreadStatus
from pausepoint.errors import AlreadyAnswered, Conflict
from pausepoint.persistence.database import open_database
from pausepoint.persistence.memory import MemoryStore
from pausepoint.persistence.records import PauseRow, ThreadRecord, ThreadState
from pausepoint.persistence.serde import make_serializer
from pausepoint.persistence.sql import PostgresStore, SqliteStore
from pausepoint.persistence.store import Store
from pausepoint.settings import Settings

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
KINDS = {"sqlite": SqliteStore, "postgres": PostgresStore, "memory": MemoryStore}


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


class Count(TypedDict):
    n: int


def _count(state: Count) -> Count:
    return {"n": state["n"] + 1}


@dataclass
class Backend:
    store: Store
    saver: BaseCheckpointSaver[Any]


@pytest.fixture(params=list(KINDS))
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    serde = make_serializer(())
    if request.param == "memory":
        saver = InMemorySaver(serde=serde)
        yield Backend(MemoryStore(saver), saver)
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'pausepoint.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    settings = Settings(database_url=url, model="offline", _env_file=None)  # type: ignore[call-arg]
    async with open_database(settings, serde) as db:
        assert isinstance(db.store, KINDS[request.param])
        yield Backend(db.store, db.saver)


@pytest.fixture
def store(backend: Backend) -> Store:
    return backend.store


def thread(
    thread_id: str,
    owner: str = "alice",
    status: ThreadStatus = ThreadStatus.WAITING,
    updated: float = 0,
) -> ThreadRecord:
    return ThreadRecord(thread_id, "story", owner, status, created_at=T0, updated_at=at(updated))


def pause_row(
    interrupt_id: str,
    assignee: str | None = None,
    deadline: datetime | None = None,
    *,
    pause: Pause | None = None,
    summary: str | None = None,
) -> PauseRow:
    return PauseRow(
        interrupt_id,
        "question",
        f"Question {interrupt_id}",
        assignee,
        deadline,
        pause,
        summary=summary,
    )


def decision(
    thread_id: str,
    interrupt_id: str,
    answer: Any = "yes",
    checkpoint_id: str = "c1",
    decided: float = 1,
) -> Decision:
    return Decision(
        thread_id=thread_id,
        interrupt_id=interrupt_id,
        checkpoint_id=checkpoint_id,
        actor="alice",
        decided_at=at(decided),
        answer=answer,
        payload_digest="d",
    )


async def waiting(store: Store, thread_id: str, *pauses: PauseRow, owner: str = "alice") -> None:
    """A thread waiting on `pauses` (indexed at T0)."""
    await store.create_thread(thread(thread_id, owner, ThreadStatus.RUNNING))
    await store.set_status(thread_id, ThreadStatus.WAITING, T0, pauses=pauses)


def answers(decisions: list[Decision]) -> list[tuple[str, Any]]:
    return [(d.interrupt_id, d.answer) for d in decisions]


# threads


async def test_a_created_thread_reads_back_as_written(store: Store) -> None:
    record = ThreadRecord("t1", "story", "alice", ThreadStatus.RUNNING, at(0), at(5), "boom")

    await store.create_thread(record)

    assert await store.get_thread("t1") == record


async def test_a_second_thread_with_the_same_id_is_a_conflict_and_changes_nothing(
    store: Store,
) -> None:
    await store.create_thread(thread("t1", owner="alice"))

    with pytest.raises(Conflict):
        await store.create_thread(thread("t1", owner="mallory"))

    found = await store.get_thread("t1")
    assert found is not None and found.owner == "alice"


async def test_an_unknown_thread_has_no_record_state_rows_decisions_or_lease(store: Store) -> None:
    assert await store.get_thread("nope") is None
    assert await store.thread_state("nope") is None
    assert await store.pause_rows("nope") == []
    assert await store.decisions("nope") == []
    assert await store.unapplied_decisions("nope") == []
    assert await store.lease_holder("nope") is None


async def test_naive_times_are_taken_as_utc(store: Store) -> None:
    naive = datetime(2025, 1, 1, 12, 0)
    await store.create_thread(
        ThreadRecord("t1", "story", "alice", ThreadStatus.RUNNING, naive, naive)
    )
    await store.set_status("t1", ThreadStatus.WAITING, naive, pauses=[pause_row("i1", None, naive)])
    await store.record_decisions([decision("t1", "i1").model_copy(update={"decided_at": naive})])

    record = await store.get_thread("t1")
    assert record is not None and (record.created_at, record.updated_at) == (T0, T0)
    assert record.created_at.utcoffset() == timedelta(0)
    assert [r.deadline for r in await store.pause_rows("t1")] == [T0]
    assert [d.decided_at for d in await store.decisions("t1")] == [T0]
    assert await store.due_pauses(naive, 10) == [("t1", "i1")]


async def test_threads_are_listed_most_recently_updated_first_in_pages(store: Store) -> None:
    for tid, updated in (("t1", 1), ("t2", 3), ("t3", 2)):
        await store.create_thread(thread(tid, updated=updated))

    everyone = await store.list_threads(None, 10, 0)
    first = await store.list_threads(None, 2, 0)
    second = await store.list_threads(None, 2, 2)

    assert [t.thread_id for t in everyone] == ["t2", "t3", "t1"]
    assert [t.thread_id for t in first] == ["t2", "t3"]
    assert [t.thread_id for t in second] == ["t1"]


async def test_threads_are_listed_by_status_and_by_owner(store: Store) -> None:
    await store.create_thread(thread("t1", "alice", ThreadStatus.WAITING, updated=1))
    await store.create_thread(thread("t2", "bob", ThreadStatus.WAITING, updated=2))
    await store.create_thread(thread("t3", "alice", ThreadStatus.COMPLETED, updated=3))

    def ids(records: list[ThreadRecord]) -> list[str]:
        return [r.thread_id for r in records]

    assert ids(await store.list_threads(ThreadStatus.WAITING, 10, 0)) == ["t2", "t1"]
    assert ids(await store.list_threads(None, 10, 0, owner="alice")) == ["t3", "t1"]
    assert ids(await store.list_threads(ThreadStatus.WAITING, 10, 0, owner="alice")) == ["t1"]
    assert ids(await store.list_threads(ThreadStatus.FAILED, 10, 0)) == []


async def test_a_completed_threads_outcome_is_kept_until_its_next_run(store: Store) -> None:
    await store.create_thread(thread("t1", status=ThreadStatus.RUNNING))
    await store.create_thread(thread("t2", status=ThreadStatus.RUNNING))
    await store.set_status("t1", ThreadStatus.COMPLETED, at(1), None, [], outcome="rejected")
    await store.set_status("t2", ThreadStatus.COMPLETED, at(2), None, [])

    listed = {r.thread_id: r for r in await store.list_threads(None, 10, 0)}
    kept = await store.get_thread("t1")
    await store.reopen_thread("t1", {"n": 2}, at(3))
    reopened = await store.get_thread("t1")

    assert kept is not None and kept.outcome == "rejected"
    assert listed["t1"].summary().outcome == "rejected"
    assert listed["t2"].summary().outcome is None  # as a thread completed before outcomes
    assert reopened is not None and reopened.outcome is None
    assert reopened.summary().outcome == "running"


async def test_changed_threads_are_those_updated_after_a_time_oldest_change_first(
    store: Store,
) -> None:
    await store.create_thread(thread("t1", status=ThreadStatus.WAITING, updated=1))
    await store.create_thread(thread("t2", status=ThreadStatus.RUNNING, updated=2))
    await store.create_thread(thread("t3", status=ThreadStatus.COMPLETED, updated=3))
    await store.set_status("t1", ThreadStatus.FAILED, at(4), "it broke")

    changed = await store.changed_threads(at(1.5), 10)
    first = await store.changed_threads(at(1.5), 2)

    assert [(t.thread_id, t.status) for t in changed] == [
        ("t2", ThreadStatus.RUNNING),
        ("t3", ThreadStatus.COMPLETED),
        ("t1", ThreadStatus.FAILED),
    ]
    assert changed[-1].updated_at == at(4) and changed[-1].error == "it broke"
    assert [t.thread_id for t in first] == ["t2", "t3"]
    assert await store.changed_threads(at(4), 10) == []


async def test_set_status_records_the_status_the_time_and_the_error(store: Store) -> None:
    await store.create_thread(thread("t1", status=ThreadStatus.RUNNING))

    await store.set_status("t1", ThreadStatus.FAILED, at(7), error="boom")
    failed = await store.get_thread("t1")
    await store.set_status("t1", ThreadStatus.RUNNING, at(8))
    running = await store.get_thread("t1")

    assert failed is not None and (failed.status, failed.updated_at, failed.error) == (
        ThreadStatus.FAILED,
        at(7),
        "boom",
    )
    assert running is not None and (running.status, running.error) == (ThreadStatus.RUNNING, None)
    assert running.created_at == T0


# pause index


async def test_set_status_with_pauses_makes_the_index_exactly_these(store: Store) -> None:
    await waiting(store, "t1", pause_row("i1"), pause_row("i2", deadline=at(60)))
    await store.escalate("t1", "i2", "carol")

    await store.set_status(
        "t1", ThreadStatus.WAITING, at(5), pauses=[pause_row("i3"), pause_row("i2", "bob", at(9))]
    )

    rows = await store.pause_rows("t1")
    # i1 is gone, i3 is new, i2 keeps the row it had (its escalation and cleared deadline).
    assert [(r.interrupt_id, r.assignee, r.deadline) for r in rows] == [
        ("i2", "carol", None),
        ("i3", None, None),
    ]
    assert [item.interrupt_id for item in await store.inbox("carol", 10, 0)] == ["i2"]


async def test_set_status_without_pauses_leaves_the_index_and_an_empty_list_clears_it(
    store: Store,
) -> None:
    await waiting(store, "t1", pause_row("i1"))

    await store.set_status("t1", ThreadStatus.RUNNING, at(1))
    kept = await store.pause_rows("t1")
    await store.set_status("t1", ThreadStatus.COMPLETED, at(2), pauses=[])

    assert [r.interrupt_id for r in kept] == ["i1"]
    assert await store.pause_rows("t1") == []
    assert await store.inbox("alice", 10, 0) == []


async def test_a_pause_row_keeps_its_whole_pause_and_its_deadline(store: Store) -> None:
    pause = Pause(
        interrupt_id="i1",
        kind="approval",
        title="Ship it?",
        context={"draft": "v2", "n": [1, 2]},
        deadline=timedelta(hours=1),
        response_schema={"type": "object"},
    )
    await waiting(store, "t1", pause_row("i1", "bob", at(60), pause=pause), pause_row("i0"))

    rows = await store.pause_rows("t1")

    assert [r.interrupt_id for r in rows] == ["i0", "i1"]
    assert rows[1].pause == pause and rows[1].deadline == at(60) and rows[1].assignee == "bob"
    assert rows[0].pause is None


async def test_a_new_pause_row_records_the_threads_latest_checkpoint(backend: Backend) -> None:
    store = backend.store
    await waiting(store, "t1", pause_row("i1"))
    graph = StateGraph(Count)
    graph.add_node("step", _count)
    graph.add_edge(START, "step")
    config: Any = {"configurable": {"thread_id": "t1"}}
    await graph.compile(checkpointer=backend.saver).ainvoke({"n": 0}, config)
    latest = await backend.saver.aget_tuple(config)
    assert latest is not None

    await store.set_status(
        "t1", ThreadStatus.WAITING, at(1), pauses=[pause_row("i1"), pause_row("i2")]
    )

    rows = await store.pause_rows("t1")
    # i1 was indexed before the thread had a checkpoint; i2 takes the latest.
    assert [r.checkpoint_id for r in rows] == [None, latest.config["configurable"]["checkpoint_id"]]


async def test_pauses_of_a_thread_that_does_not_exist_are_not_indexed(store: Store) -> None:
    await store.set_status("ghost", ThreadStatus.WAITING, T0, pauses=[pause_row("i1")])

    assert await store.pause_rows("ghost") == []
    assert await store.get_thread("ghost") is None


async def test_thread_state_is_the_thread_its_pauses_and_its_unapplied_decisions(
    store: Store,
) -> None:
    await waiting(store, "t1", pause_row("i2"), pause_row("i1"))
    await store.record_decisions([decision("t1", "i1", "applied")])
    await store.set_status(
        "t1", ThreadStatus.WAITING, at(1), pauses=[pause_row("i2")], applied=["i1"]
    )
    await store.record_decisions([decision("t1", "i2", "pending")])

    state = await store.thread_state("t1")

    assert isinstance(state, ThreadState)
    assert state.record == await store.get_thread("t1")
    assert state.pauses == await store.pause_rows("t1")
    assert [r.interrupt_id for r in state.pauses] == ["i2"]
    assert answers(state.unapplied) == [("i2", "pending")]


# decision log


async def test_decisions_come_back_in_decision_order_with_their_answers(store: Store) -> None:
    await waiting(store, "t1", pause_row("i1"), pause_row("i2"), pause_row("i3"))
    await store.record_decisions([decision("t1", "i3", {"ok": True, "why": ["a"]}, decided=2)])
    await store.record_decisions([decision("t1", "i2", [1, 2], decided=1)])
    await store.record_decisions([decision("t1", "i1", None, decided=2)])

    found = await store.decisions("t1")

    assert answers(found) == [("i2", [1, 2]), ("i3", {"ok": True, "why": ["a"]}), ("i1", None)]
    assert found[0] == decision("t1", "i2", [1, 2], decided=1)


async def test_a_second_answer_to_a_pause_is_already_answered_and_records_none_of_its_batch(
    store: Store,
) -> None:
    await waiting(store, "t1", pause_row("i1"), pause_row("i2"))
    await store.record_decisions([decision("t1", "i1", "first")])

    with pytest.raises(AlreadyAnswered):
        await store.record_decisions([decision("t1", "i2", "new"), decision("t1", "i1", "again")])

    assert answers(await store.decisions("t1")) == [("i1", "first")]


async def test_a_batch_answering_one_pause_twice_records_nothing(store: Store) -> None:
    await waiting(store, "t1", pause_row("i1"))

    with pytest.raises(AlreadyAnswered):
        await store.record_decisions([decision("t1", "i1", "a"), decision("t1", "i1", "b")])

    assert await store.decisions("t1") == []


async def test_the_same_interrupt_at_another_checkpoint_is_another_pause(store: Store) -> None:
    await waiting(store, "t1", pause_row("i1"))
    await store.record_decisions([decision("t1", "i1", "first", checkpoint_id="c1")])

    await store.record_decisions([decision("t1", "i1", "second", checkpoint_id="c2", decided=2)])

    assert [d.checkpoint_id for d in await store.decisions("t1")] == ["c1", "c2"]


async def test_set_status_marks_only_the_named_decisions_applied(store: Store) -> None:
    await waiting(store, "t1", pause_row("i1"), pause_row("i2"), pause_row("i3"))
    await store.record_decisions([decision("t1", "i1"), decision("t1", "i2"), decision("t1", "i3")])

    await store.set_status("t1", ThreadStatus.RUNNING, at(4), applied=["i1", "i3"])

    assert [d.interrupt_id for d in await store.unapplied_decisions("t1")] == ["i2"]
    applied = {d.interrupt_id: d.applied_at for d in await store.decisions("t1")}
    assert applied == {"i1": at(4), "i2": None, "i3": at(4)}


async def test_an_applied_decision_keeps_its_first_applied_time(store: Store) -> None:
    await waiting(store, "t1", pause_row("i1"))
    await store.record_decisions([decision("t1", "i1")])
    await store.set_status("t1", ThreadStatus.RUNNING, at(4), applied=["i1"])

    await store.set_status("t1", ThreadStatus.RUNNING, at(9), applied=["i1"])

    assert [d.applied_at for d in await store.decisions("t1")] == [at(4)]


async def test_deleting_decisions_takes_back_only_unapplied_ones_which_may_be_answered_again(
    store: Store,
) -> None:
    await waiting(store, "t1", pause_row("i1"), pause_row("i2"), pause_row("i3"))
    await store.record_decisions([decision("t1", "i1"), decision("t1", "i2"), decision("t1", "i3")])
    await store.set_status("t1", ThreadStatus.RUNNING, at(2), applied=["i1"])

    await store.delete_decisions("t1", ["i1", "i2"])
    kept = [d.interrupt_id for d in await store.decisions("t1")]
    await store.record_decisions([decision("t1", "i2", "again", decided=3)])

    assert kept == ["i1", "i3"]
    assert answers(await store.unapplied_decisions("t1")) == [("i3", "yes"), ("i2", "again")]


async def test_threads_needing_recovery_have_unapplied_decisions_or_are_running(
    store: Store,
) -> None:
    await waiting(store, "answered", pause_row("i1"))
    await store.record_decisions([decision("answered", "i1")])
    await waiting(store, "applied", pause_row("i1"))
    await store.record_decisions([decision("applied", "i1")])
    await store.set_status("applied", ThreadStatus.COMPLETED, at(1), pauses=[], applied=["i1"])
    await store.create_thread(thread("running", status=ThreadStatus.RUNNING))
    await store.create_thread(thread("done", status=ThreadStatus.COMPLETED))
    await waiting(store, "idle", pause_row("i1"))

    found = await store.threads_needing_recovery()

    assert sorted(found) == ["answered", "running"]


# inbox


async def test_an_unassigned_pause_waits_in_the_owners_inbox(store: Store) -> None:
    await waiting(store, "t1", pause_row("i1"), owner="alice")

    assert [(i.thread_id, i.interrupt_id) for i in await store.inbox("alice", 10, 0)] == [
        ("t1", "i1")
    ]
    assert await store.inbox("bob", 10, 0) == []


async def test_an_assigned_pause_waits_in_the_assignees_inbox_only(store: Store) -> None:
    await waiting(store, "t1", pause_row("i1", "bob"), pause_row("i2"), owner="alice")

    assert [i.interrupt_id for i in await store.inbox("bob", 10, 0)] == ["i1"]
    assert [i.interrupt_id for i in await store.inbox("alice", 10, 0)] == ["i2"]


async def test_an_inbox_item_names_the_thread_and_the_pause(store: Store) -> None:
    await store.create_thread(
        ThreadRecord("t1", "expense", "alice", ThreadStatus.RUNNING, created_at=T0, updated_at=T0)
    )
    await store.set_status(
        "t1", ThreadStatus.WAITING, at(3), pauses=[pause_row("i1", "bob", at(60))]
    )

    assert await store.inbox("bob", 10, 0) == [
        InboxItem(
            thread_id="t1",
            interrupt_id="i1",
            workflow="expense",
            kind="question",
            title="Question i1",
            summary=None,
            assignee="bob",
            owner="alice",
            deadline=at(60),
            created_at=at(3),
        )
    ]


async def test_an_inbox_item_carries_its_pauses_one_line_summary(store: Store) -> None:
    await waiting(
        store, "t1", pause_row("i1", summary="Draft 1 — draft: Once upon a time"), pause_row("i2")
    )

    items = {i.interrupt_id: i for i in await store.inbox("alice", 10, 0)}
    rows = {r.interrupt_id: r for r in await store.pause_rows("t1")}

    assert items["i1"].summary == "Draft 1 — draft: Once upon a time"
    assert items["i2"].summary is None  # as a row indexed before summaries were kept
    assert rows["i1"].summary == "Draft 1 — draft: Once upon a time"


async def test_waiting_lists_every_pause_of_the_threads_one_owns_or_answers_in(
    store: Store,
) -> None:
    await waiting(store, "t1", pause_row("i1", "bob"), pause_row("i2"), owner="alice")
    await waiting(store, "t2", pause_row("i1", "alice"), pause_row("i2", "dave"), owner="carol")
    await waiting(store, "t3", pause_row("i1"), owner="erin")

    listed = await store.inbox("alice", 10, 0, others=True)
    paged = [
        await store.inbox("alice", 3, 0, others=True),
        await store.inbox("alice", 3, 3, others=True),
    ]
    mine = await store.inbox("alice", 10, 0)

    assert [(i.thread_id, i.interrupt_id, i.assignee or i.owner) for i in listed] == [
        ("t1", "i1", "bob"),
        ("t1", "i2", "alice"),
        ("t2", "i1", "alice"),
        ("t2", "i2", "dave"),
    ]
    assert [[(i.thread_id, i.interrupt_id) for i in page] for page in paged] == [
        [("t1", "i1"), ("t1", "i2"), ("t2", "i1")],
        [("t2", "i2")],
    ]
    assert sorted((i.thread_id, i.interrupt_id) for i in mine) == [("t1", "i2"), ("t2", "i1")]


async def test_the_inbox_is_newest_first_then_by_thread_in_pages(store: Store) -> None:
    for tid, minute in (("b", 1), ("c", 2), ("a", 2), ("d", 0)):
        await store.create_thread(thread(tid, status=ThreadStatus.RUNNING))
        await store.set_status(tid, ThreadStatus.WAITING, at(minute), pauses=[pause_row("i1")])

    everything = await store.inbox("alice", 10, 0)
    pages = [await store.inbox("alice", 3, 0), await store.inbox("alice", 3, 3)]

    assert [i.thread_id for i in everything] == ["a", "c", "b", "d"]
    assert [[i.thread_id for i in page] for page in pages] == [["a", "c", "b"], ["d"]]


# deadlines


async def test_due_pauses_are_those_at_or_before_now_earliest_first(store: Store) -> None:
    await waiting(store, "t1", pause_row("late", deadline=at(30)), pause_row("never"))
    await waiting(
        store, "t2", pause_row("soon", deadline=at(10)), pause_row("now", deadline=at(20))
    )

    assert await store.due_pauses(at(20), 10) == [("t2", "soon"), ("t2", "now")]
    assert await store.due_pauses(at(60), 2) == [("t2", "soon"), ("t2", "now")]
    assert await store.due_pauses(at(60), 10) == [("t2", "soon"), ("t2", "now"), ("t1", "late")]
    assert await store.due_pauses(at(5), 10) == []


async def test_escalating_a_pause_hands_it_over_and_clears_its_deadline(store: Store) -> None:
    await waiting(store, "t1", pause_row("i1", deadline=at(10)), pause_row("i2", deadline=at(10)))

    await store.escalate("t1", "i1", "carol")
    await store.escalate("t1", "nope", "carol")

    assert await store.due_pauses(at(60), 10) == [("t1", "i2")]
    assert [(r.interrupt_id, r.assignee) for r in await store.pause_rows("t1")] == [
        ("i1", "carol"),
        ("i2", None),
    ]
    assert [i.interrupt_id for i in await store.inbox("carol", 10, 0)] == ["i1"]
    assert [i.interrupt_id for i in await store.inbox("alice", 10, 0)] == ["i2"]


# leases


async def test_a_free_lease_is_taken(store: Store) -> None:
    assert await store.try_lease("t1", "p1", until=100.0, now=50.0)

    assert await store.lease_holder("t1") == ("p1", 100.0)


async def test_a_held_lease_is_refused_to_others_until_it_expires(store: Store) -> None:
    await store.try_lease("t1", "p1", until=100.0, now=50.0)

    refused = await store.try_lease("t1", "p2", until=200.0, now=100.0)
    taken = await store.try_lease("t1", "p2", until=200.0, now=100.5)

    assert not refused and taken
    assert await store.lease_holder("t1") == ("p2", 200.0)


async def test_the_holder_renews_its_lease(store: Store) -> None:
    await store.try_lease("t1", "p1", until=100.0, now=50.0)

    assert await store.try_lease("t1", "p1", until=150.0, now=90.0)

    assert await store.lease_holder("t1") == ("p1", 150.0)


async def test_only_the_holder_releases_a_lease(store: Store) -> None:
    await store.try_lease("t1", "p1", until=100.0, now=50.0)
    await store.try_lease("t2", "p1", until=100.0, now=50.0)

    await store.release_lease("t1", "p2")
    await store.release_lease("t2", "p1")

    assert await store.lease_holder("t1") == ("p1", 100.0)
    assert await store.lease_holder("t2") is None
    assert await store.try_lease("t2", "p2", until=100.0, now=60.0)


async def test_only_a_completed_thread_is_reopened_with_its_new_input(store: Store) -> None:
    await store.create_thread(thread("done", status=ThreadStatus.RUNNING), {"n": 1})
    await store.set_status("done", ThreadStatus.COMPLETED, at(1), None, [])
    await store.create_thread(thread("busy", status=ThreadStatus.RUNNING), {"n": 1})

    assert await store.reopen_thread("done", {"n": 2}, at(2)) is True
    assert await store.reopen_thread("done", {"n": 3}, at(3)) is False  # running by now
    assert await store.reopen_thread("busy", {"n": 3}, at(3)) is False
    assert await store.reopen_thread("missing", {"n": 3}, at(3)) is False

    reopened = await store.get_thread("done")
    assert reopened is not None
    assert (reopened.status, reopened.updated_at, reopened.error) == (
        ThreadStatus.RUNNING,
        at(2),
        None,
    )
    assert await store.thread_input("done") == {"n": 2}
    assert await store.thread_input("busy") == {"n": 1}


async def test_a_thread_is_reopened_from_the_status_the_caller_saw_and_no_other(
    store: Store,
) -> None:
    await store.create_thread(thread("asks", status=ThreadStatus.RUNNING), {"n": 1})
    await store.set_status("asks", ThreadStatus.WAITING, at(1), None, [])

    assert await store.reopen_thread("asks", {"n": 2}, at(2), ThreadStatus.COMPLETED) is False
    assert await store.reopen_thread("asks", {"n": 2}, at(2), ThreadStatus.WAITING) is True
    assert await store.reopen_thread("asks", {"n": 3}, at(3), ThreadStatus.WAITING) is False
    assert await store.reopen_thread("asks", {"n": 4}, at(4), ThreadStatus.RUNNING) is True

    reopened = await store.get_thread("asks")
    assert reopened is not None and reopened.status is ThreadStatus.RUNNING
    assert await store.thread_input("asks") == {"n": 4}

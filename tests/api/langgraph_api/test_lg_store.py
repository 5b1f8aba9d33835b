"""The `api_threads` and `api_runs` tables' store methods, one contract for SQLite, Postgres
and memory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pausepoint.persistence.database import open_database
from pausepoint.persistence.memory import MemoryStore
from pausepoint.persistence.records import ApiRunRecord, ApiThreadRecord
from pausepoint.persistence.serde import make_serializer
from pausepoint.persistence.store import Store
from pausepoint.settings import Settings

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def row(
    thread_id: str, owner: str = "ann", minutes: int = 0, **metadata: object
) -> ApiThreadRecord:
    at = T0 + timedelta(minutes=minutes)
    return ApiThreadRecord(thread_id, owner, dict(metadata), at, at)


def run(
    run_id: str, thread_id: str = "t1", minutes: int = 0, status: str = "pending", **kwargs: object
) -> ApiRunRecord:
    at = T0 + timedelta(minutes=minutes)
    return ApiRunRecord(
        run_id, thread_id, "agent", "ann", status, {"run": run_id}, dict(kwargs), "reject", at, at
    )


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
    settings = Settings(database_url=url, model="offline", _env_file=None)  # type: ignore[call-arg]
    async with open_database(settings, make_serializer(())) as db:
        yield db.store


async def test_an_api_thread_is_stored_once_and_read_back_as_written(store: Store) -> None:
    first = row("t1", team="red", nested={"a": [1, 2]})

    assert await store.put_api_thread(first) is True
    assert await store.put_api_thread(row("t1", owner="bob")) is False
    assert await store.get_api_thread("t1") == first
    assert await store.get_api_thread("missing") is None


async def test_api_threads_are_listed_newest_first_by_owner_and_deleted(store: Store) -> None:
    for thread_id, owner, minutes in (("a", "ann", 0), ("b", "bob", 1), ("c", "ann", 2)):
        await store.put_api_thread(row(thread_id, owner, minutes))

    assert [r.thread_id for r in await store.list_api_threads()] == ["c", "b", "a"]
    assert [r.thread_id for r in await store.list_api_threads("ann")] == ["c", "a"]
    assert await store.delete_api_thread("c") is True
    assert await store.delete_api_thread("c") is False
    assert [r.thread_id for r in await store.list_api_threads("ann")] == ["a"]


async def test_an_api_run_is_stored_once_and_read_back_as_written(store: Store) -> None:
    first = run(
        "r1", input={"messages": [{"role": "user", "content": "hi"}]}, stream_mode=["values"]
    )

    assert await store.put_api_run(first) is True
    assert await store.put_api_run(run("r1", thread_id="t2", status="error")) is False
    assert await store.get_api_run("r1") == first
    assert await store.get_api_run("missing") is None


async def test_a_threads_api_runs_are_listed_newest_first_by_page_and_status(store: Store) -> None:
    for run_id, minutes, status in (
        ("a", 0, "success"),
        ("b", 1, "pending"),
        ("c", 2, "success"),
        ("e", 3, "pending"),
        ("d", 3, "success"),
    ):
        await store.put_api_run(run(run_id, "t1", minutes, status))
    await store.put_api_run(run("x", "t2", 9, "success"))

    async def ids(
        thread_id: str, limit: int = 10, offset: int = 0, status: str | None = None
    ) -> list[str]:
        page = await store.list_api_runs(thread_id, limit=limit, offset=offset, status=status)
        return [r.run_id for r in page]

    assert await ids("t1") == ["e", "d", "c", "b", "a"]
    assert await ids("t1", limit=2, offset=1) == ["d", "c"]
    assert await ids("t1", status="success") == ["d", "c", "a"]
    assert await ids("t1", status="pending", limit=1, offset=1) == ["b"]
    assert await ids("t2") == ["x"]
    assert await ids("no-such-thread") == []


async def test_the_latest_api_run_is_the_threads_newest(store: Store) -> None:
    for run_id, thread_id, minutes in (
        ("a", "t1", 0),
        ("c", "t1", 2),
        ("b", "t1", 2),
        ("z", "t2", 5),
    ):
        await store.put_api_run(run(run_id, thread_id, minutes))

    latest = await store.latest_api_run("t1")

    assert latest is not None and latest.run_id == "c"
    assert await store.latest_api_run("no-such-thread") is None


async def test_an_api_runs_status_is_set_and_an_unknown_run_is_refused(store: Store) -> None:
    before = run("r1", input={"n": 1})
    await store.put_api_run(before)
    later = T0 + timedelta(minutes=10)

    assert await store.set_api_run_status("r1", "running", later) is True
    assert await store.set_api_run_status("missing", "running", later) is False
    assert await store.get_api_run("r1") == replace(before, status="running", updated_at=later)
    assert await store.get_api_run("missing") is None


async def test_a_queued_api_run_is_claimed_once_and_a_stopped_run_keeps_its_status(
    store: Store,
) -> None:
    await store.put_api_run(run("r1"))
    await store.put_api_run(run("r2", minutes=1, status="interrupted"))
    later = T0 + timedelta(minutes=10)

    first = await store.set_api_run_status("r1", "running", later, only_from="pending")
    second = await store.set_api_run_status("r1", "running", later, only_from="pending")
    kept = await store.set_api_run_status("r2", "success", later, only_from="running")
    stored = await store.get_api_run("r2")

    assert (first, second, kept) == (True, False, False)
    assert stored is not None and stored.status == "interrupted"


async def test_queued_api_runs_of_every_thread_are_listed_oldest_first(store: Store) -> None:
    for run_id, thread_id, minutes, status in [
        ("b", "t2", 2, "pending"),
        ("a", "t1", 1, "pending"),
        ("c", "t1", 3, "running"),
        ("d", "t1", 4, "pending"),
    ]:
        await store.put_api_run(run(run_id, thread_id, minutes, status))

    assert [r.run_id for r in await store.pending_api_runs()] == ["a", "b", "d"]
    assert [r.run_id for r in await store.pending_api_runs(limit=1)] == ["a"]


async def test_an_api_run_is_deleted_once(store: Store) -> None:
    await store.put_api_run(run("r1"))
    await store.put_api_run(run("r2", minutes=1))

    assert await store.delete_api_run("r2") is True
    assert await store.delete_api_run("r2") is False
    assert await store.get_api_run("r2") is None
    assert [r.run_id for r in await store.list_api_runs("t1")] == ["r1"]


async def test_setting_an_api_thread_writes_it_or_replaces_its_metadata_only(
    store: Store,
) -> None:
    await store.set_api_thread(row("new", team="red"))
    first = row("t1", team="red")
    await store.put_api_thread(first)
    later = ApiThreadRecord(
        "t1", "bob", {"team": "blue"}, T0 + timedelta(days=1), T0 + timedelta(hours=2)
    )
    await store.set_api_thread(later)

    assert await store.get_api_thread("new") == row("new", team="red")
    assert await store.get_api_thread("t1") == ApiThreadRecord(
        "t1", first.owner, {"team": "blue"}, first.created_at, T0 + timedelta(hours=2)
    )

"""The `api_threads` table's store methods, one contract for SQLite, Postgres and memory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pausepoint.persistence.database import open_database
from pausepoint.persistence.memory import MemoryStore
from pausepoint.persistence.records import ApiThreadRecord
from pausepoint.persistence.serde import make_serializer
from pausepoint.persistence.store import Store
from pausepoint.settings import Settings

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def row(
    thread_id: str, owner: str = "ann", minutes: int = 0, **metadata: object
) -> ApiThreadRecord:
    at = T0 + timedelta(minutes=minutes)
    return ApiThreadRecord(thread_id, owner, dict(metadata), at, at)


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

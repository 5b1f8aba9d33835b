"""LangGraph's `checkpoints` table still has the shape our one query of it relies on.

`pausepoint.persistence.sql.checkpoints.LATEST_CHECKPOINT` reads the checkpointer's private
table: the greatest `checkpoint_id` among a thread's rows with `checkpoint_ns = ''`. These
tests run the real savers (through `open_database`, as a server does) and fail should a
LangGraph upgrade rename those columns, move root checkpoints to another namespace, or give
ids that no longer sort by time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypedDict

import pytest
from langgraph.graph import START, StateGraph
from langgraph.types import interrupt

from pausepoint.domain import ThreadStatus
from pausepoint.persistence.database import Database, open_database
from pausepoint.persistence.records import PauseRow, ThreadRecord
from pausepoint.persistence.serde import make_serializer
from pausepoint.persistence.sql import SqlStore
from pausepoint.settings import Settings

T0 = datetime(2025, 1, 1, tzinfo=UTC)


class Count(TypedDict):
    n: int


def _count(state: Count) -> Count:
    return {"n": state["n"] + 1}


def _ask(state: Count) -> Count:
    return {"n": interrupt("how many?")}


@dataclass
class Opened:
    db: Database
    store: SqlStore
    sqlite_path: Path | None

    async def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """The rows of a read, straight from the database (not through the store)."""
        if self.db.pool is not None:
            async with self.db.pool.connection() as conn:
                cur = await conn.execute(sql)
                return [tuple(row.values()) for row in await cur.fetchall()]
        assert self.sqlite_path is not None
        with closing(sqlite3.connect(self.sqlite_path)) as conn:
            return conn.execute(sql).fetchall()


@pytest.fixture(params=["sqlite", "postgres"])
async def opened(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Opened]:
    path = tmp_path / "pausepoint.db" if request.param == "sqlite" else None
    url = f"sqlite:///{path}" if path else request.getfixturevalue("postgres_url")
    settings = Settings(database_url=url, model="offline", _env_file=None)  # type: ignore[call-arg]
    async with open_database(settings, make_serializer(())) as db:
        assert isinstance(db.store, SqlStore)
        yield Opened(db, db.store, path)


async def _pause_in_a_subgraph(db: Database, thread_id: str) -> str:
    """Run a graph whose subgraph pauses, which leaves root checkpoints and newer ones of the
    subgraph; the id of the latest root checkpoint, as `aget_tuple` reports it."""
    child = StateGraph(Count)
    child.add_node("ask", _ask)
    child.add_edge(START, "ask")
    parent = StateGraph(Count)
    parent.add_node("count", _count)
    parent.add_node("child", child.compile())
    parent.add_edge(START, "count")
    parent.add_edge("count", "child")
    config: Any = {"configurable": {"thread_id": thread_id}}
    await parent.compile(checkpointer=db.saver).ainvoke({"n": 0}, config)
    latest = await db.saver.aget_tuple(config)
    assert latest is not None
    return str(latest.config["configurable"]["checkpoint_id"])


async def test_the_checkpoints_table_has_the_columns_the_query_reads(opened: Opened) -> None:
    await _pause_in_a_subgraph(opened.db, "t1")

    if opened.db.pool is not None:
        found = await opened.rows(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'checkpoints'"
        )
    else:
        found = [(r[1], r[2]) for r in await opened.rows("PRAGMA table_info(checkpoints)")]

    columns = {str(name): str(kind).lower() for name, kind in found}
    assert {columns.get(c) for c in ("thread_id", "checkpoint_ns", "checkpoint_id")} == {"text"}


async def test_root_checkpoints_have_the_empty_namespace_and_ids_in_time_order(
    opened: Opened,
) -> None:
    latest = await _pause_in_a_subgraph(opened.db, "t1")

    rows = await opened.rows(
        "SELECT checkpoint_ns, checkpoint_id FROM checkpoints WHERE thread_id = 't1'"
    )
    history = [
        t.config["configurable"]["checkpoint_id"]
        async for t in opened.db.saver.alist({"configurable": {"thread_id": "t1"}})
    ]

    root = [str(cid) for ns, cid in rows if ns == ""]
    assert latest in root and max(root) == latest
    # The subgraph's checkpoints are newer: without the namespace filter MAX would find them.
    assert any(ns != "" and str(cid) > latest for ns, cid in rows)
    assert history == sorted(history, reverse=True)  # newest first is greatest id first


async def test_latest_checkpoint_id_is_the_one_aget_tuple_returns(opened: Opened) -> None:
    latest = await _pause_in_a_subgraph(opened.db, "t1")

    assert await opened.store.latest_checkpoint_id("t1") == latest
    assert await opened.store.latest_checkpoint_id("no-such-thread") is None


async def test_a_new_pause_row_records_the_latest_root_checkpoint(opened: Opened) -> None:
    latest = await _pause_in_a_subgraph(opened.db, "t1")
    store = opened.store
    await store.create_thread(
        ThreadRecord("t1", "count", "alice", ThreadStatus.RUNNING, created_at=T0, updated_at=T0)
    )

    await store.set_status(
        "t1", ThreadStatus.WAITING, T0, pauses=[PauseRow("i1", "question", "How many?", None, None)]
    )

    assert [r.checkpoint_id for r in await store.pause_rows("t1")] == [latest]

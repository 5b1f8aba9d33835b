"""Closing a SQLite database leaves nothing behind: a checkpoint write that a cancelled run cut
off between its statement and its commit does not keep the write lock from the next process,
and a database that fails to open closes what it had opened (an aiosqlite connection left open
keeps a thread alive, and the process would never exit)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from pausepoint.persistence.database import open_database
from pausepoint.persistence.serde import make_serializer
from pausepoint.settings import Settings


def sqlite_settings(path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{path}", _env_file=None)  # type: ignore[call-arg]


def write_lock_is_free(path: Path) -> bool:
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


async def test_a_write_cut_off_before_its_commit_does_not_keep_the_lock_after_close(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cut.db"
    async with open_database(sqlite_settings(path), make_serializer(())) as db:
        conn = db.saver.conn  # type: ignore[attr-defined]
        # what a cancelled run's checkpoint writes leave: a statement run with no commit, and
        # cursors still alive (in the cancelled tasks' frames), one of them not read to its end
        writing = await conn.cursor()
        for idx in range(2):
            await writing.execute(
                "INSERT INTO writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, "
                f"channel) VALUES ('t', '', 'c', 'task', {idx}, 'x')"
            )
        reading = await conn.execute("SELECT idx FROM writes")
        assert await reading.fetchone() is not None
        assert not write_lock_is_free(path)

    assert write_lock_is_free(path)
    assert writing is not None and reading is not None  # alive until here


async def test_a_database_that_fails_to_open_leaves_no_thread_running(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    async with open_database(sqlite_settings(path), make_serializer(())):
        pass  # migrated once
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    before = set(threading.enumerate())
    settings = sqlite_settings(path).model_copy(update={"busy_timeout_ms": 50})
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            async with open_database(settings, make_serializer(())):
                pass
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    started = [t for t in set(threading.enumerate()) - before if not t.daemon]
    for thread in started:
        thread.join(timeout=5)  # a closed connection's thread ends right after its last call
    assert [t for t in started if t.is_alive()] == []

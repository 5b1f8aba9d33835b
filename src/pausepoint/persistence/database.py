"""Open the configured database: a checkpointer and Pausepoint's store on the same file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.serde.base import SerializerProtocol
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from pausepoint.errors import ConfigurationError
from pausepoint.persistence.sqlite import SqliteStore, connect
from pausepoint.persistence.store import Store
from pausepoint.settings import Settings


@dataclass(frozen=True, slots=True)
class Database:
    saver: BaseCheckpointSaver[str]
    store: Store


@asynccontextmanager
async def open_database(settings: Settings, serde: SerializerProtocol) -> AsyncIterator[Database]:
    """Open the checkpointer and the store named by `settings.database_url`; close both after."""
    path = settings.sqlite_path
    if path is None:
        raise ConfigurationError(
            f"unsupported PAUSEPOINT_DATABASE_URL {settings.database_url!r}: "
            "use sqlite:///path/to/file.db"
        )
    conn = await connect(path, settings.busy_timeout_ms)
    saver = AsyncSqliteSaver(conn, serde=serde)
    await saver.setup()
    store = await SqliteStore.open(path, settings.busy_timeout_ms)
    try:
        yield Database(saver=saver, store=store)
    finally:
        await store.close()
        await conn.close()

"""Open the configured database: a checkpointer and Pausepoint's store side by side.

`sqlite:///path.db` (the default): `AsyncSqliteSaver` and `SqliteStore` on one file.
`postgresql://...`: `AsyncPostgresSaver` and `PostgresStore` on one psycopg pool, for several
server processes sharing one database. Both use the same serializer allow-list.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.serde.base import SerializerProtocol
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from psycopg import AsyncConnection, OperationalError
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from pausepoint.errors import ConfigurationError
from pausepoint.persistence.sql import Pool, PostgresStore, SqliteStore, connect
from pausepoint.persistence.store import Store
from pausepoint.settings import Settings


@dataclass(frozen=True, slots=True)
class Database:
    saver: BaseCheckpointSaver[str]
    store: Store
    #: The psycopg pool when the database is Postgres (the event bridge uses it), else None.
    pool: Pool | None = None


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def redact(url: str) -> str:
    """The URL without its password, fit for an error message or a log line."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


@asynccontextmanager
async def open_database(settings: Settings, serde: SerializerProtocol) -> AsyncIterator[Database]:
    """Open the checkpointer and the store named by `settings.database_url`; close both after."""
    if is_postgres(settings.database_url):
        async with _open_postgres(settings, serde) as db:
            yield db
        return
    path = settings.sqlite_path
    if path is None:
        raise ConfigurationError(
            f"unsupported PAUSEPOINT_DATABASE_URL {settings.database_url!r}: "
            "use sqlite:///path/to/file.db or postgresql://user@host:port/dbname"
        )
    # Each part is closed even when a later one fails to open: an aiosqlite connection left
    # open keeps a (non-daemon) thread alive, and the process would never exit.
    async with AsyncExitStack() as opened:
        conn = await connect(path, settings.busy_timeout_ms)
        saver = AsyncSqliteSaver(conn, serde=serde)
        opened.push_async_callback(close, saver)
        await saver.setup()
        store = await SqliteStore.open(path, settings.busy_timeout_ms)
        opened.push_async_callback(store.close)
        yield Database(saver=saver, store=store)


async def close(saver: AsyncSqliteSaver) -> None:
    """Close the checkpointer's connection once no write of its is under way, rolling back
    what a cancelled write left: closed in a transaction while a cursor of that write is still
    alive, SQLite would keep the connection, and its write lock, until the cursor is collected.
    (A run's checkpoint writes may outlive the run's cancellation; each holds `saver.lock`.)"""
    async with saver.lock:
        await saver.conn.rollback()
        await saver.conn.close()


@asynccontextmanager
async def open_pool(url: str, max_size: int, connect_timeout: float = 30.0) -> AsyncIterator[Pool]:
    """A psycopg pool in the mode AsyncPostgresSaver needs (autocommit, dict rows).

    One direct connection first, so a wrong URL or a server that is down fails at once with
    the driver's reason instead of after the pool's retries.
    """
    try:
        probe = await AsyncConnection.connect(url, connect_timeout=int(connect_timeout))
    except OperationalError as exc:
        raise ConfigurationError(f"cannot connect to PostgreSQL at {redact(url)!r}: {exc}") from exc
    await probe.close()
    pool: Pool = AsyncConnectionPool(
        url,
        connection_class=AsyncConnection[DictRow],
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
        min_size=1,
        max_size=max_size,
        timeout=connect_timeout,
        open=False,
    )
    try:
        await pool.open(wait=True, timeout=connect_timeout)
    except (PoolTimeout, OperationalError) as exc:
        await pool.close()
        raise ConfigurationError(f"cannot connect to PostgreSQL at {redact(url)!r}: {exc}") from exc
    try:
        yield pool
    finally:
        await pool.close()


@asynccontextmanager
async def _open_postgres(settings: Settings, serde: SerializerProtocol) -> AsyncIterator[Database]:
    async with open_pool(settings.database_url, settings.postgres_pool_size) as pool:
        saver = AsyncPostgresSaver(pool, serde=serde)
        store = PostgresStore(pool)
        await store.migrate(saver.setup)
        yield Database(saver=saver, store=store, pool=pool)

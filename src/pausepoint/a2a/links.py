"""The A2A tables, in the same database as the checkpoints: tasks (a2a-sdk's
`DatabaseTaskStore`) and `a2a_threads`, which maps a task to the thread it drives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from a2a.server.models import create_task_model
from a2a.server.tasks import DatabaseTaskStore
from sqlalchemy import Column, DateTime, MetaData, String, Table, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import DeclarativeBase

from pausepoint.errors import ConfigurationError, Conflict
from pausepoint.settings import Settings

TASK_TABLE = "a2a_tasks"


class _Base(DeclarativeBase):
    pass


# Built once per process: SQLAlchemy refuses to map the same table name twice.
_TaskModel = create_task_model(TASK_TABLE, _Base)

_metadata = MetaData()
_links = Table(
    "a2a_threads",
    _metadata,
    Column("task_id", String(128), primary_key=True),
    Column("context_id", String(128), nullable=False, index=True),
    Column("thread_id", String(128), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True, slots=True)
class Link:
    task_id: str
    context_id: str
    thread_id: str


def make_engine(settings: Settings) -> AsyncEngine:
    """An SQLAlchemy engine on the configured database (where the checkpoints live)."""
    path = settings.sqlite_path
    if path is not None:
        return create_async_engine(
            f"sqlite+aiosqlite:///{path}",
            connect_args={"timeout": settings.busy_timeout_ms / 1000},
        )
    scheme, _, rest = settings.database_url.partition("://")
    if scheme in ("postgresql", "postgres"):
        # psycopg 3, the driver the Postgres checkpointer uses (untested here: no server).
        return create_async_engine(f"postgresql+psycopg://{rest}", pool_pre_ping=True)
    raise ConfigurationError(f"the A2A door cannot use {settings.database_url!r}")


def make_task_store(engine: AsyncEngine) -> DatabaseTaskStore:
    """a2a-sdk's task store on our `a2a_tasks` table."""
    store = DatabaseTaskStore(engine)
    store.task_model = _TaskModel
    return store


class TaskLinks:
    """Task id -> thread id, kept in a table (ids are never derived from one another)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._ready = False

    async def _setup(self) -> None:
        if not self._ready:
            async with self._engine.begin() as conn:
                await conn.run_sync(_metadata.create_all)
            self._ready = True

    async def add(self, link: Link) -> None:
        await self._setup()
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    _links.insert().values(
                        task_id=link.task_id,
                        context_id=link.context_id,
                        thread_id=link.thread_id,
                        created_at=datetime.now(UTC),
                    )
                )
        except IntegrityError as exc:
            raise Conflict(f"task {link.task_id!r} already drives a thread") from exc

    async def get(self, task_id: str) -> Link | None:
        await self._setup()
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(
                    select(_links.c.task_id, _links.c.context_id, _links.c.thread_id).where(
                        _links.c.task_id == task_id
                    )
                )
            ).first()
        return Link(row.task_id, row.context_id, row.thread_id) if row is not None else None

"""Pausepoint's tables in SQL: one store written once (`store.py`), a dialect each.

Import from here: the two stores, the SQLite connection the checkpointer uses (`connect`), the
Postgres pool type (`Pool`), the migration scripts as written once (`MIGRATIONS`, one per
schema version) and the inbox query (`INBOX_SQL`, in SQLite's spelling).
"""

from __future__ import annotations

from pausepoint.persistence.sql.postgres import Pool, PostgresStore
from pausepoint.persistence.sql.queries import INBOX_SQL
from pausepoint.persistence.sql.schema import MIGRATIONS
from pausepoint.persistence.sql.sqlite import SqliteStore, connect
from pausepoint.persistence.sql.store import SqlStore

__all__ = [
    "INBOX_SQL",
    "MIGRATIONS",
    "Pool",
    "PostgresStore",
    "SqlStore",
    "SqliteStore",
    "connect",
]

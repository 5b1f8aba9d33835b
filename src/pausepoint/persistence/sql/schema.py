"""Pausepoint's tables, written once for every SQL dialect: the migration scripts.

Script N is version N (see `pausepoint.persistence.migrations`); never edit a released one,
append a new one. A script names the few things a dialect spells its own way in braces:
`{time}` a timestamp column, `{json}` a JSON column, `{float}` a double, `{seq}` the column
(with its comma) that keeps the order decisions were recorded in, where SQLite has its rowid,
and `{also}` tables only one dialect keeps. `render` fills them in.
"""

from __future__ import annotations

from pausepoint.persistence import migrations

MIGRATIONS: list[str] = [
    """
    CREATE TABLE threads (
        thread_id TEXT PRIMARY KEY,
        workflow TEXT NOT NULL,
        owner TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at {time} NOT NULL,
        updated_at {time} NOT NULL,
        error TEXT
    );
    CREATE INDEX threads_by_status ON threads (status, updated_at);
    CREATE TABLE decisions (
        {seq}thread_id TEXT NOT NULL,
        interrupt_id TEXT NOT NULL,
        checkpoint_id TEXT NOT NULL,
        actor TEXT NOT NULL,
        decided_at {time} NOT NULL,
        answer {json} NOT NULL,
        payload_digest TEXT NOT NULL,
        applied_at {time},
        PRIMARY KEY (thread_id, interrupt_id, checkpoint_id)
    );
    CREATE INDEX decisions_unapplied ON decisions (thread_id) WHERE applied_at IS NULL;
    CREATE TABLE pauses (
        thread_id TEXT NOT NULL,
        interrupt_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        assignee TEXT,
        answerer TEXT NOT NULL,
        deadline {time},
        created_at {time} NOT NULL,
        PRIMARY KEY (thread_id, interrupt_id)
    );
    CREATE INDEX pauses_by_answerer ON pauses (answerer, created_at);
    CREATE INDEX pauses_by_deadline ON pauses (deadline) WHERE deadline IS NOT NULL;
    CREATE TABLE leases (
        thread_id TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at {float} NOT NULL
    );{also}
    """,
    """
    ALTER TABLE pauses ADD COLUMN pause TEXT;
    ALTER TABLE pauses ADD COLUMN checkpoint_id TEXT;
    """,
    """
    CREATE INDEX threads_by_owner ON threads (owner, updated_at);
    """,
    """
    ALTER TABLE threads ADD COLUMN input {json};
    ALTER TABLE threads ADD COLUMN progress {json};
    """,
    """
    CREATE TABLE api_threads (
        thread_id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        metadata {json} NOT NULL,
        created_at {time} NOT NULL,
        updated_at {time} NOT NULL
    );
    CREATE INDEX api_threads_by_owner ON api_threads (owner, created_at);
    """,
    """
    CREATE TABLE api_runs (
        run_id TEXT PRIMARY KEY,
        thread_id TEXT NOT NULL,
        assistant_id TEXT NOT NULL,
        owner TEXT NOT NULL,
        status TEXT NOT NULL,
        metadata {json} NOT NULL,
        kwargs {json} NOT NULL,
        multitask_strategy TEXT NOT NULL,
        created_at {time} NOT NULL,
        updated_at {time} NOT NULL
    );
    CREATE INDEX api_runs_by_thread ON api_runs (thread_id, created_at);
    """,
    """
    CREATE TABLE notifications (
        id TEXT PRIMARY KEY,
        channel TEXT NOT NULL,
        target TEXT NOT NULL,
        event TEXT NOT NULL,
        thread_id TEXT NOT NULL,
        payload {json} NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_at {time},
        last_error TEXT,
        created_at {time} NOT NULL
    );
    CREATE INDEX notifications_due ON notifications (status, next_at);
    """,
    """
    ALTER TABLE pauses ADD COLUMN summary TEXT;
    """,
    """
    ALTER TABLE threads ADD COLUMN outcome TEXT;
    """,
]

#: The versions a database has seen (`{time}` as in the scripts).
VERSIONS_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {migrations.TABLE} "
    "(version INTEGER PRIMARY KEY, applied_at {time} NOT NULL)"
)
CURRENT_VERSION = f"SELECT COALESCE(MAX(version), 0) AS v FROM {migrations.TABLE}"


def render(scripts: list[str], **spelling: str) -> list[str]:
    """`scripts` in one dialect's spelling (keyword arguments: the braced names)."""
    return [script.format(**spelling) for script in scripts]


def upgrade(scripts: list[str], current: int, now: str) -> list[tuple[str, tuple[int, ...]]]:
    """The statements (with arguments) that take a database at version `current` to the
    latest: each pending script, then its row in the versions table (`now` the dialect's SQL
    for the current time). Run them in one transaction, under the dialect's migration lock."""
    steps: list[tuple[str, tuple[int, ...]]] = []
    for version, statements in migrations.pending(scripts, current):
        steps.extend((statement, ()) for statement in statements)
        steps.append((f"INSERT INTO {migrations.TABLE} VALUES (?, {now})", (version,)))
    return steps

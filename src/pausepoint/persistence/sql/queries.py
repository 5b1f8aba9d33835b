"""The statements `SqlStore` shares between its methods, in SQLite's `?` spelling."""

from __future__ import annotations

from pausepoint.persistence.sql.checkpoints import LATEST_CHECKPOINT

THREAD_SQL = "SELECT * FROM threads WHERE thread_id = ?"
PAUSE_ROWS_SQL = "SELECT * FROM pauses WHERE thread_id = ? ORDER BY interrupt_id"
#: `{order}`: the dialect's column for the order decisions were recorded in.
UNAPPLIED_SQL = (
    "SELECT * FROM decisions WHERE thread_id = ? AND applied_at IS NULL ORDER BY {order}"
)
DECISIONS_SQL = "SELECT * FROM decisions WHERE thread_id = ? ORDER BY decided_at, {order}"

#: One page of an actor's inbox: `pauses_by_answerer` serves the WHERE and the created_at order
#: (bench/inbox.py prints its EXPLAIN QUERY PLAN).
_INBOX_COLUMNS = (
    "SELECT p.thread_id, p.interrupt_id, p.kind, p.title, p.assignee, p.deadline, "
    "p.created_at, p.summary, t.workflow, t.owner FROM pauses p JOIN threads t USING (thread_id) "
)
INBOX_SQL = (
    _INBOX_COLUMNS + "WHERE p.answerer = ? ORDER BY p.created_at DESC, p.thread_id LIMIT ? OFFSET ?"
)
#: Every pause of the threads someone may see (they own it, or answer one of its pauses),
#: whoever it waits for. Arguments: the person twice, limit, offset.
WAITING_SQL = (
    _INBOX_COLUMNS + "WHERE t.owner = ? OR p.thread_id IN "
    "(SELECT thread_id FROM pauses WHERE answerer = ?) "
    "ORDER BY p.created_at DESC, p.thread_id, p.interrupt_id LIMIT ? OFFSET ?"
)

#: A pause-index row for a new pause: its answerer is its assignee, else the thread's owner,
#: and it records the checkpoint the thread is at. A row the pause already has is kept as it
#: is (its deadline and any escalation stand). No row when the thread does not exist.
#: Arguments: thread, interrupt, kind, title, assignee (twice), deadline, created, pause,
#: thread (for the checkpoint), summary, thread.
INSERT_PAUSE_SQL = (
    "INSERT INTO pauses SELECT ?, ?, ?, ?, ?, COALESCE(?, owner), ?, ?, ?, "
    f"{LATEST_CHECKPOINT}, ? FROM threads WHERE thread_id = ? ON CONFLICT DO NOTHING"
)

#: Take or renew a lease in one atomic upsert: of two callers racing for a free or expired
#: lease exactly one gets a row back (the other blocks on the row, then re-checks the WHERE).
TRY_LEASE_SQL = (
    "INSERT INTO leases VALUES (?, ?, ?) ON CONFLICT (thread_id) DO UPDATE "
    "SET holder = excluded.holder, expires_at = excluded.expires_at "
    "WHERE leases.holder = excluded.holder OR leases.expires_at < ? RETURNING holder"
)

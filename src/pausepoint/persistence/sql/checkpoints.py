"""The one place Pausepoint reads LangGraph's own `checkpoints` table.

The table is the checkpointer's private business (AsyncSqliteSaver and AsyncPostgresSaver
both keep it, with the same columns), so everything read from it is here, in one query for
both dialects, and tests/persistence/test_checkpoints_table.py fails should its shape change.
"""

from __future__ import annotations

#: A scalar subquery: the id of thread `?`'s latest root checkpoint, NULL when it has none.
#: Root checkpoints have the namespace ''; subgraphs write theirs under their own. Checkpoint
#: ids are UUIDv6, whose text order is time order, so the greatest is the latest, the one
#: `aget_tuple` returns for the thread.
LATEST_CHECKPOINT = (
    "(SELECT MAX(checkpoint_id) FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = '')"
)

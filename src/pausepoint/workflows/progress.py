"""`report`: a node says what it is doing, for every door to show while the run goes on.

    report("Running validation…")
    report("checking receipts", done=3, of=10)

It writes `{"progress": text, ...}` with LangGraph's `get_stream_writer()`, which is what any
graph may do itself (Pausepoint reads a plain string or a `progress`/`message` key alike);
outside a run it does nothing.
"""

from __future__ import annotations

from typing import Any

from langgraph.config import get_stream_writer


def report(text: str, **data: Any) -> None:
    """Tell whoever watches this run what it is doing now (`data`: anything JSON)."""
    try:
        write = get_stream_writer()
    except RuntimeError:  # not inside a run
        return
    write({"progress": text, **data})

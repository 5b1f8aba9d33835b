"""Approvals are bound to the exact payload approved (DESIGN.md, the pause contract)."""

from __future__ import annotations

from typing import Any

from pausepoint.domain import Pause, digest
from pausepoint.errors import Conflict


def decided_digest(pause: Pause, answer: Any) -> str:
    """The digest the decision log keeps for `answer`; Conflict if it approves another payload.

    An approval answer must carry the `digest` of the payload it approves; one that names
    another digest (the payload changed, or the person saw an old one) is refused. With an
    `edited_payload`, the log keeps the digest of what was actually approved.
    """
    pending = pause.payload_digest or digest(pause.context)
    if pause.kind != "approval" or not isinstance(answer, dict):
        return pending
    given = answer.get("digest")
    if (answer.get("decision") == "approve" or given is not None) and given != pending:
        raise Conflict(
            f"the answer approves payload {str(given)[:12]}..., but the pending payload of "
            f"{pause.title!r} is {pending[:12]}...; reload it and decide again"
        )
    edited = answer.get("edited_payload")
    return digest(edited) if edited is not None else pending

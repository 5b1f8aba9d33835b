"""Door policy, written once: who may see a thread, who may answer a pause, how an answer is
checked and logged as a Decision, how a refusal is explained, and which pause a text reply is for.

Every door (HTTP, WebSocket, A2A, CLI, chat, the page) and the event bus go through these, so
they behave alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pausepoint.domain import SYSTEM_DEADLINE, Decision, Pause, digest
from pausepoint.errors import AlreadyAnswered, Conflict, Forbidden, InvalidAnswer
from pausepoint.forms import summary, validate_answer

#: Actors the service itself answers as (a deadline's `on_timeout`): they see every thread.
SYSTEM_ACTORS = frozenset({SYSTEM_DEADLINE})


def answerer(pause: Pause, owner: str) -> str:
    """Who a pause waits for: its assignee, or else the thread's owner."""
    return pause.assignee or owner


def audience(owner: str, pauses: Iterable[Pause]) -> set[str]:
    """Who may see a thread (and hear its events): its owner and its pauses' assignees."""
    return {owner} | {p.assignee for p in pauses if p.assignee}


def may_see(actor: str, owner: str, pauses: Iterable[Pause]) -> bool:
    return actor in SYSTEM_ACTORS or actor in audience(owner, pauses)


def may_answer(actor: str, pause: Pause, owner: str) -> bool:
    return actor in SYSTEM_ACTORS or actor == answerer(pause, owner)


def check_may_answer(actor: str, pause: Pause, owner: str) -> None:
    if not may_answer(actor, pause, owner):
        raise Forbidden(
            f"{actor!r} may not answer this pause; it waits for {answerer(pause, owner)!r}"
        )


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


def checked_digest(pause: Pause, answer: Any) -> str:
    """Check `answer` against the pause's schema (InvalidAnswer names the field) and the
    payload it approves; the digest its decision keeps."""
    errors = validate_answer(pause.response_schema, answer)
    if errors:
        raise InvalidAnswer(
            f"invalid answer to {pause.title!r}: {summary(errors, 'answer')}", fields=errors
        )
    return decided_digest(pause, answer)


def decision(
    thread_id: str,
    pause: Pause,
    checkpoint_id: str,
    actor: str,
    at: datetime,
    answer: Any,
    payload_digest: str,
) -> Decision:
    """The one place a Decision is made: `actor`'s `answer` to `pause`, pending on
    `checkpoint_id`, keeping `payload_digest` (what was decided on)."""
    return Decision(
        thread_id=thread_id,
        interrupt_id=pause.interrupt_id,
        checkpoint_id=checkpoint_id,
        actor=actor,
        decided_at=at,
        answer=answer,
        payload_digest=payload_digest,
    )


def explain(exc: Conflict, decisions: Sequence[Decision], ids: Sequence[str]) -> Conflict:
    """A conflict on an answered pause says who answered it and when (`ids`: the pauses the
    refused answer named; none: the latest decision, when the refusal is AlreadyAnswered)."""
    if not ids and not isinstance(exc, AlreadyAnswered):
        return exc  # e.g. the thread was cancelled: no answer to point at
    named = [d for d in decisions if d.interrupt_id in ids] if ids else list(decisions[-1:])
    if not named:
        return exc
    last = named[-1]
    return AlreadyAnswered(
        f"{exc.detail} (answered by {last.actor!r} at {last.decided_at.isoformat()})"
    )


def pause_for(pauses: Sequence[Pause], owner: str, actor: str) -> Pause | None:
    """The pause a text reply from `actor` goes to: the first that waits for them, else the
    first pending."""
    mine = [p for p in pauses if answerer(p, owner) == actor]
    candidates = mine or list(pauses)
    return candidates[0] if candidates else None

"""Answering a thread from a door: visibility, text-to-answer mapping, telling conflicts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pausepoint.api.deps import may_see, visible_thread
from pausepoint.domain import Pause, ThreadView
from pausepoint.errors import AlreadyAnswered, Conflict, PausepointError, ThreadNotFound
from pausepoint.forms import answer_from_text
from pausepoint.service.threads import ThreadService


async def _explain(
    service: ThreadService, thread_id: str, ids: list[str], exc: Conflict
) -> PausepointError:
    """A conflict on an answered pause says who answered it and when."""
    if not ids and not isinstance(exc, AlreadyAnswered):
        return exc  # e.g. the thread was cancelled: no answer to point at
    decisions = await service.decisions(thread_id)
    named = [d for d in decisions if d.interrupt_id in ids] if ids else decisions[-1:]
    if not named:
        return exc
    last = named[-1]
    return AlreadyAnswered(
        f"{exc.detail} (answered by {last.actor!r} at {last.decided_at.isoformat()})"
    )


async def answer(
    service: ThreadService,
    thread_id: str,
    user: str,
    *,
    answer: Any = None,
    interrupt_id: str | None = None,
    answers: Mapping[str, Any] | None = None,
) -> ThreadView:
    """Answer one pause (or several, keyed by interrupt id) as `user`.

    The service lets only the owner or the pause's assignee answer, so a success needs no
    extra check; on any refusal a user who may not see the thread gets ThreadNotFound, never
    a hint that it exists.
    """
    try:
        if answers is not None:
            return await service.resume(thread_id, answers, user)
        return await service.answer(thread_id, answer, user, interrupt_id=interrupt_id)
    except ThreadNotFound:
        raise
    except PausepointError as exc:
        await visible_thread(service, thread_id, user)
        if isinstance(exc, Conflict):
            ids = list(answers) if answers is not None else [interrupt_id] if interrupt_id else []
            raise await _explain(service, thread_id, ids, exc) from exc
        raise


async def import_state(service: ThreadService, state: dict[str, Any], user: str) -> ThreadView:
    """Resume from an edited state file; a user who may not see the thread gets NotFound."""
    try:
        return await service.import_state(state, user)
    except ThreadNotFound:
        raise
    except PausepointError:
        thread_id = state.get("thread_id")
        if isinstance(thread_id, str):
            await visible_thread(service, thread_id, user)
        raise


def _pause_for(view: ThreadView, user: str) -> Pause | None:
    mine = [p for p in view.pauses if (p.assignee or view.owner) == user]
    candidates = mine or view.pauses
    return candidates[0] if candidates else None


async def reply(service: ThreadService, thread_id: str, text: str, user: str) -> ThreadView:
    """Answer a waiting thread with plain text, mapped onto its pause's form."""
    view = await visible_thread(service, thread_id, user)
    pause = _pause_for(view, user)
    if pause is None:
        return await answer(service, thread_id, user, answer=text)
    value = answer_from_text(pause, text)
    return await answer(service, thread_id, user, answer=value, interrupt_id=pause.interrupt_id)


async def start_or_reply(
    service: ThreadService, workflow: str, prompt: str, user: str, thread_id: str | None
) -> ThreadView:
    """A chat message: a new conversation, or the reply to a waiting one with that id."""
    if thread_id is not None:
        try:
            existing = await service.get(thread_id)
        except ThreadNotFound:
            existing = None
        if existing is not None:
            if not may_see(existing, user):
                raise ThreadNotFound(f"no thread {thread_id!r}")
            return await reply(service, thread_id, prompt, user)
    return await service.start(workflow, {"prompt": prompt}, user, thread_id=thread_id)

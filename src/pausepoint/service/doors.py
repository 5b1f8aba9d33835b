"""The service as a person meets it through any door (HTTP, WebSocket, A2A, CLI, chat, page).

`Door(service, actor)` adds door policy to ThreadService, written once so that every door
behaves alike: a thread is visible to its owner and its pauses' assignees only (to anyone else
every call says it does not exist, never a hint that it does); a refused answer to a pause
someone already answered says who answered and when; a text reply is mapped onto the form of
the pause it is for.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from langchain_core.runnables import RunnableConfig

from pausepoint.domain import Decision, InboxItem, InboxShow, Pause, ThreadView
from pausepoint.errors import Conflict, PausepointError, ThreadNotFound
from pausepoint.forms import answer_from_text
from pausepoint.service.commands import GraphCommand
from pausepoint.service.decisions import explain, may_see, pause_for
from pausepoint.service.run_options import NO_OPTIONS, RunOptions
from pausepoint.service.threads import ThreadService


class Door:
    """ThreadService as `actor` may use it."""

    def __init__(self, service: ThreadService, actor: str) -> None:
        self.service = service
        self.actor = actor

    async def get(self, thread_id: str) -> ThreadView:
        """The thread, if `actor` may see it (its owner, an assignee of what waits, or someone
        who has decided on it, so an answer's outcome is theirs to read); otherwise
        ThreadNotFound."""
        view = await self.service.get(thread_id)
        if not may_see(self.actor, view.owner, view.pauses) and not any(
            d.actor == self.actor for d in await self.service.decisions(thread_id)
        ):
            raise ThreadNotFound(f"no thread {thread_id!r}")
        return view

    async def inbox(
        self, show: InboxShow = "mine", *, limit: int = 50, offset: int = 0
    ) -> list[InboxItem]:
        """The pauses waiting for `actor` (`mine`), or every pause of the threads `actor` may
        see, whoever it waits for (`waiting`: their own threads, and those where a pause
        waits for them): newest first."""
        others = show == "waiting"
        return await self.service.inbox(self.actor, limit=limit, offset=offset, others=others)

    async def decisions(self, thread_id: str) -> list[Decision]:
        await self.get(thread_id)
        return await self.service.decisions(thread_id)

    async def export_state(self, thread_id: str) -> dict[str, Any]:
        await self.get(thread_id)
        return await self.service.export_state(thread_id)

    async def start(
        self,
        workflow: str,
        input: Mapping[str, Any],
        *,
        thread_id: str | None = None,
        wait: float | None = None,
        options: RunOptions = NO_OPTIONS,
    ) -> ThreadView:
        return await self.service.start(
            workflow, input, self.actor, thread_id=thread_id, wait=wait, options=options
        )

    async def answer(
        self,
        thread_id: str,
        answer: Any,
        *,
        interrupt_id: str | None = None,
        wait: float | None = None,
    ) -> ThreadView:
        """Answer one pause (`interrupt_id` may be left out when exactly one is pending: the
        answer is bound to the pause pending now, see ThreadService.answer)."""
        async with self._refusals(thread_id, [interrupt_id] if interrupt_id else []):
            return await self.service.answer(
                thread_id, answer, self.actor, interrupt_id=interrupt_id, wait=wait
            )

    async def resume(
        self, thread_id: str, answers: Mapping[str, Any], *, wait: float | None = None
    ) -> ThreadView:
        """Answer several pauses at once, keyed by interrupt id."""
        async with self._refusals(thread_id, list(answers)):
            return await self.service.resume(thread_id, answers, self.actor, wait=wait)

    async def reply(
        self,
        thread_id: str,
        text: str,
        *,
        interrupt_id: str | None = None,
        wait: float | None = None,
    ) -> ThreadView:
        """Answer a waiting thread with plain text, mapped onto its pause's form: the pause
        `interrupt_id` (the one the person was shown), else the one that waits for them."""
        view = await self.get(thread_id)
        if interrupt_id is not None:
            shown = [p for p in view.pauses if p.interrupt_id == interrupt_id]
            if not shown:  # answered meanwhile: refused, saying by whom
                return await self.answer(thread_id, text, interrupt_id=interrupt_id)
            pause: Pause | None = shown[0]
        else:
            pause = pause_for(view.pauses, view.owner, self.actor)
        if pause is None:
            return await self.answer(thread_id, text, wait=wait)
        value = answer_from_text(pause, text)
        return await self.answer(thread_id, value, interrupt_id=pause.interrupt_id, wait=wait)

    async def start_or_reply(
        self,
        workflow: str,
        prompt: str,
        thread_id: str | None,
        *,
        extra: Mapping[str, Any] | None = None,
        wait: float | None = None,
    ) -> ThreadView:
        """A chat message: a new conversation (its input the prompt and `extra`), or the reply
        to a waiting one with that id."""
        if thread_id is not None:
            try:
                existing = await self.service.get(thread_id)
            except ThreadNotFound:
                existing = None
            if existing is not None:
                if not may_see(self.actor, existing.owner, existing.pauses):
                    raise ThreadNotFound(f"no thread {thread_id!r}")
                return await self.reply(thread_id, prompt, wait=wait)
        prompted = {"prompt": prompt, **(extra or {})}
        return await self.start(workflow, prompted, thread_id=thread_id, wait=wait)

    async def update_state(
        self,
        thread_id: str,
        values: Any,
        *,
        as_node: str | None = None,
        checkpoint_id: str | None = None,
    ) -> RunnableConfig:
        """Change a thread's state by hand (its owner only), at an earlier checkpoint a fork."""
        async with self._refusals(thread_id, []):
            return await self.service.update_state(
                thread_id, values, self.actor, as_node=as_node, checkpoint_id=checkpoint_id
            )

    async def run_command(self, command: GraphCommand, *, wait: float | None = None) -> ThreadView:
        """Run a thread with LangGraph's `Command` or from an earlier checkpoint (its resume
        an answer, its edits the owner's only: ThreadService.run_command)."""
        async with self._refusals(command.thread_id, command.named()):
            return await self.service.run_command(command, self.actor, wait=wait)

    async def go_on(
        self, thread_id: str, input: Mapping[str, Any], *, wait: float | None = None
    ) -> ThreadView:
        """New input for a completed thread (its owner only): its next turn."""
        async with self._refusals(thread_id, []):
            return await self.service.go_on(thread_id, input, self.actor, wait=wait)

    async def bind(self, thread_id: str, answer: Any, *, by_id: bool = False) -> dict[str, Any]:
        """The answers `answer` makes to the pause pending now, checked, nothing written
        (an answer that waits its turn: service/multitask.py)."""
        named = list(answer) if by_id and isinstance(answer, Mapping) else []
        async with self._refusals(thread_id, named):
            return await self.service.multitask.bind(thread_id, answer, self.actor, by_id=by_id)

    async def supersede(
        self,
        thread_id: str,
        input: Mapping[str, Any],
        *,
        back_to: datetime | None = None,
        wait: float | None = None,
    ) -> ThreadView:
        """Stop the thread's run going on and run `input` (service/multitask.py)."""
        async with self._refusals(thread_id, []):
            return await self.service.multitask.supersede(
                thread_id, input, self.actor, back_to=back_to, wait=wait
            )

    async def cancel(self, thread_id: str) -> ThreadView:
        await self.get(thread_id)
        return await self.service.cancel(thread_id, self.actor)

    async def import_state(self, state: Any) -> ThreadView:
        """Resume from an edited state file (ThreadService.import_state)."""
        thread_id = state.get("thread_id") if isinstance(state, dict) else None
        if not isinstance(thread_id, str):
            return await self.service.import_state(state, self.actor)
        async with self._refusals(thread_id, []):
            return await self.service.import_state(state, self.actor)

    @asynccontextmanager
    async def _refusals(self, thread_id: str, ids: Sequence[str]) -> AsyncIterator[None]:
        """A refusal to someone who may not see the thread says it does not exist; a conflict
        on an answered pause says who answered it and when (`ids`: the pauses named)."""
        try:
            yield
        except ThreadNotFound:
            raise
        except PausepointError as exc:
            await self.get(thread_id)
            if isinstance(exc, Conflict):
                named = ids or exc.pauses  # (the pause the service bound an answer to)
                raise explain(exc, await self.service.decisions(thread_id), named) from exc
            raise

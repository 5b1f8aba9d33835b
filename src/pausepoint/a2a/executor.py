"""The AgentExecutor adapter: A2A messages in, ThreadService calls, task events out.

    new message            -> ThreadService.start (pausepoint.a2a.starts: which workflow, what input)
    follow-up on a task id -> Door.resume with the answer the message carries
    cancel                 -> ThreadService.cancel

A start or an answer does not wait for the run: once it is stored, the task is `working` and
what the run reports (its nodes, the graph's own progress) is published as `working` updates
(pausepoint.a2a.progress) until the thread stops. So a2a-sdk's non-blocking send
(`return_immediately`, 0.3's `blocking: false`) returns at once while the run goes on, and a
streaming client sees the progress as it happens.

A thread's state is published as the task's state: waiting -> INPUT_REQUIRED (the pauses in
words as text, pausepoint.a2a.pause_text, and each whole Pause as a data part), completed ->
an artifact with the result, failed -> FAILED with the error. Errors the person can fix (an
invalid answer, a stale pause) keep the task INPUT_REQUIRED with a message that says what is
wrong and shows what waits now; the service guarantees the thread is unchanged. A reply that
does not name its pause answers the pause the task showed: if another door answered that one
meanwhile, the service refuses it (saying by whom and when), never applying it to the next.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from a2a.helpers import new_task
from a2a.server.agent_execution import AgentExecutor, RequestContext
from a2a.server.events import EventQueue
from a2a.server.tasks import TaskUpdater
from a2a.types.a2a_pb2 import Message, Task, TaskState

from pausepoint.a2a.answers import answers_from_message
from pausepoint.a2a.links import Link, TaskLinks
from pausepoint.a2a.pause_text import pauses_text
from pausepoint.a2a.progress import follow
from pausepoint.a2a.starts import choose_workflow
from pausepoint.agents.a2a_parts import data_of, make_parts, message_data, message_text
from pausepoint.domain import ThreadStatus, ThreadView
from pausepoint.errors import (
    AlreadyAnswered,
    Conflict,
    Forbidden,
    InvalidAnswer,
    InvalidInput,
    NotFound,
    PausepointError,
)
from pausepoint.forms import summary
from pausepoint.service.doors import Door
from pausepoint.service.events import ThreadEvent
from pausepoint.service.threads import ThreadService

logger = logging.getLogger(__name__)

#: The actor of A2A calls when the server runs without authentication.
DEFAULT_ACTOR = "local"


def actor_of(context: RequestContext) -> str:
    return context.call_context.user.user_name or DEFAULT_ACTOR


def _message(
    updater: TaskUpdater, view: ThreadView, text: str, data: list[Any] | None = None
) -> Message:
    """An agent message about the thread; its metadata names the thread (for other doors)."""
    return updater.new_agent_message(
        make_parts(text, data or []), metadata={"thread_id": view.thread_id}
    )


def _shown_pauses(task: Task | None) -> list[str]:
    """The interrupt ids of the pauses the task's last status message showed."""
    if task is None:
        return []
    ids = [
        str(d["interrupt_id"])
        for d in data_of(task.status.message.parts)
        if isinstance(d, dict) and "interrupt_id" in d
    ]
    return list(dict.fromkeys(ids))


def _refusal_text(exc: PausepointError, *, bound: bool) -> str:
    """Why an answer or input was not taken, in words (the fields named, when not yet)."""
    detail = exc.detail
    if exc.fields and summary(exc.fields, "input") not in detail:
        detail = f"{detail}: {summary(exc.fields, 'input')}"
    if bound and isinstance(exc, AlreadyAnswered):
        detail = f"the pause this task showed was answered from another door: {detail}"
    return f"Not accepted: {detail}"


class ThreadExecutor(AgentExecutor):
    """Runs each A2A task as one Pausepoint thread."""

    def __init__(self, service: ThreadService, links: TaskLinks) -> None:
        self._service = service
        self._links = links
        self._executing: set[str] = set()  # the tasks an execute is following here
        self._cancelling: set[str] = set()  # ... that a cancel here will say are cancelled

    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        task_id, context_id = str(context.task_id), str(context.context_id)
        updater = TaskUpdater(event_queue, task_id, context_id)
        if context.current_task is None:
            history = [context.message] if context.message is not None else []
            await event_queue.enqueue_event(
                new_task(task_id, context_id, TaskState.TASK_STATE_SUBMITTED, history=history)
            )
        self._executing.add(task_id)
        try:
            link = await self._links.get(task_id)
            if link is None:
                await self._start(context, updater, task_id, context_id)
            else:
                await self._follow_up(context, updater, link)
        finally:
            self._executing.discard(task_id)
            self._cancelling.discard(task_id)

    async def _start(
        self, context: RequestContext, updater: TaskUpdater, task_id: str, context_id: str
    ) -> None:
        data, text = message_data(context.message), message_text(context.message)
        try:
            workflow, raw = choose_workflow(self._service.workflows, data, text)
            self._service.workflows.get(workflow).parse_input(raw)
        except (InvalidInput, NotFound) as exc:
            await updater.reject(self._error_message(updater, exc))
            return
        thread_id = uuid.uuid4().hex
        await self._links.add(Link(task_id, context_id, thread_id))
        await updater.start_work()
        async with self._service.events.subscribe() as events:
            view = await self._service.start(
                workflow, raw, actor_of(context), thread_id=thread_id, wait=0
            )
            view = await follow(self._service, events, view, updater)
        await self._publish(updater, view)

    async def _follow_up(self, context: RequestContext, updater: TaskUpdater, link: Link) -> None:
        async with self._service.events.subscribe() as events:
            view = await self._service.get(link.thread_id)  # read after subscribing: no race
            # Running too: on another door's answer (to the pause this reply is for, which the
            # service then refuses saying by whom), or a recovery's.
            if view.status in (ThreadStatus.WAITING, ThreadStatus.RUNNING):
                after = await self._answer(context, updater, view, events)
                if after is None:
                    return
                view = after
            await self._publish(updater, view)

    async def _answer(
        self,
        context: RequestContext,
        updater: TaskUpdater,
        view: ThreadView,
        events: asyncio.Queue[ThreadEvent],
    ) -> ThreadView | None:
        """Resume the thread with the answer the message carries and follow the run to its
        stop: the view then, or None when the answer was refused (the task says why, and what
        waits once the thread stops)."""
        thread_id = view.thread_id
        data, text = message_data(context.message), message_text(context.message)
        bound = "answers" not in data and "interrupt_id" not in data
        shown = _shown_pauses(context.current_task)
        try:
            answers = answers_from_message(view.pauses, data, text, shown=shown)
            view = await Door(self._service, actor_of(context)).resume(thread_id, answers, wait=0)
        except (InvalidAnswer, Conflict, Forbidden) as exc:
            now = await self._service.get(thread_id)  # what waits after the refusal
            if now.status is ThreadStatus.RUNNING:  # on the answer that won: to its stop
                now = await follow(self._service, events, now, updater)
            if now.status is not ThreadStatus.WAITING:
                return now
            await self._still_waiting(updater, now, exc, bound=bound)
            return None
        if view.status is ThreadStatus.RUNNING:
            await updater.start_work()
        return await follow(self._service, events, view, updater)

    async def _still_waiting(
        self,
        updater: TaskUpdater,
        view: ThreadView,
        exc: InvalidAnswer | Conflict | Forbidden,
        *,
        bound: bool,
    ) -> None:
        """The task stays INPUT_REQUIRED: why the answer was refused, then what waits now."""
        data: list[Any] = [{"error": exc.code, "detail": exc.detail, "fields": exc.fields}]
        data.extend(p.model_dump(mode="json") for p in view.pauses)
        text = f"{_refusal_text(exc, bound=bound)}\n\n{pauses_text(view.pauses)}"
        await updater.requires_input(_message(updater, view, text, data))

    async def _publish(self, updater: TaskUpdater, view: ThreadView) -> None:
        """Make the task's state match the thread's."""
        if view.status is ThreadStatus.WAITING:
            text = pauses_text(view.pauses)
            pauses = [p.model_dump(mode="json") for p in view.pauses]
            await updater.requires_input(_message(updater, view, text, pauses))
        elif view.status is ThreadStatus.COMPLETED:
            result = view.result
            summary = result if isinstance(result, str) else None
            await updater.add_artifact(make_parts(summary, [result]), name="result")
            await updater.complete()
        elif view.status is ThreadStatus.FAILED:
            await updater.failed(_message(updater, view, view.error or "the thread failed"))
        elif view.status is ThreadStatus.CANCELLED:
            if updater.task_id in self._cancelling:
                return  # the cancel says so (a second terminal event would be refused)
            await updater.cancel(_message(updater, view, "The thread was cancelled."))
        else:
            await updater.update_status(TaskState.TASK_STATE_WORKING)

    def _error_message(self, updater: TaskUpdater, exc: InvalidInput | NotFound) -> Message:
        data = {"error": exc.code, "detail": exc.detail, "fields": exc.fields}
        text = _refusal_text(exc, bound=False).removeprefix("Not accepted: ")
        return updater.new_agent_message(make_parts(text, [data]))

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        """Cancel the thread behind the task, then the task."""
        task_id = str(context.task_id)
        updater = TaskUpdater(event_queue, task_id, str(context.context_id or ""))
        if task_id in self._executing:  # the execute following its run must not say it too
            self._cancelling.add(task_id)
        await cancel_thread_of(self._service, self._links, task_id, actor_of(context))
        await updater.cancel()


async def cancel_thread_of(
    service: ThreadService, links: TaskLinks, task_id: str, actor: str
) -> None:
    """Cancel the thread a task drives; a thread that already finished is left alone."""
    link = await links.get(task_id)
    if link is None:
        return
    try:
        await service.cancel(link.thread_id, actor)
    except Conflict:
        logger.debug("thread %s already finished", link.thread_id)

"""The AgentExecutor adapter: A2A messages in, ThreadService calls, task events out.

    new message            -> ThreadService.start (workflow from a data part, or the orchestrator)
    follow-up on a task id -> ThreadService.resume with the answer the message carries
    cancel                 -> ThreadService.cancel

A thread's state is published as the task's state: waiting -> INPUT_REQUIRED (the pause's
message as text, the whole Pause as a data part), completed -> an artifact with the result,
failed -> FAILED with the error. Errors the person can fix (an invalid answer, a stale pause)
keep the task INPUT_REQUIRED with a message that says what is wrong; the service guarantees
the thread is unchanged. A text or `{"answer": ...}` reply answers the pause the task showed:
if another door answered that one meanwhile, the task shows the new pause instead of
applying the reply to it (a reply that names interrupt ids is checked by the service).
"""

from __future__ import annotations

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
from pausepoint.agents.a2a_parts import data_of, make_parts, message_data, message_text
from pausepoint.domain import ThreadStatus, ThreadView
from pausepoint.errors import Conflict, Forbidden, InvalidAnswer, InvalidInput, NotFound
from pausepoint.service.doors import Door
from pausepoint.service.threads import ThreadService
from pausepoint.workflows.registry import WorkflowRegistry

logger = logging.getLogger(__name__)

#: The workflow a plain-text message starts, when one by this name is registered.
ORCHESTRATOR = "orchestrator"
#: The actor of A2A calls when the server runs without authentication.
DEFAULT_ACTOR = "local"


def actor_of(context: RequestContext) -> str:
    return context.call_context.user.user_name or DEFAULT_ACTOR


def choose_workflow(
    workflows: WorkflowRegistry, data: dict[str, Any], text: str
) -> tuple[str, dict[str, Any]]:
    """The workflow and input a new message asks for; InvalidInput explains what to send."""
    name = data.get("workflow")
    if isinstance(name, str):
        raw = data.get("input", {k: v for k, v in data.items() if k != "workflow"})
        if not isinstance(raw, dict):
            raise InvalidInput('"input" must be an object')
        return name, raw
    if text and ORCHESTRATOR in workflows:
        return ORCHESTRATOR, {"message": text}
    known = ", ".join(w.name for w in workflows)
    raise InvalidInput(
        'name a workflow: send a data part {"workflow": NAME, "input": {...}} '
        f"(workflows: {known})"
    )


def _message(
    updater: TaskUpdater, view: ThreadView, text: str, data: list[Any] | None = None
) -> Message:
    """An agent message about the thread; its metadata names the thread (for other doors)."""
    return updater.new_agent_message(
        make_parts(text, data or []), metadata={"thread_id": view.thread_id}
    )


def _shown_pauses(task: Task | None) -> set[str]:
    """The interrupt ids of the pauses the task's last status message showed."""
    if task is None:
        return set()
    return {
        str(d["interrupt_id"])
        for d in data_of(task.status.message.parts)
        if isinstance(d, dict) and "interrupt_id" in d
    }


class ThreadExecutor(AgentExecutor):
    """Runs each A2A task as one Pausepoint thread."""

    def __init__(self, service: ThreadService, links: TaskLinks) -> None:
        self._service = service
        self._links = links

    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        task_id, context_id = str(context.task_id), str(context.context_id)
        updater = TaskUpdater(event_queue, task_id, context_id)
        if context.current_task is None:
            history = [context.message] if context.message is not None else []
            await event_queue.enqueue_event(
                new_task(task_id, context_id, TaskState.TASK_STATE_SUBMITTED, history=history)
            )
        link = await self._links.get(task_id)
        if link is None:
            await self._start(context, updater, task_id, context_id)
        else:
            await self._follow_up(context, updater, link)

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
        view = await self._service.start(workflow, raw, actor_of(context), thread_id=thread_id)
        await self._publish(updater, view)

    async def _follow_up(self, context: RequestContext, updater: TaskUpdater, link: Link) -> None:
        actor = actor_of(context)
        view = await self._service.get(link.thread_id)
        if view.status is not ThreadStatus.WAITING:
            await self._publish(updater, view)
            return
        data, text = message_data(context.message), message_text(context.message)
        explicit = "answers" in data or "interrupt_id" in data
        shown = _shown_pauses(context.current_task)
        if shown and not explicit and not shown & {p.interrupt_id for p in view.pauses}:
            moved = Conflict(
                "the pause this task showed was answered from another door; "
                "the thread now waits for the pause below"
            )
            await self._still_waiting(updater, view, moved)
            return
        try:
            answers = answers_from_message(view.pauses, data, text)
            view = await Door(self._service, actor).resume(link.thread_id, answers)
        except (InvalidAnswer, Conflict, Forbidden) as exc:
            await self._still_waiting(updater, view, exc)
            return
        await self._publish(updater, view)

    async def _still_waiting(
        self, updater: TaskUpdater, view: ThreadView, exc: InvalidAnswer | Conflict | Forbidden
    ) -> None:
        data: list[Any] = [{"error": exc.code, "detail": exc.detail, "fields": exc.fields}]
        data.extend(p.model_dump(mode="json") for p in view.pauses)
        await updater.requires_input(_message(updater, view, f"Not accepted: {exc.detail}", data))

    async def _publish(self, updater: TaskUpdater, view: ThreadView) -> None:
        """Make the task's state match the thread's."""
        if view.status is ThreadStatus.WAITING:
            text = "\n\n".join(p.message or p.title for p in view.pauses)
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
            await updater.cancel(_message(updater, view, "The thread was cancelled."))
        else:
            await updater.update_status(TaskState.TASK_STATE_WORKING)

    def _error_message(self, updater: TaskUpdater, exc: InvalidInput | NotFound) -> Message:
        data = {"error": exc.code, "detail": exc.detail, "fields": exc.fields}
        return updater.new_agent_message(make_parts(exc.detail, [data]))

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        """Cancel the thread behind the task, then the task."""
        task_id = str(context.task_id)
        updater = TaskUpdater(event_queue, task_id, str(context.context_id or ""))
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

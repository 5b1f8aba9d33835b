"""A running thread as an A2A task's `working` updates, until the thread stops.

    async with service.events.subscribe() as events:      # before the run starts or resumes
        view = await service.start(workflow, raw, actor, thread_id=thread_id, wait=0)
        view = await follow(service, events, view, updater)  # the thread once it has stopped

While the thread runs, each node it starts is a `working` update "Running <node>…" and each
progress the graph reports (`get_stream_writer()`, `pausepoint.workflows.report`) one whose
text is the progress text; each carries the thread id as metadata and the event as a data part
(`{"event", "node", "text", "value"}`, the value left out when it is large). Chat-model tokens are
not updates: every update is a message in the task's history, and the text a model writes
arrives whole with the pause or the result it leads to.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from a2a.server.tasks import TaskUpdater
from a2a.types.a2a_pb2 import TaskState

from pausepoint.agents.a2a_parts import make_parts
from pausepoint.domain import ThreadStatus, ThreadView
from pausepoint.service.events import STOPS, ThreadEvent
from pausepoint.service.threads import ThreadService

#: How long to wait for an event of the thread before reading its view again: an event the bus
#: dropped (a full subscriber) or a run that stopped unheard must not leave the task working.
RECHECK_SECONDS = 5.0
#: The longest text an update carries (characters); longer progress is cut with an ellipsis.
MAX_TEXT = 500
#: The largest progress value (as JSON, characters) an update's data part carries.
MAX_VALUE = 1000


def working_update(event: ThreadEvent) -> tuple[str, dict[str, Any]] | None:
    """The text and data of the `working` update an event of a run makes, if it makes one."""
    node = event.data.get("node")
    if event.type == "node_started" and node:
        return f"Running {node}…", {"event": event.type, "node": node}
    if event.type != "progress":
        return None
    text = event.data.get("text")
    if not isinstance(text, str) or not text.strip():
        return None
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    data: dict[str, Any] = {"event": event.type, "node": node, "text": text}
    value = event.data.get("value")
    if value is not None and not isinstance(value, str) and _small(value):
        data["value"] = value
    return text, data


def _small(value: Any) -> bool:
    try:
        return len(json.dumps(value, default=str)) <= MAX_VALUE
    except (TypeError, ValueError):
        return False


async def follow(
    service: ThreadService,
    events: asyncio.Queue[ThreadEvent],
    view: ThreadView,
    updater: TaskUpdater,
) -> ThreadView:
    """Publish what the thread reports while it runs as `working` updates; return its view
    once it is no longer running. `events` must have been subscribed before the run began (or
    before `view` was read), so that no event of it, its stop included, is missed."""
    thread_id = view.thread_id
    while view.status is ThreadStatus.RUNNING:
        try:
            async with asyncio.timeout(RECHECK_SECONDS):
                event = await events.get()
        except TimeoutError:
            view = await service.get(thread_id)
            continue
        if event.thread_id != thread_id:
            continue
        if event.type in STOPS:
            view = await service.get(thread_id)
        elif (update := working_update(event)) is not None:
            text, data = update
            message = updater.new_agent_message(
                make_parts(text, [data]), metadata={"thread_id": thread_id}
            )
            await updater.update_status(TaskState.TASK_STATE_WORKING, message)
    return view

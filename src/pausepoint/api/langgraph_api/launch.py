"""A run of the LangGraph API, made of what every door does: a start, or an answer.

`input` on a thread no run has started starts its graph (`Door.start`); `command.update` and
`command.goto` (with or without a resume), or a `checkpoint_id` to run from (time travel), are
LangGraph's `Command` run through `Door.run_command`; `command.resume` alone on an
interrupted thread answers its pause (`Door.answer`: bound to the interrupt pending when the
request arrived, checked against the pause's schema, logged with the caller as actor, applied
exactly once), or several pauses at once when it maps interrupt ids to values (`Door.resume`).
A refusal is the request's answer (422, 409, 404) before any run exists, and the thread stays
as it was. The run's parts reach its `LiveRun` through a tap on the thread (service/taps.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from pausepoint.api.langgraph_api import shapes
from pausepoint.api.langgraph_api.bodies import ThreadCreate
from pausepoint.api.langgraph_api.live import GRAPH_MODE, LiveRun, LiveRuns
from pausepoint.api.langgraph_api.run_bodies import RunCreate
from pausepoint.api.langgraph_api.visible import Found, VisibleThreads
from pausepoint.domain import ThreadStatus, ThreadView
from pausepoint.errors import Conflict, InvalidInput, ThreadNotFound
from pausepoint.persistence.records import ApiRunRecord
from pausepoint.service.breakpoints import is_breakpoint
from pausepoint.service.commands import GraphCommand
from pausepoint.service.run_options import RunOptions, nodes

logger = logging.getLogger(__name__)

#: What LangGraph's interrupt ids look like: a resume keyed by such ids may name pauses.
INTERRUPT_ID = re.compile(r"[0-9a-f]{32}")

#: A run's status (langgraph-api's) once it has ended, from where it left its thread.
RUN_STATUS = {
    ThreadStatus.RUNNING: "running",
    ThreadStatus.WAITING: "success",
    ThreadStatus.COMPLETED: "success",
    ThreadStatus.FAILED: "error",
    ThreadStatus.CANCELLED: "interrupted",
}

Action = Callable[[float | None], Awaitable[ThreadView]]


@dataclass(frozen=True, slots=True)
class Launched:
    record: ApiRunRecord
    live: LiveRun
    #: the view the action gave (at its end when waited for, else as acknowledged)
    view: ThreadView


def run_json(record: ApiRunRecord, status: str | None = None) -> dict[str, Any]:
    """A run as the API's Run."""
    return {
        "run_id": record.run_id,
        "thread_id": record.thread_id,
        "assistant_id": record.assistant_id,
        "created_at": record.created_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
        "status": status or record.status,
        "metadata": record.metadata,
        "kwargs": record.kwargs,
        "multitask_strategy": record.multitask_strategy,
    }


def checkpoint_id_of(checkpoint_id: str | None, checkpoint: dict[str, Any] | None) -> str | None:
    """The checkpoint a body names by `checkpoint_id` or in its `checkpoint`."""
    named = checkpoint_id or (checkpoint or {}).get("checkpoint_id")
    return str(named) if named else None


class Launcher:
    """Runs on the threads `threads` shows its caller, kept live in `live`."""

    def __init__(self, threads: VisibleThreads, live: LiveRuns) -> None:
        self.threads = threads
        self.live = live
        self.door = threads.door
        self.service = threads.door.service

    async def thread(self, thread_id: str, body: RunCreate) -> Found:
        """The thread the run is for; with `if_not_exists="create"` a new one if none.

        A thread a run has started is read without the visibility check: the answer checks
        who may answer (a refusal to someone who may not see it says it does not exist), and
        every other refusal checks first (`_refuse`)."""
        record = await self.threads.reader.record(thread_id)
        if record is not None:
            return Found(thread_id, record, None)
        try:
            return await self.threads.get(thread_id)
        except ThreadNotFound:
            if body.if_not_exists != "create":
                raise
        return await self.threads.create(ThreadCreate(thread_id=thread_id, if_exists="do_nothing"))

    async def _refuse(self, found: Found, refusal: Exception) -> Exception:
        """`refusal`, to a caller who may see the thread; else ThreadNotFound."""
        await self.threads.get(found.thread_id)
        return refusal

    def _options(self, graph_id: str, body: RunCreate) -> RunOptions:
        """The run's own breakpoints and durability, its nodes checked (422 otherwise)."""
        options = RunOptions(
            interrupt_before=nodes(body.interrupt_before),
            interrupt_after=nodes(body.interrupt_after),
            durability=body.durability,
        )
        known = [n for n in self.threads.reader.graph(graph_id).nodes if n != "__start__"]
        try:
            options.check(known)
        except ValueError as exc:
            loc = str(exc).split(":", 1)[0]
            raise InvalidInput(str(exc), fields=[{"loc": loc, "message": str(exc)}]) from exc
        return options

    async def _action(self, found: Found, graph_id: str, body: RunCreate) -> Action:
        """What the run does: a start, or an answer to what waits (a breakpoint's, with no
        input: the run goes on past it, as LangGraph's does)."""
        thread_id, record = found.thread_id, found.record
        command = body.command
        options = self._options(graph_id, body)
        checkpoint_id = checkpoint_id_of(body.checkpoint_id, body.checkpoint)
        if checkpoint_id or (command and (command.update is not None or command.goto)):
            return await self._command(found, graph_id, body, options, checkpoint_id)
        if (
            record is not None
            and record.status is ThreadStatus.WAITING
            and body.input is None
            and command is None
            and record.workflow == graph_id
        ):
            pauses = (await self.door.get(thread_id)).pauses
            if pauses and all(is_breakpoint(p.interrupt_id) for p in pauses):
                go = {p.interrupt_id: {"continue": True} for p in pauses}
                return lambda wait: self.door.resume(thread_id, go, wait=wait)
        if command is not None and command.resumes:
            if record is None or record.status is not ThreadStatus.WAITING:
                status = found.status if record is not None else "idle"
                why = f"thread {thread_id!r} is {status}, not interrupted: nothing to resume"
                raise await self._refuse(found, Conflict(why))
            if record.workflow != graph_id:
                wrong = f"thread {thread_id!r} runs graph {record.workflow!r}, not {graph_id!r}"
                raise await self._refuse(
                    found,
                    InvalidInput(wrong, fields=[{"loc": "assistant_id", "message": wrong}]),
                )
            value = command.resume
            door = self.door
            if isinstance(value, dict) and value and all(map(INTERRUPT_ID.fullmatch, value)):
                ids = set(value)

                async def by_id(wait: float | None) -> ThreadView:
                    pending = {p.interrupt_id for p in (await door.get(thread_id)).pauses}
                    if ids <= pending:
                        return await door.resume(thread_id, value, wait=wait)
                    return await door.answer(thread_id, value, wait=wait)

                return by_id
            return lambda wait: door.answer(thread_id, value, wait=wait)
        if (
            record is not None
            and record.status is ThreadStatus.COMPLETED
            and isinstance(body.input, dict)
            and record.workflow == graph_id
        ):
            turn: dict[str, Any] = body.input  # the thread's next turn
            return lambda wait: self.door.go_on(thread_id, turn, wait=wait)
        if record is not None:
            if record.status is ThreadStatus.WAITING:
                why = f"thread {thread_id!r} is interrupted: answer it with command.resume"
            elif record.status is ThreadStatus.RUNNING:
                why = f"thread {thread_id!r} is busy: a run is going on"
            elif record.status is ThreadStatus.COMPLETED:
                why = (
                    f"thread {thread_id!r} has completed: go on with it with new `input` "
                    f"through its graph {record.workflow!r}"
                )
            else:
                why = (
                    f"thread {thread_id!r} is {record.status}: it takes no new run; start a "
                    "new thread"
                )
            raise await self._refuse(found, Conflict(why))
        if body.input is None:
            raise InvalidInput(
                "a run on a new thread needs `input`",
                fields=[{"loc": "input", "message": "required"}],
            )
        if not isinstance(body.input, dict):
            raise InvalidInput(
                "`input` must be an object", fields=[{"loc": "input", "message": "not an object"}]
            )
        payload: dict[str, Any] = body.input
        return lambda wait: self.door.start(
            graph_id, payload, thread_id=thread_id, wait=wait, options=options
        )

    async def _command(
        self,
        found: Found,
        graph_id: str,
        body: RunCreate,
        options: RunOptions,
        checkpoint_id: str | None,
    ) -> Action:
        """A run with LangGraph's `Command` (update, goto, and maybe resume) or from an earlier
        checkpoint: the service's `run_command`, on a thread a run has started."""
        thread_id, record, command = found.thread_id, found.record, body.command
        if record is None:
            why = f"thread {thread_id!r} has not run yet: start a run on it with `input` first"
            raise await self._refuse(found, Conflict(why))
        if record.workflow != graph_id:
            wrong = f"thread {thread_id!r} runs graph {record.workflow!r}, not {graph_id!r}"
            raise await self._refuse(
                found, InvalidInput(wrong, fields=[{"loc": "assistant_id", "message": wrong}])
            )
        if body.input is not None and not isinstance(body.input, dict):
            why = "`input` must be an object"
            raise InvalidInput(why, fields=[{"loc": "input", "message": why}])
        run = GraphCommand(
            input=body.input,
            update=command.update if command else None,
            goto=command.goto if command else None,
            resume=command.resume if command else None,
            resumes=command.resumes if command else False,
            checkpoint_id=checkpoint_id,
            thread_id=thread_id,
            options=options,
        )
        return lambda wait: self.door.run_command(run, wait=wait)

    async def launch(
        self, thread_id: str, graph_id: str, body: RunCreate, *, until_done: bool
    ) -> Launched:
        """Make the run: refused (raised) before anything is written, or acknowledged — the
        start or the answer stored — and recorded; with `until_done`, return when it stopped."""
        found = await self.thread(thread_id, body)
        act = await self._action(found, graph_id, body)
        return await self.go(self.record(thread_id, graph_id, body), act, body, until_done)

    def record(
        self, thread_id: str, graph_id: str, body: RunCreate, status: str = "running"
    ) -> ApiRunRecord:
        """The run's record, as it stands when made."""
        run_id = str(uuid.uuid4())
        now = self.threads.reader.now()
        metadata = {
            **(body.metadata or {}),
            "graph_id": graph_id,
            "assistant_id": shapes.assistant_id(graph_id),
        }
        return ApiRunRecord(
            run_id=run_id,
            thread_id=thread_id,
            assistant_id=shapes.assistant_id(graph_id),
            owner=self.door.actor,
            status=status,
            metadata=metadata,
            kwargs=body.model_dump(mode="json", exclude_unset=True, exclude={"metadata"}),
            multitask_strategy=body.multitask_strategy,
            created_at=now,
            updated_at=now,
        )

    async def go(
        self,
        record: ApiRunRecord,
        act: Action,
        body: RunCreate,
        until_done: bool,
        live: LiveRun | None = None,
    ) -> Launched:
        """Run `act` as the run `record` (streaming to `live`, when it has one already):
        acknowledged (or refused) as `launch` says."""
        run_id = record.run_id
        if live is None:
            # a run waited for streams nothing: only its last values are kept, for its answer
            modes = frozenset() if until_done else frozenset(body.modes)
            live = self.live.add(LiveRun(run_id, record.thread_id, modes))
        acked: asyncio.Future[Launched] = asyncio.get_running_loop().create_future()
        driver = asyncio.create_task(
            self._drive(record, live, act, body.stream_subgraphs, acked, until_done),
            name=f"api run {run_id}",
        )
        try:
            return await asyncio.shield(acked)
        except asyncio.CancelledError:
            if not acked.done():
                driver.cancel()
            raise

    async def _drive(
        self,
        record: ApiRunRecord,
        live: LiveRun,
        act: Action,
        subgraphs: bool,
        acked: asyncio.Future[Launched],
        until_done: bool,
    ) -> None:
        """Run `act` with a tap on the thread: acknowledge (or refuse), record the run, follow
        it to its stop, then record how it ended."""
        thread_id = live.thread_id
        store = self.threads.reader.store
        modes = {GRAPH_MODE.get(m, m) for m in live.modes} | {"values"}
        live.push("metadata", {"run_id": live.run_id, "attempt": 1})
        try:
            with self.service.taps.tap(thread_id, modes, live.part, subgraphs=subgraphs):
                try:
                    view = await act(None if until_done else 0)
                    if until_done:
                        record = replace(record, status=RUN_STATUS[view.status])
                    await store.put_api_run(record)
                except BaseException as exc:
                    if not acked.done():
                        acked.set_exception(exc)
                    if isinstance(exc, Exception):
                        return
                    raise
                acked.set_result(Launched(record, live, view))
                if until_done:
                    return
                await self.service.settled(thread_id)
            view = await self.service.get(thread_id)
            if view.status is ThreadStatus.FAILED:
                live.push("error", error_of(view))
            now = self.threads.reader.now()
            # (unless it was stopped meanwhile: a new run's multitask_strategy says how it ended)
            status = RUN_STATUS[view.status]
            await store.set_api_run_status(live.run_id, status, now, only_from="running")
        except Exception:
            logger.exception("run %s of thread %s", live.run_id, thread_id)
        finally:
            live.finish()


def error_of(view: ThreadView) -> dict[str, str]:
    """A failed thread's error as langgraph-api gives a run's: `{error, message}`."""
    kind, _, message = (view.error or "Error: the run failed").partition(": ")
    return {"error": kind, "message": message or kind}


async def result_of(launched: Launched, threads: VisibleThreads) -> Any:
    """What `runs.wait` answers: the run's last values (with `__interrupt__` when it stopped
    at interrupts), `{"__error__": ...}` when it failed."""
    view = launched.view
    if view.status is ThreadStatus.FAILED:
        return {"__error__": error_of(view)}
    if launched.live.last_values is not None:
        return shapes.jsonable(launched.live.last_values)
    with contextlib.suppress(ThreadNotFound):
        return await thread_values(threads, await threads.get(launched.record.thread_id))
    return {}


async def thread_values(threads: VisibleThreads, found: Found) -> dict[str, Any]:
    """The thread's latest values, with its pending interrupts under `__interrupt__` (what a
    run that stopped there answers)."""
    state = await threads.state(found)
    values = dict(state["values"]) if isinstance(state["values"], dict) else {}
    if state["interrupts"]:
        values["__interrupt__"] = state["interrupts"]
    return values

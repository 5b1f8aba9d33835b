"""Runs that edit as they go: LangGraph's `Command(update=..., goto=..., resume=...)`, and runs
from an earlier checkpoint (time travel: a replay, or a fork with new input or a command), as the
LangGraph API asks for them (langgraph-api makes the same `Command` and passes `checkpoint_id`
in the run's config).

Who: an update, a goto and a run from an earlier checkpoint are edits of the thread, made by its
owner only (as `update_state`, service/edits.py); a `resume` in the same command is an answer
like any other — bound to the pause pending when it arrives, checked against its schema, logged
in the decision log with the caller as actor, exactly once (the loser of a race gets Conflict) —
all before anything is written. A goto to a node the graph does not have, an update of a key its
state does not have, a checkpoint that is not the thread's: refused, nothing written.

Durable before acknowledged: the command is stored as the thread's input with the checkpoint
the thread stood at (`COMMAND`), and the thread set running, in one write (after its decisions,
when it answers). Should the process die before the run moved the thread past that checkpoint,
recovery runs the command again (`rerun`); once past it, the run goes on from its last
checkpoint as any other (RunLoop.settle). A run from an earlier checkpoint moves the thread at
once: LangGraph writes the fork's first checkpoint before any node runs.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from langgraph.pregel import Pregel
from langgraph.types import Command, Send, StateSnapshot

from pausepoint.domain import Decision, ThreadStatus, ThreadView
from pausepoint.errors import Conflict, Forbidden, InvalidInput, NotFound, ThreadNotFound
from pausepoint.jsontext import json_or_none
from pausepoint.persistence.records import ThreadRecord
from pausepoint.service.answers import decide, pending_pause, waiting_on
from pausepoint.service.leases import Leases
from pausepoint.service.outcomes import Known, Outcome
from pausepoint.service.pauses import checkpoint_of
from pausepoint.service.pool import Acknowledge, RunPool
from pausepoint.service.run_options import NO_OPTIONS, RunOptions
from pausepoint.service.runs import RunLoop

#: The key of a thread's stored input that says a command waits to run from that checkpoint.
COMMAND = "pausepoint_command_at"

#: What LangGraph's interrupt ids look like: a resume keyed by such ids names its pauses.
_INTERRUPT_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True, slots=True)
class GraphCommand:
    """A run's input beyond a start's, as JSON: new `input`, a state `update`, a `goto` (a node,
    or a list of nodes and `{"node", "input"}` sends), a `resume` (when `resumes`: a value for the
    one pending pause, or values keyed by interrupt id), from checkpoint `checkpoint_id`."""

    input: Mapping[str, Any] | None = None
    update: Any = None
    goto: Any = None
    resume: Any = None
    resumes: bool = False
    checkpoint_id: str | None = None
    thread_id: str = ""
    #: the run's own breakpoints and durability
    options: RunOptions = NO_OPTIONS

    def stored(self, at: str, actor: str, answered: Sequence[str]) -> dict[str, Any]:
        """The command, by `actor`, to run from checkpoint `at` with the decisions logged for
        the pauses `answered`, as the thread's stored input keeps it (JSON) until a run takes
        the thread past `at` (see the module)."""
        return {
            COMMAND: at,
            "actor": actor,
            "answered": sorted(answered),
            "input": json_or_none(self.input),
            "update": json_or_none(self.update),
            "goto": json_or_none(self.goto),
            "checkpoint_id": self.checkpoint_id,
        }

    @classmethod
    def of(cls, stored: Mapping[str, Any]) -> GraphCommand:
        return cls(
            input=stored.get("input"),
            update=stored.get("update"),
            goto=stored.get("goto"),
            checkpoint_id=stored.get("checkpoint_id"),
        )

    def answers(self, interrupt_id: str | None) -> dict[str, Any]:
        """The resume keyed by interrupt id (`interrupt_id`: the pause a bare value answers)."""
        if not self.resumes:
            return {}
        if self._keyed():
            return dict(self.resume)
        assert interrupt_id is not None
        return {interrupt_id: self.resume}

    def named(self) -> list[str]:
        """The interrupt ids the resume names (none for a bare value)."""
        return list(self.resume) if self._keyed() else []

    def _keyed(self) -> bool:
        value = self.resume
        return isinstance(value, dict) and bool(value) and all(map(_INTERRUPT_ID.fullmatch, value))

    def payload(self, answers: Mapping[str, Any], parse: Callable[[Any], Any]) -> Any:
        """What the graph is given: a `Command` when the run edits or answers, else the input
        (parsed by `parse`), else nothing (a replay)."""
        if self.update is not None or self.goto or answers:
            update = self.update
            if isinstance(update, list) and all(_pair(u) for u in update):
                update = [tuple(u) for u in update]  # [[key, value], ...], as langgraph-api
            return Command(update=update, goto=_sends(self.goto), resume=answers or None)
        return parse(self.input) if self.input is not None else None


def _pair(item: Any) -> bool:
    return isinstance(item, list | tuple) and len(item) == 2 and isinstance(item[0], str)


def _targets(goto: Any) -> list[Any]:
    if goto is None:
        return []
    return list(goto) if isinstance(goto, list) else [goto]


def _sends(goto: Any) -> Any:
    """`goto` as LangGraph takes it: node names, and `{"node", "input"}` as a `Send`."""
    return [
        Send(t["node"], t.get("input")) if isinstance(t, dict) else t for t in _targets(goto)
    ] or ()


def check(graph: Pregel[Any, Any, Any, Any], command: GraphCommand) -> None:
    """InvalidInput naming a goto node the graph does not have, or an update key its state
    does not have."""
    known = [n for n in graph.nodes if n != "__start__"]
    for target in _targets(command.goto):
        node = target.get("node") if isinstance(target, dict) else target
        if node not in known:
            why = f"goto: no node {node!r} in the graph (its nodes: {', '.join(known)})"
            raise InvalidInput(why, fields=[{"loc": "command.goto", "message": why}])
    update = command.update
    keys = list(update) if isinstance(update, dict) else []
    if isinstance(update, list):
        keys = [u[0] for u in update if _pair(u)]
    unknown = [k for k in keys if k not in graph.channels]
    if unknown:
        why = f"update: the state has no key {', '.join(map(repr, unknown))}"
        raise InvalidInput(why, fields=[{"loc": "command.update", "message": why}])


async def bind(runs: RunLoop, command: GraphCommand) -> dict[str, Any]:
    """The command's answers keyed by interrupt id; a bare resume value is bound to the pause
    pending now, before waiting for the thread (ThreadService.answer)."""
    if command.resumes and not command._keyed():
        return command.answers(await pending_pause(runs, command.thread_id))
    return command.answers(None)


async def command_job(
    runs: RunLoop, leases: Leases, pool: RunPool, command: GraphCommand, actor: str
) -> Callable[[Acknowledge], Awaitable[ThreadView]]:
    """The run pool's job for a command (its resume bound now, `bind`): checked, its decisions
    logged and the command stored (then acknowledged), then run."""
    thread_id = command.thread_id
    answers = await bind(runs, command)

    async def job(acknowledge: Acknowledge) -> ThreadView:
        async with leases.hold(thread_id):
            state = await runs.store.thread_state(thread_id)
            if state is None:
                raise ThreadNotFound(f"no thread {thread_id!r}")
            record = state.record
            _, graph = runs.workflow(record)
            check(graph, command)
            if actor != record.owner:
                raise Forbidden(
                    f"only the thread's owner {record.owner!r} may change its state or run it "
                    "from an earlier checkpoint"
                )
            if record.status in (ThreadStatus.RUNNING, ThreadStatus.CANCELLED):
                raise Conflict(f"thread {thread_id!r} is {record.status}: it takes no command")
            snapshot = await runs.snapshot(record)
            if command.checkpoint_id is not None:
                await _check_checkpoint(runs, record, command.checkpoint_id, answers)
            decisions: list[Decision] = []
            was: ThreadStatus = record.status
            if answers:
                waiting = await waiting_on(runs, state)
                decisions = decide(record, waiting, answers, actor, runs.clock())
                await runs.store.record_decisions(decisions, running_since=runs.clock())
                was = ThreadStatus.RUNNING
            resume = {d.interrupt_id: d.answer for d in decisions}  # as the graph takes them
            stored = command.stored(checkpoint_of(snapshot), actor, list(resume))
            now = runs.clock()
            if not await runs.store.reopen_thread(thread_id, stored, now, was):
                raise Conflict(f"thread {thread_id!r} changed meanwhile; try again")
            if not answers:  # the run forks: what waited leaves the inbox now, not at its end
                await runs.store.set_status(thread_id, ThreadStatus.RUNNING, now, None, [])
            for d in decisions:
                data = {"interrupt_id": d.interrupt_id}
                runs.publish("answered", record, actor=actor, data=data)
            record = replace(record, status=ThreadStatus.RUNNING, updated_at=now, error=None)
            pending = frozenset(i.id for i in snapshot.interrupts)
            acknowledge()
            async with pool.slot():
                at = checkpoint_of(snapshot)
                outcome = await _run(runs, record, command, resume, actor, pending, at)
        return await runs.outcome_view(outcome)

    return job


async def _check_checkpoint(
    runs: RunLoop, record: ThreadRecord, checkpoint_id: str, answers: Mapping[str, Any]
) -> None:
    if answers:
        why = (
            "a resume answers the thread's pending pause, not one of an earlier checkpoint: "
            "run from the checkpoint first, then answer the pause it stops at"
        )
        raise InvalidInput(why, fields=[{"loc": "command.resume", "message": why}])
    config = {"configurable": {**runs.config(record.thread_id)["configurable"]}}
    config["configurable"].update(checkpoint_ns="", checkpoint_id=checkpoint_id)
    if await runs.db.saver.aget_tuple(config) is None:  # type: ignore[arg-type]
        raise NotFound(f"thread {record.thread_id!r} has no checkpoint {checkpoint_id!r}")


async def _run(
    runs: RunLoop,
    record: ThreadRecord,
    command: GraphCommand,
    answers: Mapping[str, Any],
    actor: str,
    pending: frozenset[str],
    head: str,
) -> Outcome:
    """Run the command from the thread's `head` checkpoint (or the earlier one it names).

    An edit with no answer is addressed at the head explicitly, so LangGraph forks there: the
    fork's first checkpoint carries the update and the goto, and the checkpoint the run stops
    at shows the nodes it goes to and their interrupts (the head itself would not: LangGraph
    keeps a command's writes beside it, not in it, and reads its next tasks without them)."""
    workflow, _ = runs.workflow(record)
    payload = command.payload(answers, workflow.parse_input)
    edits = command.update is not None or bool(command.goto)
    at = command.checkpoint_id or (head if edits and not answers else None)
    options = replace(command.options, checkpoint_id=at)
    try:
        return await runs.run(
            record,
            payload,
            applied=list(answers),
            known=Known(pending=pending),
            actor=actor,
            options=options,
        )
    except Exception:
        if answers:  # refused by the graph: the decisions were never applied
            await runs.store.delete_decisions(record.thread_id, list(answers))
        raise


async def rerun(runs: RunLoop, record: ThreadRecord, snapshot: StateSnapshot) -> Outcome | None:
    """Run again the command a dead process acknowledged but did not take the thread past its
    checkpoint with (None when there is none): with the answers it logged, as its sender.

    The thread's unapplied decisions must be exactly the command's: a command that left the
    thread at its checkpoint (it stopped at the same interrupt again) is not run a second time
    by an answer given after it."""
    stored = await runs.store.thread_input(record.thread_id)
    if not isinstance(stored, dict) or COMMAND not in stored or snapshot.created_at is None:
        return None  # not a command (a start's input, or nothing), or no checkpoint yet
    if stored[COMMAND] != checkpoint_of(snapshot):
        return None
    pending = frozenset(i.id for i in snapshot.interrupts)
    logged = await runs.store.unapplied_decisions(record.thread_id)
    answers = {d.interrupt_id: d.answer for d in logged if d.interrupt_id in pending}
    if sorted(answers) != stored.get("answered"):
        return None
    command = GraphCommand.of(stored)
    actor = str(stored.get("actor") or record.owner)
    return await _run(runs, record, command, answers, actor, pending, stored[COMMAND])

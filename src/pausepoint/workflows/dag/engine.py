"""Run a workflow spec: every step starts the moment its dependencies have finished.

The spec becomes a LangGraph functional-API `entrypoint` with one `@task` per step (a
"lane"). All lanes are called at once, in the spec's fixed topological order, and each lane
waits (asyncio) for the results of its dependencies. Why not call a step's task only when it
is ready: LangGraph derives a task's id (and so its cached result and its interrupt ids) from
the order of calls; readiness order depends on timing, so a replay could pair a step with
another step's checkpointed result. A fixed call order keeps ids stable across resumes.

* A lane's result is checkpointed on its own: a pause in one branch, or a crash, never re-runs
  a finished step. An agent that declares it asks for approval (`execute`, or
  `asks_for_approval = True`) runs in a sub-task, so a paused step does not call it again;
  other agents run inline (one task hop less per step), and a proposal one of them makes
  anyway is kept in a sub-task, so the digest stays the digest of what the person saw.
* A finished lane wakes its dependents at once, before LangGraph commits its result; a crash
  in that instant re-runs the step on recovery.
* A lane whose dependency is paused stops without a result (an empty interrupt) and runs
  again on resume; a lane whose dependency failed or was skipped is skipped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.errors import GraphInterrupt
from langgraph.func import entrypoint, task
from langgraph.pregel import Pregel
from pydantic_core import to_jsonable_python

from pausepoint.domain import PauseRequest, digest
from pausepoint.workflows.dag.agents import (
    ExecutingStepAgent,
    RequiresApproval,
    StepAgents,
    StepRequest,
    asks_for_approval,
)
from pausepoint.workflows.dag.pauses import (
    ApprovalAnswer,
    Imported,
    Reject,
    approval_actions,
    approval_schema,
    pause,
)
from pausepoint.workflows.dag.results import RUN_STAMP, current_actor, finished, rejection
from pausepoint.workflows.dag.spec import (
    StepSpec,
    WorkflowSpec,
    model_of,
    render,
    template_variables,
)

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]
Record = dict[str, Any]

#: Marks a lane's result among a checkpoint's pending writes.
RECORD_MARK = "pausepoint_step"


def as_task(name: str, func: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
    """`func` as a LangGraph task: called in a run, its result is checkpointed on its own."""
    return cast(Callable[..., Any], task(name=name)(cast(Any, func)))


class StepFailed(Exception):
    """A step failed (its agent raised after its retries, or it was rejected)."""


def _record(step: StepSpec, status: str, **fields: Any) -> Record:
    return {RECORD_MARK: step.id, "status": status, "output_key": step.output_key, **fields}


@dataclass(slots=True)
class Board:
    """One run's shared view: the inputs and a future per step (None while it is paused),
    and when the run (a start or a resume) started, stamped on the records it produces."""

    runner: DagRunner
    inputs: dict[str, Any]
    order: dict[str, list[str]]
    results: dict[str, asyncio.Future[Record | None]]
    run: str


class DagRunner:
    """The steps' logic, shared by the readiness entrypoint and the superstep baseline."""

    def __init__(self, spec: WorkflowSpec, agents: StepAgents, clock: Clock, sleep: Sleep) -> None:
        self.spec = spec
        self.agents = agents
        self.clock = clock
        self.sleep = sleep
        self.forms = {
            s.id: model_of(f"{s.id.title().replace('_', '')}Form", s.form)
            for s in spec.steps
            if s.kind == "human"
        }
        self.deps = {s.id: spec.dependencies(s) for s in spec.steps}
        self.ancestors = {s.id: spec.ancestors(s.id) for s in spec.steps}
        self.triggers = {s.id: spec.reject_trigger(s.id) for s in spec.steps}
        self.steps = {s.id: s for s in spec.steps}
        self.asks = {
            s.id: s.agent is not None and asks_for_approval(agents[s.agent]) for s in spec.steps
        }

    def _now(self) -> str:
        return self.clock().isoformat()

    def context(self, inputs: Mapping[str, Any], step_id: str, done: Mapping[str, Record]) -> Any:
        context = dict(inputs)
        for ancestor in self.ancestors[step_id]:
            record = done[ancestor]
            if record["status"] == "completed":
                context[record["output_key"]] = record.get("output")
        return context

    async def call_agent(self, step_id: str, text: str, context: dict[str, Any]) -> Record:
        """Run the step's agent, retrying with backoff; checkpointed as one sub-task."""
        step = self.steps[step_id]
        agent = self.agents[str(step.agent)]
        started = self._now()
        for attempt in range(1, step.retries + 2):
            request = StepRequest(self.spec.name, step.id, text, context, attempt)
            try:
                out = await agent.run(request)
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                if attempt <= step.retries:
                    await self.sleep(step.backoff_seconds * 2 ** (attempt - 1))
                    continue
                return {
                    "kind": "error",
                    "error": error,
                    "attempts": attempt,
                    "started_at": started,
                    "finished_at": self._now(),
                }
            timing = {"attempts": attempt, "started_at": started, "finished_at": self._now()}
            if isinstance(out, RequiresApproval):
                model = out.payload_model
                return {
                    "kind": "approval",
                    "message": out.message,
                    "title": out.title or f"Approve {step.id}",
                    "payload": to_jsonable_python(out.payload),
                    "payload_schema": model.model_json_schema() if model else None,
                    "assignee": out.assignee,
                    **timing,
                }
            return {"kind": "output", "output": to_jsonable_python(out), **timing}
        raise AssertionError("unreachable")

    async def call_execute(
        self, step_id: str, text: str, context: dict[str, Any], payload: dict[str, Any]
    ) -> Any:
        agent = self.agents[str(self.spec.step(step_id).agent)]
        if not isinstance(agent, ExecutingStepAgent):
            return payload
        request = StepRequest(self.spec.name, step_id, text, context)
        return to_jsonable_python(await agent.execute(request, payload))

    async def settle(
        self, step_id: str, inputs: Mapping[str, Any], done: Mapping[str, Record]
    ) -> Record:
        """Run one step whose ancestors (`done`) have all finished; return its record."""
        step = self.steps[step_id]
        deps = {d: done[d] for d in self.deps[step_id]}
        trigger = self.triggers[step_id]
        if trigger is not None and not deps[trigger].get("rejected"):
            return _record(step, "skipped", error=f"{trigger!r} was not rejected")
        for dep, record in deps.items():
            if dep != trigger and record["status"] != "completed":
                return _record(step, "skipped", error=f"{dep!r} {record['status']}")
        context = self.context(inputs, step_id, done)
        text = render(step.input, context)
        if step.kind == "human":
            return self._ask_human(step, text, context, await _STAMP(self, step.id))
        if self.asks[step.id]:
            result = await _AGENT(self, step.id, text, context)
        else:
            result = await self.call_agent(step.id, text, context)
            if result["kind"] == "approval":
                # Not declared: keep the first proposal, so the digest a person approves
                # stays the digest of what they saw even if the agent proposes anew.
                result = await _REMEMBER(self, step.id, result)
        timing = {k: result.get(k) for k in ("attempts", "started_at", "finished_at")}
        if result["kind"] == "error":
            return _record(step, "failed", error=result["error"], **timing)
        if result["kind"] == "output":
            return _record(step, "completed", output=result["output"], **timing)
        return await self._ask_approval(step, text, context, result)

    def _ask_human(self, step: StepSpec, text: str, context: Any, started: str) -> Record:
        answer = pause(
            PauseRequest(
                kind="form",
                title=step.description or f"Fill in {step.id}",
                message=text,
                context={k: context[k] for k in template_variables(step.input)},
                assignee=step.assignee,
                step=step.id,
            ),
            self.forms[step.id],
        )
        output = answer.output if isinstance(answer, Imported) else answer.model_dump(mode="json")
        marks = {"imported": True} if isinstance(answer, Imported) else {}
        return _record(
            step, "completed", output=output, **marks, started_at=started, finished_at=self._now()
        )

    async def _ask_approval(
        self, step: StepSpec, text: str, context: dict[str, Any], proposal: Record
    ) -> Record:
        payload: dict[str, Any] = proposal["payload"]
        payload_digest = digest(payload)
        answer = pause(
            PauseRequest(
                kind="approval",
                title=proposal["title"],
                message=proposal["message"],
                context=payload,
                actions=approval_actions(payload_digest),
                payload_digest=payload_digest,
                assignee=proposal.get("assignee") or step.assignee,
                step=step.id,
            ),
            ApprovalAnswer,
            approval_schema(proposal.get("payload_schema")),
        )
        timing = {"attempts": proposal["attempts"], "started_at": proposal["started_at"]}
        if isinstance(answer, Imported):
            return _record(
                step,
                "completed",
                output=answer.output,
                imported=True,
                approval={"imported": True},
                **timing,
                finished_at=self._now(),
            )
        if isinstance(answer, Reject):
            return _record(
                step,
                "failed",
                error=f"rejected: {answer.reason}",
                rejected=True,
                approval={"decision": "reject", "reason": answer.reason, "by": current_actor()},
                **timing,
                finished_at=self._now(),
            )
        approved = answer.edited_payload if answer.edited_payload is not None else payload
        output = await _EXECUTE(self, step.id, text, context, approved)
        approval = {
            "decision": "approve",
            "digest": digest(approved),
            "edited": answer.edited_payload is not None,
        }
        return _record(
            step, "completed", output=output, approval=approval, **timing, finished_at=self._now()
        )

    def outcome(
        self, inputs: Mapping[str, Any], records: Mapping[str, Record], run: str | None = None
    ) -> dict[str, Any]:
        """The final state: step records, the context, the result (the outputs and the
        design-notes/5 fields of the run that started at `run`); or StepFailed."""
        rejected = None
        for step in self.spec.steps:
            record = records[step.id]
            if record.get("rejected"):  # a person's decision, not an error
                rejected = rejected or rejection(step.id, record, handled=bool(step.on_reject))
            elif record["status"] == "failed":
                raise StepFailed(f"step {step.id!r} failed: {record.get('error')}")
        context = dict(inputs)
        for record in records.values():
            if record["status"] == "completed":
                context[record["output_key"]] = record.get("output")
        keys = self.spec.result or tuple(
            s.output_key for s in self.spec.steps if records[s.id]["status"] == "completed"
        )
        outputs = {k: context.get(k) for k in keys}
        result = {**outputs, **finished(records, context, run)}
        if rejected is not None:
            result["rejected"] = rejected
            if not rejected["handled"]:
                by = f" by {rejected['by']}" if rejected["by"] else ""
                result["final_response"] = f"Rejected{by}: {rejected['reason']}"
        return {"steps": dict(records), "context": context, "result": result}


# Task bodies live at module level: LangGraph caches the runnable of an importable function,
# and rebuilds it on every call for a closure or a bound method.


async def _stamp(runner: DagRunner, step_id: str) -> str:
    return runner.clock().isoformat()


async def _agent(runner: DagRunner, step_id: str, text: str, context: dict[str, Any]) -> Record:
    return await runner.call_agent(step_id, text, context)


async def _execute(
    runner: DagRunner, step_id: str, text: str, context: dict[str, Any], payload: dict[str, Any]
) -> Any:
    return await runner.call_execute(step_id, text, context, payload)


async def _lane(step_id: str, board: Board) -> Record:
    done: dict[str, Record] = {}
    for ancestor in board.order[step_id]:
        record = await board.results[ancestor]
        if record is None:
            raise GraphInterrupt(())  # an input waits for a person; so do we
        done[ancestor] = record
    record = {**await board.runner.settle(step_id, board.inputs, done), RUN_STAMP: board.run}
    slot = board.results[step_id]
    if not slot.done():  # wake the dependents now, not after LangGraph commits this task
        slot.set_result(record)
    return record


_STAMP = as_task("stamp", _stamp)


async def _remember(runner: DagRunner, step_id: str, proposal: Record) -> Record:
    return proposal


_AGENT = as_task("agent", _agent)
_REMEMBER = as_task("proposal", _remember)
_EXECUTE = as_task("execute", _execute)
_LANE = as_task("step", _lane)


def compile_readiness(
    runner: DagRunner, checkpointer: BaseCheckpointSaver[Any] | None
) -> Pregel[Any, Any, Any, Any]:
    """The spec as an entrypoint: lanes start as their inputs become ready."""
    spec = runner.spec
    order = spec.order()
    ancestors = {s: [a for a in order if a in runner.ancestors[s]] for s in order}

    @entrypoint(checkpointer=checkpointer)
    async def run(inputs: dict[str, Any]) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        results = {s: loop.create_future() for s in order}
        board = Board(runner, dict(inputs), ancestors, results, runner.clock().isoformat())
        futures = [_LANE(s, board) for s in order]

        async def settle(step_id: str, future: Any) -> Record | BaseException:
            slot = board.results[step_id]
            try:
                record: Record = await future
            except GraphInterrupt as exc:
                if not slot.done():
                    slot.set_result(None)
                return exc
            except Exception as exc:
                if not slot.done():
                    step = runner.steps[step_id]
                    slot.set_result(_record(step, "failed", error=f"{type(exc).__name__}: {exc}"))
                return exc
            if not slot.done():
                slot.set_result(record)
            return record

        outcomes = await asyncio.gather(
            *(settle(s, f) for s, f in zip(order, futures, strict=True))
        )
        if errors := [
            o for o in outcomes if isinstance(o, Exception) and not isinstance(o, GraphInterrupt)
        ]:
            raise errors[0]
        if interrupts := [o for o in outcomes if isinstance(o, GraphInterrupt)]:
            raise GraphInterrupt(tuple(i for exc in interrupts for i in exc.args[0]))
        records = {s: o for s, o in zip(order, outcomes, strict=True) if isinstance(o, dict)}
        return runner.outcome(inputs, records, board.run)

    return run

"""The orchestrator graph (design-notes/4), asking the user through `interrupt()`:

    parse_prompt -> match_capabilities -> agent_directory_search -> rank_agents
      -> [ask_user: which agent?] -> plan_execution -> [approve_plan]
      -> execute -(Send per ready task)-> run_task -> execute ... -> aggregate_responses

Pauses sit in their own nodes, before any side effect. `run_task` runs one agent per Send,
so independent tasks run concurrently and a workflow agent's pause leaves its finished
siblings' results in the checkpoint: resuming re-runs only the paused task, whose workflow
continues from its own checkpoint (a subgraph under this thread).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from langchain_core.runnables import RunnableConfig
from langgraph.errors import GraphBubbleUp
from langgraph.graph import END, START, StateGraph
from langgraph.types import Send
from pydantic import BaseModel, Field, create_model

from pausepoint.agents.base import Agent, AgentError, AgentRequest
from pausepoint.agents.directory import AgentDirectory, ScoredCard
from pausepoint.domain import Action, PauseRequest, digest
from pausepoint.forms import ask
from pausepoint.orchestrator.offline import capabilities_of, plan_tasks, symbol_capabilities
from pausepoint.orchestrator.planner import Planner
from pausepoint.orchestrator.ranking import Choice, choose
from pausepoint.orchestrator.state import (
    OrchestratorState,
    PlanApproval,
    RunTaskInput,
    TaskAgentPair,
    TaskResult,
    candidates_of,
    pairs_of,
    plan_of,
    results_of,
    run_task_input,
    tasks_of,
)

Clock = Callable[[], datetime]

#: How many candidates the directory returns per task.
SEARCH_LIMIT = 5


def _now() -> datetime:
    return datetime.now(UTC)


def _choice_model(names: Sequence[str]) -> type[BaseModel]:
    """`{"agent": one of names}` as a model, so the pause's schema lists the choices."""
    return create_model(
        "AgentChoice",
        agent=(
            str,
            Field(description="The agent to use.", json_schema_extra={"enum": list(names)}),
        ),
    )


def build_orchestrator(
    agents: Sequence[Agent],
    planner: Planner,
    *,
    approve_plans: bool = False,
    clock: Clock = _now,
) -> StateGraph[OrchestratorState, Any, Any, Any]:
    """The orchestrator over `agents` (uncompiled; the caller brings the checkpointer)."""
    by_name = {a.card.name: a for a in agents}
    directory = AgentDirectory(a.card for a in agents)

    async def parse_prompt(state: OrchestratorState) -> dict[str, Any]:
        return {"tasks": await planner.aparse(state["prompt"]), "results": [], "steps": {}}

    def match_capabilities(state: OrchestratorState) -> dict[str, Any]:
        tasks = [
            t.model_copy(
                update={
                    "capabilities": tuple(
                        dict.fromkeys(
                            (
                                *t.capabilities,
                                *capabilities_of(t.text),
                                *symbol_capabilities(t.text),
                            )
                        )
                    )
                }
            )
            for t in tasks_of(state)
        ]
        return {"tasks": tasks}

    def agent_directory_search(state: OrchestratorState) -> dict[str, Any]:
        candidates = {
            t.id: directory.search(
                " ".join((t.text.partition(":")[0], *t.capabilities)), limit=SEARCH_LIMIT
            )
            for t in tasks_of(state)
        }
        return {"candidates": candidates}

    def rank_agents(state: OrchestratorState) -> dict[str, Any]:
        pairs: dict[str, TaskAgentPair] = {}
        unclear: list[str] = []
        candidates = candidates_of(state)
        for task in tasks_of(state):
            choice = choose(candidates.get(task.id, []))
            best = choice.best
            if choice.ask:
                # "... then get it reviewed": a follow-up that the previous task's agent can
                # do stays with it rather than asking
                before = [pairs[d].agent for d in task.depends_on if d in pairs]
                same = [c for c in choice.ask if c.card.name in before]
                if same:
                    best, choice = same[0], Choice(best=same[0])
            if choice.ask or best is None:
                unclear.append(task.id)
            if best is not None:
                pairs[task.id] = TaskAgentPair(
                    task_id=task.id, agent=best.card.name, score=best.score
                )
        return {"pairs": list(pairs.values()), "unclear": unclear}

    def after_rank(state: OrchestratorState) -> Literal["ask_user", "plan_execution"]:
        return "ask_user" if state.get("unclear") else "plan_execution"

    def ask_user(state: OrchestratorState) -> dict[str, Any]:
        pairs = {p.task_id: p for p in pairs_of(state)}
        texts = {t.id: t.text for t in tasks_of(state)}
        for task_id in state["unclear"]:
            found = candidates_of(state).get(task_id, [])
            options: list[ScoredCard] = list(choose(found).ask) or [
                ScoredCard(card=c, score=0.0) for c in directory
            ]
            names = [o.card.name for o in options]
            weak = not found or len(options) == 1
            answer: Any = ask(
                PauseRequest(
                    kind="question",
                    title="Which agent should do this?",
                    message=(
                        f"No agent clearly fits “{texts[task_id]}”. Pick one."
                        if weak
                        else f"Several agents could do “{texts[task_id]}”. Which one do you mean?"
                    ),
                    context={
                        "task": texts[task_id],
                        "candidates": [
                            {
                                "agent": o.card.name,
                                "description": o.card.description,
                                "score": o.score,
                            }
                            for o in options
                        ],
                    },
                    actions=[Action(label=n, answer={"agent": n}) for n in names],
                    step="ask_user",
                ),
                _choice_model(names),
            )
            agent = getattr(answer, "agent", None) or dict(answer)["agent"]
            pairs[task_id] = TaskAgentPair(task_id=task_id, agent=str(agent), chosen_by="asked")
        ordered = [pairs[t.id] for t in tasks_of(state) if t.id in pairs]
        return {"pairs": ordered, "unclear": []}

    async def plan_execution(state: OrchestratorState) -> dict[str, Any]:
        pairs = {p.task_id: p for p in pairs_of(state)}
        pairs = await planner.aplan(state["prompt"], tasks_of(state), pairs, list(directory))
        kinds = {a.card.name: a.card.kind for a in agents}
        plan = plan_tasks(tasks_of(state), pairs, kinds)
        steps = {
            t.id: {
                "task": t.text,
                "agent": t.agent,
                "kind": t.kind,
                "wave": t.wave,
                "status": "planned",
            }
            for t in plan
        }
        return {"pairs": list(pairs.values()), "plan": plan, "steps": steps}

    def after_plan(state: OrchestratorState) -> Literal["approve_plan", "execute"]:
        return "approve_plan" if approve_plans else "execute"

    def approve_plan(state: OrchestratorState) -> dict[str, Any]:
        plan = [
            {
                "task": t.text,
                "agent": t.agent,
                "kind": t.kind,
                "wave": t.wave,
                "after": list(t.depends_on),
            }
            for t in plan_of(state)
        ]
        plan_digest = digest({"plan": plan})
        answer: PlanApproval = ask(
            PauseRequest(
                kind="approval",
                title="Approve the plan?",
                message="\n".join(f"{i}. {p['agent']}: {p['task']}" for i, p in enumerate(plan, 1)),
                context={"plan": plan},
                payload_digest=plan_digest,
                actions=[
                    Action(label="Approve", answer={"decision": "approve", "digest": plan_digest}),
                    Action(label="Reject", answer={"decision": "reject"}, fields=["comments"]),
                ],
                step="approve_plan",
            ),
            PlanApproval,
        )
        if answer.decision == "reject":
            return {"rejected": answer.comments or "rejected"}
        return {"rejected": None}

    def after_approval(state: OrchestratorState) -> Literal["execute", "aggregate_responses"]:
        return "aggregate_responses" if state.get("rejected") else "execute"

    def execute(state: OrchestratorState) -> dict[str, Any]:
        return {}

    def next_wave(state: OrchestratorState) -> list[Send] | Literal["aggregate_responses"]:
        done = {r.task_id: r for r in results_of(state)}
        ready = [
            t for t in plan_of(state) if t.id not in done and all(d in done for d in t.depends_on)
        ]
        if not ready:
            return "aggregate_responses"
        return [
            Send("run_task", {"task": t, "inputs": {d: done[d] for d in t.depends_on}})
            for t in ready
        ]

    async def run_task(payload: RunTaskInput, config: RunnableConfig) -> dict[str, Any]:
        task, inputs = run_task_input(payload)
        started = clock()
        failed = [r for r in inputs.values() if r.status != "done"]
        status: Literal["done", "failed", "skipped"] = "done"
        output, error = None, None
        if failed:
            status, error = "skipped", f"{failed[0].task_id} did not finish"
        else:
            request = AgentRequest(
                task=task.text,
                inputs={k: r.output for k, r in inputs.items() if r.output is not None},
            )
            try:
                output = await by_name[task.agent].arun(request, config)
            except GraphBubbleUp:
                raise  # a pause inside a workflow agent: the thread pauses with it
            except AgentError as exc:
                status, error = "failed", str(exc)
            except Exception as exc:  # an agent's bug must not take the conversation down
                status, error = "failed", f"{type(exc).__name__}: {exc}"
        result = TaskResult(
            task_id=task.id,
            agent=task.agent,
            status=status,
            output=output,
            error=error,
            started_at=started,
            finished_at=clock(),
        )
        step = {"status": status, "output": output.text if output else None, "error": error}
        return {"results": [result], "steps": {task.id: step}}

    async def aggregate_responses(state: OrchestratorState) -> dict[str, Any]:
        if state.get("rejected"):
            return {"answer": f"Plan rejected: {state['rejected']}"}
        answer = await planner.aaggregate(state["prompt"], plan_of(state), results_of(state))
        return {"answer": answer}

    graph = StateGraph(OrchestratorState)
    graph.add_node("parse_prompt", parse_prompt)
    graph.add_node("match_capabilities", match_capabilities)
    graph.add_node("agent_directory_search", agent_directory_search)
    graph.add_node("rank_agents", rank_agents)
    graph.add_node("ask_user", ask_user)
    graph.add_node("plan_execution", plan_execution)
    graph.add_node("approve_plan", approve_plan)
    graph.add_node("execute", execute)
    graph.add_node("run_task", run_task, input_schema=RunTaskInput)  # type: ignore[arg-type]
    graph.add_node("aggregate_responses", aggregate_responses)
    graph.add_edge(START, "parse_prompt")
    graph.add_edge("parse_prompt", "match_capabilities")
    graph.add_edge("match_capabilities", "agent_directory_search")
    graph.add_edge("agent_directory_search", "rank_agents")
    graph.add_conditional_edges("rank_agents", after_rank)
    graph.add_edge("ask_user", "plan_execution")
    graph.add_conditional_edges("plan_execution", after_plan)
    graph.add_conditional_edges("approve_plan", after_approval)
    graph.add_conditional_edges("execute", next_wave, ["run_task", "aggregate_responses"])
    graph.add_edge("run_task", "execute")
    graph.add_edge("aggregate_responses", END)
    return graph


def result(values: Any) -> Any:
    """The orchestrator's result: the answer, what each task did, and who was chosen for it."""
    if not isinstance(values, dict) or "answer" not in values:
        return None
    by_task = {r.task_id: r for r in results_of(values)}
    tasks = []
    for task in plan_of(values):
        r = by_task.get(task.id)
        tasks.append(
            {
                "id": task.id,
                "task": task.text,
                "agent": task.agent,
                "status": r.status if r else "not run",
                "output": r.output.text if r and r.output else None,
                "data": r.output.data if r and r.output else None,
                "error": r.error if r else None,
                "started_at": r.started_at.isoformat() if r else None,
                "finished_at": r.finished_at.isoformat() if r else None,
            }
        )
    texts = {t.id: t.text for t in tasks_of(values)}
    pairs = [
        {
            "task_id": p.task_id,
            "task": texts.get(p.task_id),
            "agent": p.agent,
            "chosen_by": p.chosen_by,
        }
        for p in pairs_of(values)
    ]
    body = {"answer": values["answer"], "tasks": tasks, "task_agent_pairs": pairs}
    return json.loads(json.dumps(body, default=str))

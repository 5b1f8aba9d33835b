"""The orchestrator graph (design-notes/4), asking the user through `interrupt()`:

    [ask_guidance] / find_agents -> END
    parse_prompt -> match_capabilities -> agent_directory_search -> rank_agents
      -> [ask_user: which agent?] -> plan_execution -> [ask_details] -> [approve_plan]
      -> execute -(Send per ready task)-> run_task -> execute ... -> aggregate_responses

A request is read first (orchestrator.intents): one that asks for guidance gets a question
(`ask_guidance`) whose answer is read the same way; one that asks to find agents is answered
from the directory (`find_agents`) and nothing runs. A planned task whose agent needs data the
request does not give is asked for it (`ask_details`) before anything runs. `max_results`
(input) caps the directory's matches per task and for a find request.

Pauses sit in their own nodes, before any side effect. `run_task` runs one agent per Send,
so independent tasks run concurrently and a workflow agent's pause leaves its finished
siblings' results in the checkpoint: resuming re-runs only the paused task, whose workflow
continues from its own checkpoint (a subgraph under this thread).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from langchain_core.runnables import RunnableConfig
from langgraph.errors import GraphBubbleUp
from langgraph.graph import END, START, StateGraph
from langgraph.types import Send

from pausepoint.agents.base import Agent, AgentError, AgentRequest, Needs
from pausepoint.agents.directory import AgentDirectory, ScoredCard
from pausepoint.forms import ask
from pausepoint.orchestrator import questions
from pausepoint.orchestrator.intents import asks_for_guidance, find_query
from pausepoint.orchestrator.offline import capabilities_of, plan_tasks, symbol_capabilities
from pausepoint.orchestrator.planner import Planner
from pausepoint.orchestrator.ranking import Choice, choose
from pausepoint.orchestrator.result import found_answer, rejected_answer
from pausepoint.orchestrator.state import (
    Details,
    OrchestratorState,
    PlanApproval,
    PlannedTask,
    Rejection,
    RunTaskInput,
    TaskAgentPair,
    TaskResult,
    candidates_of,
    pairs_of,
    plan_of,
    rejection_of,
    results_of,
    run_task_input,
    tasks_of,
)

Clock = Callable[[], datetime]

#: How many candidates the directory returns per task, unless the input's `max_results` says.
SEARCH_LIMIT = 5
#: Where a run's config names the person it runs for (LangGraph's own key for the caller).
ACTOR_KEY = "langgraph_auth_user_id"


def _now() -> datetime:
    return datetime.now(UTC)


def _limit(state: OrchestratorState) -> int:
    return state.get("max_results") or SEARCH_LIMIT


def _request(state: OrchestratorState) -> str:
    return state.get("request") or state["prompt"]


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

    def needs_of(task: PlannedTask) -> Needs | None:
        """What the task's agent needs and the task's words lack (tasks fed by others: none)."""
        needs = getattr(by_name.get(task.agent), "needs", None)
        if task.depends_on or not isinstance(needs, Needs) or not needs.missing(task.text):
            return None
        return needs

    def read_request(
        state: OrchestratorState,
    ) -> Literal["ask_guidance", "find_agents", "parse_prompt"]:
        request = _request(state)
        if find_query(request) is not None:
            return "find_agents"
        return "ask_guidance" if asks_for_guidance(request) else "parse_prompt"

    def ask_guidance(state: OrchestratorState) -> dict[str, Any]:
        request = _request(state)
        options = directory.search(request, limit=_limit(state)) or [
            ScoredCard(card=c, score=0.0) for c in directory
        ]
        answer: Details = ask(questions.guidance(request, options), Details)
        return {"request": answer.text}

    def find_agents(state: OrchestratorState) -> dict[str, Any]:
        query = find_query(_request(state)) or ""
        limit = state.get("max_results")
        if query:
            found = directory.search(query, limit=limit or SEARCH_LIMIT)
        else:
            found = [ScoredCard(card=c, score=0.0) for c in directory][:limit]
        every = [c.name for c in directory]
        return {"found": found, "answer": found_answer(query, found, every)}

    async def parse_prompt(state: OrchestratorState) -> dict[str, Any]:
        return {"tasks": await planner.aparse(_request(state)), "results": [], "steps": {}}

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
                " ".join((t.text.partition(":")[0], *t.capabilities)), limit=_limit(state)
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
                questions.which_agent(texts[task_id], options, weak=weak),
                questions.choice_model(names),
            )
            agent = getattr(answer, "agent", None) or dict(answer)["agent"]
            pairs[task_id] = TaskAgentPair(task_id=task_id, agent=str(agent), chosen_by="asked")
        ordered = [pairs[t.id] for t in tasks_of(state) if t.id in pairs]
        return {"pairs": ordered, "unclear": []}

    async def plan_execution(state: OrchestratorState) -> dict[str, Any]:
        pairs = {p.task_id: p for p in pairs_of(state)}
        pairs = await planner.aplan(_request(state), tasks_of(state), pairs, list(directory))
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

    def after_plan(state: OrchestratorState) -> Literal["ask_details", "approve_plan", "execute"]:
        if any(needs_of(t) for t in plan_of(state)):
            return "ask_details"
        return "approve_plan" if approve_plans else "execute"

    def ask_details(state: OrchestratorState) -> dict[str, Any]:
        plan = plan_of(state)
        task, needs = next((t, n) for t in plan if (n := needs_of(t)) is not None)
        answer: Details = ask(questions.details(task, needs), Details)
        text = questions.with_details(task.text, answer.text)
        return {
            "plan": [t.model_copy(update={"text": text}) if t.id == task.id else t for t in plan],
            "tasks": [
                t.model_copy(update={"text": text}) if t.id == task.id else t
                for t in tasks_of(state)
            ],
            "steps": {task.id: {"task": text}},
        }

    def approve_plan(state: OrchestratorState, config: RunnableConfig) -> dict[str, Any]:
        answer: PlanApproval = ask(questions.plan_approval(plan_of(state)), PlanApproval)
        if answer.decision == "reject":
            actor = (config.get("configurable") or {}).get(ACTOR_KEY) or None
            reason = answer.comments or "no reason given"
            return {"rejected": Rejection(by=actor, reason=reason)}
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
        if (rejection := rejection_of(state)) is not None:
            return {"answer": rejected_answer(rejection)}
        answer = await planner.aaggregate(_request(state), plan_of(state), results_of(state))
        return {"answer": answer}

    graph = StateGraph(OrchestratorState)
    graph.add_node("ask_guidance", ask_guidance)
    graph.add_node("find_agents", find_agents)
    graph.add_node("parse_prompt", parse_prompt)
    graph.add_node("match_capabilities", match_capabilities)
    graph.add_node("agent_directory_search", agent_directory_search)
    graph.add_node("rank_agents", rank_agents)
    graph.add_node("ask_user", ask_user)
    graph.add_node("plan_execution", plan_execution)
    graph.add_node("ask_details", ask_details)
    graph.add_node("approve_plan", approve_plan)
    graph.add_node("execute", execute)
    graph.add_node("run_task", run_task, input_schema=RunTaskInput)  # type: ignore[arg-type]
    graph.add_node("aggregate_responses", aggregate_responses)
    graph.add_conditional_edges(START, read_request)
    graph.add_conditional_edges("ask_guidance", read_request)
    graph.add_edge("find_agents", END)
    graph.add_edge("parse_prompt", "match_capabilities")
    graph.add_edge("match_capabilities", "agent_directory_search")
    graph.add_edge("agent_directory_search", "rank_agents")
    graph.add_conditional_edges("rank_agents", after_rank)
    graph.add_edge("ask_user", "plan_execution")
    graph.add_conditional_edges("plan_execution", after_plan)
    graph.add_conditional_edges("ask_details", after_plan)
    graph.add_conditional_edges("approve_plan", after_approval)
    graph.add_conditional_edges("execute", next_wave, ["run_task", "aggregate_responses"])
    graph.add_edge("run_task", "execute")
    graph.add_edge("aggregate_responses", END)
    return graph

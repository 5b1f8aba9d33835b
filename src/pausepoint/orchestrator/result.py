"""The orchestrator's result, and the answers it writes without a planner: the agents a find
request found, and a rejected plan."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pausepoint.agents.directory import ScoredCard
from pausepoint.orchestrator.state import (
    Rejection,
    found_of,
    pairs_of,
    plan_of,
    rejection_of,
    results_of,
    tasks_of,
)


def found_answer(query: str, found: Sequence[ScoredCard], every: Sequence[str]) -> str:
    """The answer to a find request: one line per match, or what there is when none match."""
    if found:
        heading = f"Agents for “{query}”:" if query else "Agents:"
        return "\n".join([heading, *(f"- {f.card.name}: {f.card.description}" for f in found)])
    return f"No agent matches “{query}”. The agents are: {', '.join(every)}."


def rejected_answer(rejection: Rejection) -> str:
    """The answer for a rejected plan: who rejected it (when known) and why."""
    who = f" by {rejection.by}" if rejection.by else ""
    return f"Plan rejected{who}: {rejection.reason}"


def result(values: Any) -> Any:
    """The orchestrator's result: the answer, what each task did, and who was chosen for it.

    A find request's matches are its `task_agent_pairs` (`chosen_by: "found"`, with score and
    description; no tasks); a rejected plan adds `rejected: {"by", "reason"}`.
    """
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
    found = found_of(values)
    if found is not None:
        request = values.get("request") or values.get("prompt")
        pairs: list[dict[str, Any]] = [
            {
                "task_id": "t1",
                "task": request,
                "agent": f.card.name,
                "chosen_by": "found",
                "score": f.score,
                "description": f.card.description,
            }
            for f in found
        ]
    else:
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
    body: dict[str, Any] = {"answer": values["answer"], "tasks": tasks, "task_agent_pairs": pairs}
    rejection = rejection_of(values)
    if rejection is not None:
        body["rejected"] = {"by": rejection.by, "reason": rejection.reason}
    return json.loads(json.dumps(body, default=str))

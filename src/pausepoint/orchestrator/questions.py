"""What the orchestrator asks a person, as pause requests: which agent, what they need, the
data a task lacks, and whether the plan may run. Each is asked with `forms.ask` in its node."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field, create_model

from pausepoint.agents.base import Needs
from pausepoint.agents.directory import ScoredCard
from pausepoint.domain import Action, PauseRequest, digest
from pausepoint.orchestrator.state import PlannedTask


def choice_model(names: Sequence[str]) -> type[BaseModel]:
    """`{"agent": one of names}` as a model, so the pause's schema lists the choices."""
    return create_model(
        "AgentChoice",
        agent=(
            str,
            Field(description="The agent to use.", json_schema_extra={"enum": list(names)}),
        ),
    )


def which_agent(task: str, options: Sequence[ScoredCard], *, weak: bool) -> PauseRequest:
    """Ask which of `options` should do `task` (`weak`: none fits well, rather than several)."""
    return PauseRequest(
        kind="question",
        title="Which agent should do this?",
        message=(
            f"No agent clearly fits “{task}”. Pick one."
            if weak
            else f"Several agents could do “{task}”. Which one do you mean?"
        ),
        context={
            "task": task,
            "candidates": [
                {"agent": o.card.name, "description": o.card.description, "score": o.score}
                for o in options
            ],
        },
        actions=[Action(label=o.card.name, answer={"agent": o.card.name}) for o in options],
        step="ask_user",
    )


def guidance(request: str, options: Sequence[ScoredCard]) -> PauseRequest:
    """Ask what the person wants done, showing the agents that could help with `request`."""
    lines = []
    for option in options:
        example = next(iter(option.card.examples), None)
        hint = f" (for example “{example}”)" if example else ""
        lines.append(f"- {option.card.name}: {option.card.description}{hint}")
    return PauseRequest(
        kind="question",
        title="What would you like me to do, and with which data?",
        message=f"“{request}”: tell me the task in your words, with its data (numbers, a text). "
        "These agents could help:\n" + "\n".join(lines),
        context={
            "request": request,
            "candidates": [
                {
                    "agent": o.card.name,
                    "description": o.card.description,
                    "examples": list(o.card.examples),
                }
                for o in options
            ],
        },
        step="ask_guidance",
    )


def details(task: PlannedTask, needs: Needs) -> PauseRequest:
    """Ask for the data `task` lacks, in the words of its agent's `needs`."""
    given = "what you gave" if ":" in task.text else "the request"
    return PauseRequest(
        kind="question",
        title=needs.question,
        message=f"{task.agent} will do “{task.text}”, but {given} does not hold what it needs. "
        f"For example: {needs.example}",
        context={
            "task_id": task.id,
            "task": task.text,
            "agent": task.agent,
            "example": needs.example,
        },
        step="ask_details",
    )


def with_details(text: str, answer: str) -> str:
    """The task's words with the person's answer as its data (after a `:`, which starts data)."""
    return f"{text} {answer}" if ":" in text else f"{text}: {answer}"


def plan_approval(plan: Sequence[PlannedTask]) -> PauseRequest:
    """Ask to approve `plan`, bound to its digest; a rejection may say why."""
    steps: list[dict[str, Any]] = [
        {
            "task": t.text,
            "agent": t.agent,
            "kind": t.kind,
            "wave": t.wave,
            "after": list(t.depends_on),
        }
        for t in plan
    ]
    plan_digest = digest({"plan": steps})
    return PauseRequest(
        kind="approval",
        title="Approve the plan?",
        message="\n".join(f"{i}. {p['agent']}: {p['task']}" for i, p in enumerate(steps, 1)),
        context={"plan": steps},
        payload_digest=plan_digest,
        actions=[
            Action(label="Approve", answer={"decision": "approve", "digest": plan_digest}),
            Action(label="Reject", answer={"decision": "reject"}, fields=["comments"]),
        ],
        step="approve_plan",
    )

"""Planners: the offline default, and one that asks a chat model (PAUSEPOINT_MODEL).

A planner turns the request into tasks (`aparse`), may reassign agents (`aplan`) and writes
the final answer (`aaggregate`). The chat-model planner asks for JSON that fits a pydantic
model (structured output that works with any chat model, the scripted fake included) and
falls back to the offline planner's choice when the reply does not fit.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Protocol, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field, ValidationError

from pausepoint.agents.cards import AgentCard
from pausepoint.orchestrator.offline import split_request, summarize_results
from pausepoint.orchestrator.state import PlannedTask, TaskAgentPair, TaskResult, TaskSpec

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)


class Planner(Protocol):
    async def aparse(self, prompt: str) -> list[TaskSpec]: ...

    async def aplan(
        self,
        prompt: str,
        tasks: Sequence[TaskSpec],
        pairs: Mapping[str, TaskAgentPair],
        cards: Sequence[AgentCard],
    ) -> dict[str, TaskAgentPair]: ...

    async def aaggregate(
        self, prompt: str, plan: Sequence[PlannedTask], results: Sequence[TaskResult]
    ) -> str: ...


class OfflinePlanner:
    """Deterministic: splitting and directory ranking; the answer is the agents' own words."""

    async def aparse(self, prompt: str) -> list[TaskSpec]:
        return split_request(prompt)

    async def aplan(
        self,
        prompt: str,
        tasks: Sequence[TaskSpec],
        pairs: Mapping[str, TaskAgentPair],
        cards: Sequence[AgentCard],
    ) -> dict[str, TaskAgentPair]:
        return dict(pairs)

    async def aaggregate(
        self, prompt: str, plan: Sequence[PlannedTask], results: Sequence[TaskResult]
    ) -> str:
        return summarize_results(plan, results)


class ParsedTask(BaseModel):
    text: str = Field(description="The task in words, with any data it needs.")
    depends_on: list[int] = Field(default_factory=list, description="1-based indices.")
    capabilities: list[str] = Field(default_factory=list, description="Keywords.")


class ParsedRequest(BaseModel):
    tasks: list[ParsedTask]


class Assignment(BaseModel):
    task_id: str
    agent: str


class PlanReply(BaseModel):
    assignments: list[Assignment] = Field(default_factory=list)


class AnswerReply(BaseModel):
    answer: str


def parse_json_reply(text: str, model: type[M]) -> M:
    """The first JSON object in `text` (code fences allowed) validated as `model`."""
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.DOTALL)
    body = fenced.group(1) if fenced else text
    start, end = body.find("{"), body.rfind("}")
    if start < 0 or end < start:
        raise ValueError(f"no JSON object in reply: {text[:200]!r}")
    return model.model_validate_json(body[start : end + 1])


class ChatModelPlanner:
    """Parse, plan and aggregate with a chat model; offline choices when a reply is unusable."""

    SYSTEM = "You are the planner of an agent orchestrator. Reply with JSON only."

    def __init__(self, model: BaseChatModel) -> None:
        self._model = model
        self._offline = OfflinePlanner()

    async def _ask(self, instruction: str, schema: type[M]) -> M:
        text = (
            f"{instruction}\n\nReply with one JSON object that fits this JSON Schema:\n"
            f"{json.dumps(schema.model_json_schema())}"
        )
        reply = await self._model.ainvoke([SystemMessage(self.SYSTEM), HumanMessage(text)])
        return parse_json_reply(reply.text, schema)

    async def aparse(self, prompt: str) -> list[TaskSpec]:
        try:
            parsed = await self._ask(
                "Split this request into the tasks it asks for, in order. A task depends on "
                f"an earlier one when it needs its result.\n\nRequest: {prompt}",
                ParsedRequest,
            )
        except (ValueError, ValidationError) as exc:
            logger.warning("model parse unusable (%s); using the offline parser", exc)
            return await self._offline.aparse(prompt)
        if not parsed.tasks:
            return await self._offline.aparse(prompt)
        tasks: list[TaskSpec] = []
        for index, task in enumerate(parsed.tasks, start=1):
            depends = tuple(f"t{d}" for d in task.depends_on if 0 < d < index)
            tasks.append(
                TaskSpec(
                    id=f"t{index}",
                    text=task.text,
                    depends_on=depends,
                    capabilities=tuple(task.capabilities),
                )
            )
        return tasks

    async def aplan(
        self,
        prompt: str,
        tasks: Sequence[TaskSpec],
        pairs: Mapping[str, TaskAgentPair],
        cards: Sequence[AgentCard],
    ) -> dict[str, TaskAgentPair]:
        catalogue = "\n".join(f"- {c.name}: {c.description}" for c in cards)
        listing = "\n".join(
            f"- {t.id}: {t.text} (ranked: {pairs[t.id].agent})" for t in tasks if t.id in pairs
        )
        try:
            reply = await self._ask(
                f"Agents:\n{catalogue}\n\nTasks:\n{listing}\n\nAssign each task the best agent.",
                PlanReply,
            )
        except (ValueError, ValidationError) as exc:
            logger.warning("model plan unusable (%s); keeping the ranking", exc)
            return dict(pairs)
        names = {c.name for c in cards}
        chosen = dict(pairs)
        for a in reply.assignments:
            if a.task_id in chosen and a.agent in names and chosen[a.task_id].chosen_by != "asked":
                chosen[a.task_id] = TaskAgentPair(
                    task_id=a.task_id, agent=a.agent, chosen_by="model"
                )
        return chosen

    async def aaggregate(
        self, prompt: str, plan: Sequence[PlannedTask], results: Sequence[TaskResult]
    ) -> str:
        offline = summarize_results(plan, results)
        try:
            reply = await self._ask(
                f"Request: {prompt}\n\nResults of the agents:\n{offline}\n\n"
                "Write the answer to the request from these results.",
                AnswerReply,
            )
        except (ValueError, ValidationError) as exc:
            logger.warning("model answer unusable (%s); using the agents' words", exc)
            return offline
        return reply.answer


def make_planner(model: BaseChatModel | None) -> Planner:
    return ChatModelPlanner(model) if model is not None else OfflinePlanner()

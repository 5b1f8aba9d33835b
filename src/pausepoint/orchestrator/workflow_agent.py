"""Workflows as agents: every registered workflow gets a card and runs as a subgraph.

The workflow's compiled graph (no checkpointer of its own) is invoked inside the calling
orchestrator node with that node's config, so LangGraph checkpoints it under the
orchestrator's thread: when the workflow pauses, the orchestrator thread pauses with the
same interrupt (kind, form, actions), and `Command(resume=...)` on the orchestrator thread
reaches it. When the task's words do not make the workflow's input, the user is asked for
it with a form of the workflow's input model.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.pregel import Pregel
from pydantic import BaseModel

from pausepoint.agents.base import AgentError, AgentOutput, AgentRequest
from pausepoint.agents.cards import AgentCard, AgentSkill
from pausepoint.domain import PauseRequest
from pausepoint.errors import InvalidInput
from pausepoint.forms import ask
from pausepoint.workflows.registry import Workflow

logger = logging.getLogger(__name__)

#: "write a short story about X" -> "X": what a creative workflow's prompt is about.
_ABOUT = re.compile(
    r"^\s*(?:please\s+)?(?:write|create|make|draft|compose|generate|tell)\b[^:.]*?\babout\s+(.+)$",
    re.IGNORECASE | re.DOTALL,
)

#: Input fields a task's words go into when a workflow takes text.
_TEXT_FIELDS = ("prompt", "request", "text", "task", "query", "input", "topic")


def workflow_card(workflow: Workflow) -> AgentCard:
    """The directory card of a registered workflow (name, description, tags, examples)."""
    return AgentCard(
        name=workflow.name,
        description=workflow.description,
        kind="workflow",
        workflow=workflow.name,
        skills=(
            AgentSkill(
                id=workflow.name,
                name=workflow.name.replace("-", " ").replace("_", " "),
                description=workflow.description,
                tags=tuple(workflow.tags),
                examples=tuple(workflow.examples),
            ),
        ),
    )


def workflow_input(workflow: Workflow, request: AgentRequest) -> dict[str, Any]:
    """Turn a task into the workflow's input.

    A JSON object in the task is taken as the input; otherwise the task's words go into the
    input's text field (`prompt`, `request`, `text`, ...), or its only required string field.
    """
    start, end = request.task.find("{"), request.task.rfind("}")
    if 0 <= start < end:
        try:
            raw = json.loads(request.task[start : end + 1])
        except json.JSONDecodeError:
            raw = None
        if isinstance(raw, dict):
            return workflow.parse_input(raw)
    schema = workflow.input_schema()
    props: Mapping[str, Any] = schema.get("properties", {})
    text_fields = [n for n in _TEXT_FIELDS if n in props]
    if not text_fields:
        required = [
            n for n in schema.get("required", []) if props.get(n, {}).get("type") == "string"
        ]
        text_fields = required[:1]
    if not text_fields:
        raise AgentError(f"workflow {workflow.name!r} needs structured input")
    about = _ABOUT.match(request.task)
    text = about.group(1).strip() if about else request.task
    context = [o.text for o in request.inputs.values()]
    if context:
        text = f"{text}\n\n" + "\n".join(context)
    return workflow.parse_input({text_fields[0]: text})


class WorkflowAgent:
    """Runs one registered workflow as a subgraph of the calling node."""

    def __init__(self, workflow: Workflow, graph: Pregel[Any, Any, Any, Any]) -> None:
        self.workflow = workflow
        self._graph = graph
        self._card = workflow_card(workflow)

    @property
    def card(self) -> AgentCard:
        return self._card

    def _ask_input(self, request: AgentRequest, problem: Exception) -> dict[str, Any]:
        """The task's words do not make the workflow's input: ask the user for it (a form).

        This pause comes before the workflow starts, so answering it re-runs nothing.
        """
        answer: Any = ask(
            PauseRequest(
                kind="form",
                title=f"What should {self.workflow.name} start with?",
                message=f"“{request.task}” does not give {self.workflow.name} its input. "
                "Fill in the form.",
                context={"task": request.task, "workflow": self.workflow.name},
                step=f"input:{self.workflow.name}",
            ),
            self.workflow.input_model,
        )
        logger.info("asked for %s input (%s)", self.workflow.name, _problem(problem))
        raw = answer.model_dump(mode="json") if isinstance(answer, BaseModel) else answer
        return self.workflow.parse_input(raw)

    async def arun(self, request: AgentRequest, config: RunnableConfig) -> AgentOutput:
        try:
            payload = workflow_input(self.workflow, request)
        except (AgentError, InvalidInput) as exc:
            payload = self._ask_input(request, exc)
        values = await self._graph.ainvoke(payload, config)
        result = self.workflow.result(values if isinstance(values, Mapping) else {})
        return AgentOutput(text=_text_of(result), data=result)


def _problem(exc: Exception) -> str:
    return exc.detail if isinstance(exc, InvalidInput) else str(exc)


def _text_of(result: Any) -> str:
    if isinstance(result, str):
        return result
    if isinstance(result, Mapping):
        for key in ("story", "answer", "text", "summary", "result"):
            if isinstance(result.get(key), str):
                return str(result[key])
        strings = [v for v in result.values() if isinstance(v, str)]
        if len(result) == 1 and strings:
            return strings[0]
    return json.dumps(result, default=str)

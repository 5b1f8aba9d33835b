"""The workflow registry: register a workflow once and every door offers it.

A `Workflow` names a builder that returns an *uncompiled* `StateGraph`; the service compiles
it with its own checkpointer and `graphs/` compiles it without one for Studio.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langgraph.graph import StateGraph
from pydantic import BaseModel, ValidationError

from pausepoint.errors import InvalidInput, WorkflowNotFound


@dataclass(frozen=True, slots=True)
class BuildContext:
    """What a builder may use: the configured chat model (None means offline agents)."""

    chat_model: BaseChatModel | None = None


Builder = Callable[[BuildContext], StateGraph[Any, Any, Any, Any]]


@dataclass(frozen=True, slots=True)
class Workflow:
    name: str
    description: str
    build: Builder
    input_model: type[BaseModel]
    result: Callable[[Mapping[str, Any]], Any]
    state_types: tuple[type, ...] = ()
    tags: tuple[str, ...] = ()
    examples: tuple[str, ...] = field(default=())

    def parse_input(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Validate the input against `input_model`; InvalidInput names each bad field."""
        try:
            return self.input_model.model_validate(raw).model_dump(mode="json")
        except ValidationError as exc:
            fields = [
                {"loc": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                for e in exc.errors()
            ]
            raise InvalidInput(f"invalid input for workflow {self.name!r}", fields=fields) from exc

    def input_schema(self) -> dict[str, Any]:
        return self.input_model.model_json_schema()


class WorkflowRegistry:
    def __init__(self, workflows: Mapping[str, Workflow] | None = None) -> None:
        self._workflows: dict[str, Workflow] = dict(workflows or {})

    def register(self, workflow: Workflow) -> Workflow:
        self._workflows[workflow.name] = workflow
        return workflow

    def get(self, name: str) -> Workflow:
        try:
            return self._workflows[name]
        except KeyError:
            known = ", ".join(sorted(self._workflows)) or "none"
            raise WorkflowNotFound(f"no workflow named {name!r} (known: {known})") from None

    def __iter__(self) -> Iterator[Workflow]:
        return iter(sorted(self._workflows.values(), key=lambda w: w.name))

    def __contains__(self, name: object) -> bool:
        return name in self._workflows


def bundled() -> WorkflowRegistry:
    """The workflows that ship with Pausepoint."""
    from pausepoint.workflows.story import STORY

    return WorkflowRegistry({w.name: w for w in (STORY,)})

"""The workflow registry: register a workflow once and every door offers it.

A `Workflow` names a builder that returns an *uncompiled* `StateGraph`; the service compiles
it with its own checkpointer and `graphs/` compiles it without one for Studio. A workflow
built on the functional API instead gives `compile(ctx, checkpointer)`, which returns the
runnable `entrypoint`; `runnable()` picks whichever the workflow has.

A graph Pausepoint did not write (a team's langgraph.json, workflows/project/) fits the same
shape: `compile` recompiles the team's graph with the checkpointer it is given, and its input is
the graph's input JSON Schema (`input_json_schema`) instead of a pydantic model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from langchain_core.language_models import BaseChatModel
from langgraph.checkpoint.base import BaseCheckpointSaver, CheckpointTuple
from langgraph.graph import StateGraph
from langgraph.pregel import Pregel
from langgraph.types import StateSnapshot
from pydantic import BaseModel, ValidationError

from pausepoint.errors import InvalidInput, WorkflowNotFound
from pausepoint.forms import json_problems, summary, validate_answer
from pausepoint.settings import Settings

if TYPE_CHECKING:
    from pausepoint.domain import Decision, Pause, ThreadView


@dataclass(frozen=True, slots=True)
class BuildContext:
    """What a builder may use: the configured chat model (None means offline agents)."""

    chat_model: BaseChatModel | None = None
    settings: Settings | None = None


Builder = Callable[[BuildContext], StateGraph[Any, Any, Any, Any]]
Compiler = Callable[[BuildContext, BaseCheckpointSaver[Any] | None], Pregel[Any, Any, Any, Any]]
#: Extra values a view shows (e.g. per-step states), read from the snapshot and saved writes.
Inspector = Callable[[StateSnapshot, CheckpointTuple | None], Mapping[str, Any]]


class StateFileCodec(Protocol):
    """How a workflow's thread becomes an editable state file, and an edit becomes answers."""

    def export(
        self, view: ThreadView, values: Mapping[str, Any], decisions: list[Decision]
    ) -> dict[str, Any]: ...

    def plan_import(
        self, current: Mapping[str, Any], edited: Any, pauses: Mapping[str, Pause]
    ) -> list[tuple[str, Any]]:
        """(interrupt id, resume value) pairs the edit amounts to; InvalidInput if refused."""
        ...


@dataclass(frozen=True, slots=True)
class Workflow:
    name: str
    description: str
    build: Builder
    input_model: type[BaseModel]
    #: The thread's result from its final state (a mapping, or an entrypoint's return value).
    result: Callable[[Any], Any]
    state_types: tuple[type, ...] = ()
    tags: tuple[str, ...] = ()
    examples: tuple[str, ...] = field(default=())
    compile: Compiler | None = None
    inspect: Inspector | None = None
    state_file: StateFileCodec | None = None
    #: The input as a JSON Schema, for a workflow whose input is not a pydantic model (a team's
    #: graph): `parse_input` checks against it and `input_schema()` returns it; `input_model`
    #: then only serves a form asking for the input.
    input_json_schema: Mapping[str, Any] | None = None

    def runnable(
        self, ctx: BuildContext, checkpointer: BaseCheckpointSaver[Any] | None
    ) -> Pregel[Any, Any, Any, Any]:
        """The workflow ready to run with `checkpointer` (None for Studio)."""
        if self.compile is not None:
            return self.compile(ctx, checkpointer)
        return self.build(ctx).compile(checkpointer=checkpointer)

    def parse_input(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Validate the input against `input_json_schema`, else `input_model`; InvalidInput
        names each bad field."""
        if self.input_json_schema is not None:
            problems = validate_answer(dict(self.input_json_schema), dict(raw))
        else:
            problems = json_problems(raw)
        if problems:
            raise InvalidInput(
                f"invalid input for workflow {self.name!r}: {summary(problems, 'input')}",
                fields=problems,
            )
        if self.input_json_schema is not None:
            return dict(raw)
        try:
            return self.input_model.model_validate(raw).model_dump(mode="json")
        except ValidationError as exc:
            fields = [
                {"loc": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                for e in exc.errors()
            ]
            raise InvalidInput(f"invalid input for workflow {self.name!r}", fields=fields) from exc

    def input_schema(self) -> dict[str, Any]:
        if self.input_json_schema is not None:
            return dict(self.input_json_schema)
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

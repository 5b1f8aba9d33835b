"""Workflow specs: steps with an agent, an input template, an output key and dependencies.

A spec is plain data (pydantic), written in Python or loaded from YAML/JSON. `check_spec`
rejects, at load time and naming the step, an unknown agent, a dependency on a missing step,
a cycle, and a template variable that no input or earlier step provides.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

from pausepoint.errors import ConfigurationError

_NAME = r"^[A-Za-z_][A-Za-z0-9_-]*$"
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z0-9_]+)*)\s*\}\}")

FieldType = Literal["string", "integer", "number", "boolean", "object", "array", "any"]
_TYPES: dict[str, Any] = {
    "string": str,
    "integer": int,
    "number": float,
    "boolean": bool,
    "object": dict[str, Any],
    "array": list[Any],
    "any": Any,
}


#: Names the result of a run keeps for itself (design-notes/5), beside the steps' outputs.
RESERVED = ("paused", "success", "pause_reason", "steps_executed", "context")


class SpecError(ConfigurationError):
    """A workflow spec that cannot run; the message names the workflow and the step."""

    code, status = "invalid_workflow_spec", 500


class FieldSpec(BaseModel):
    """One field of a workflow input or of a human step's form."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: FieldType = "string"
    description: str = ""
    required: bool = True
    default: Any = None
    enum: tuple[Any, ...] | None = Field(default=None, description="The only values allowed.")
    pattern: str | None = Field(default=None, description="A regular expression to match.")

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {exc}") from exc
        return pattern

    @model_validator(mode="after")
    def _pattern_needs_text(self) -> FieldSpec:
        if self.pattern is not None and self.type != "string":
            raise ValueError(f"a pattern needs type string, not {self.type}")
        return self


class StepSpec(BaseModel):
    """One step: who runs it, what it reads, where its output goes, what it waits for."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=_NAME)
    kind: Literal["agent", "human"] = "agent"
    agent: str | None = Field(default=None, description="The agent that runs an agent step.")
    description: str = ""
    input: str = Field(default="", description="Template; {{ name }} reads inputs and outputs.")
    output: str = Field(default="", description="The context key of the output (default: id).")
    depends_on: tuple[str, ...] = ()
    retries: int = Field(default=0, ge=0, le=10)
    backoff_seconds: float = Field(default=0.5, ge=0, description="Doubles on each retry.")
    on_reject: str | None = Field(
        default=None, description="A step that runs instead of the dependents when rejected."
    )
    form: dict[str, FieldSpec] = Field(
        default_factory=dict, description="A human step's form fields."
    )
    assignee: str | None = None

    @property
    def output_key(self) -> str:
        return self.output or self.id


class WorkflowSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=_NAME)
    description: str = ""
    inputs: dict[str, FieldSpec] = Field(default_factory=dict)
    steps: tuple[StepSpec, ...] = Field(min_length=1)
    result: tuple[str, ...] = Field(
        default=(), description="Context keys the result shows (default: every output)."
    )
    tags: tuple[str, ...] = ()

    def step(self, step_id: str) -> StepSpec:
        return next(s for s in self.steps if s.id == step_id)

    def dependencies(self, step: StepSpec) -> tuple[str, ...]:
        """Declared dependencies plus the step whose rejection triggers this one."""
        triggers = tuple(s.id for s in self.steps if s.on_reject == step.id)
        return tuple(dict.fromkeys((*step.depends_on, *triggers)))

    def reject_trigger(self, step_id: str) -> str | None:
        return next((s.id for s in self.steps if s.on_reject == step_id), None)

    def order(self) -> list[str]:
        """The steps in a fixed topological order (ties keep the spec's order)."""
        done: list[str] = []
        remaining = [s.id for s in self.steps]
        while remaining:
            ready = [
                i for i in remaining if all(d in done for d in self.dependencies(self.step(i)))
            ]
            if not ready:
                raise SpecError(f"workflow {self.name!r}: steps {remaining} form a cycle")
            done.extend(ready)
            remaining = [i for i in remaining if i not in ready]
        return done

    def ancestors(self, step_id: str) -> set[str]:
        seen: set[str] = set()
        stack = list(self.dependencies(self.step(step_id)))
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(self.dependencies(self.step(current)))
        return seen


def template_variables(template: str) -> list[str]:
    return [m.group(1) for m in _VARIABLE.finditer(template)]


def _lookup(context: Mapping[str, Any], name: str, path: str) -> Any:
    value: Any = context[name]
    for part in filter(None, path.split(".")):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def render(template: str, context: Mapping[str, Any]) -> str:
    """Fill `{{ name }}` / `{{ name.field }}`; objects and lists render as JSON."""

    def fill(match: re.Match[str]) -> str:
        value = _lookup(context, match.group(1), match.group(2))
        return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)

    return _VARIABLE.sub(fill, template)


def _find_cycle(spec: WorkflowSpec) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(step_id: str) -> list[str] | None:
        state[step_id] = 1
        path.append(step_id)
        for dep in spec.dependencies(spec.step(step_id)):
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            if dep not in state and (cycle := visit(dep)):
                return cycle
        path.pop()
        state[step_id] = 2
        return None

    for step in spec.steps:
        if step.id not in state and (cycle := visit(step.id)):
            return cycle
    return None


def check_spec(spec: WorkflowSpec, agents: Collection[str]) -> WorkflowSpec:
    """Raise SpecError naming the step if `spec` cannot run with `agents`; else return it."""
    where = f"workflow {spec.name!r}"
    ids = [s.id for s in spec.steps]
    for step in spec.steps:
        if ids.count(step.id) > 1:
            raise SpecError(f"{where}: step {step.id!r} is defined twice")
        if step.kind == "agent" and not step.agent:
            raise SpecError(f"{where}: step {step.id!r} is an agent step without an agent")
        if step.kind == "agent" and step.agent not in agents:
            known = ", ".join(sorted(agents)) or "none"
            raise SpecError(
                f"{where}: step {step.id!r} uses unknown agent {step.agent!r} (known: {known})"
            )
        if step.kind == "human" and not step.form:
            raise SpecError(f"{where}: human step {step.id!r} has no form fields")
        for dep in (*step.depends_on, *filter(None, [step.on_reject])):
            if dep not in ids:
                raise SpecError(f"{where}: step {step.id!r} depends on missing step {dep!r}")
    if cycle := _find_cycle(spec):
        raise SpecError(f"{where}: step {cycle[0]!r} is in a cycle: {' -> '.join(cycle)}")
    outputs = {s.id: s.output_key for s in spec.steps}
    for step in spec.steps:
        available = set(spec.inputs) | {outputs[a] for a in spec.ancestors(step.id)}
        for name in template_variables(step.input):
            if name not in available:
                raise SpecError(
                    f"{where}: step {step.id!r} reads {{{{ {name} }}}}, which no input or "
                    f"earlier step provides (available: {', '.join(sorted(available)) or 'none'})"
                )
    for key in spec.result:
        if key not in set(outputs.values()) | set(spec.inputs):
            raise SpecError(f"{where}: result names {key!r}, which no step outputs")
    for step in spec.steps:
        if step.output_key in RESERVED:
            raise SpecError(
                f"{where}: step {step.id!r} outputs {step.output_key!r}, a name the result "
                f"keeps for itself ({', '.join(RESERVED)}); give it another `output`"
            )
    for key in spec.result:
        if key in RESERVED:
            raise SpecError(f"{where}: result names {key!r}, a name the result keeps for itself")
    for name, f in spec.inputs.items():
        if f.default is not None and f.enum is not None and f.default not in f.enum:
            raise SpecError(f"{where}: input {name!r} defaults to {f.default!r}, not in its enum")
    return spec


def model_of(name: str, fields: Mapping[str, FieldSpec]) -> type[BaseModel]:
    """A pydantic model for a workflow's inputs or a human step's form (its JSON schema says
    each field's type, `enum` and `pattern`, so a bad value is refused naming the field)."""
    definitions: dict[str, Any] = {}
    for field_name, f in fields.items():
        default = ... if f.required and f.default is None else f.default
        kind: Any = Literal[f.enum] if f.enum else _TYPES[f.type]
        definitions[field_name] = (
            kind | None if default is None else kind,
            Field(default=default, description=f.description, pattern=f.pattern),
        )
    model: type[BaseModel] = create_model(name, **definitions)
    return model

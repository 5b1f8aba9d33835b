"""How a new A2A message becomes a workflow and its input.

    data {"workflow": NAME, "input": {...}}    -> NAME with that input (text, if any, fills the
                                                  one required text field the input lacks)
    data {"workflow": NAME} + text             -> NAME, the text as its one required text field
    text only                                  -> the orchestrator, the text as its message

A workflow whose input needs several fields cannot be started from text alone: the refusal
names the fields the input lacks. The workflow validates the input either way.
"""

from __future__ import annotations

from typing import Any

from pausepoint.errors import InvalidInput
from pausepoint.forms import summary
from pausepoint.workflows.registry import Workflow, WorkflowRegistry

#: The workflow a plain-text message starts, when one by this name is registered.
ORCHESTRATOR = "orchestrator"

#: JSON Schema keywords that narrow what a property accepts (without them, text is accepted).
_NARROWING = ("type", "anyOf", "oneOf", "allOf", "$ref", "enum", "const")


def _takes_text(spec: Any) -> bool:
    """Whether a JSON Schema property accepts a string."""
    if not isinstance(spec, dict):
        return False
    if spec.get("type") == "string":
        return True
    if isinstance(spec.get("anyOf"), list):
        return any(_takes_text(branch) for branch in spec["anyOf"])
    return not any(key in spec for key in _NARROWING)


def text_field(workflow: Workflow) -> str | None:
    """The workflow's one required input field that takes text, if it has exactly one."""
    schema = workflow.input_schema()
    properties = schema.get("properties", {})
    required = [n for n in schema.get("required", []) if _takes_text(properties.get(n))]
    return str(required[0]) if len(required) == 1 else None


def fill_from_text(workflow: Workflow, raw: dict[str, Any], text: str) -> dict[str, Any]:
    """`raw` with `text` as the workflow's one required text field, when that is all it lacks.

    An input that lacks nothing is returned unchanged (the text is not needed); one that lacks
    several fields is refused, naming them (InvalidInput, `fields` one per missing field).
    """
    schema = workflow.input_schema()
    missing = [str(n) for n in schema.get("required", []) if n not in raw]
    if not text or not missing:
        return raw
    field = text_field(workflow)
    if field is not None and missing == [field]:
        return {**raw, field: text}
    problems = [{"loc": name, "message": "field required"} for name in missing]
    example = ", ".join(f'"{name}": ...' for name in missing)
    raise InvalidInput(
        f"invalid input for workflow {workflow.name!r}: {summary(problems, 'input')}. "
        f"The text can stand for one required text field only; send a data part "
        f'{{"workflow": "{workflow.name}", "input": {{{example}}}}}',
        fields=problems,
    )


def choose_workflow(
    workflows: WorkflowRegistry, data: dict[str, Any], text: str
) -> tuple[str, dict[str, Any]]:
    """The workflow and input a new message asks for; InvalidInput explains what to send."""
    name = data.get("workflow")
    if isinstance(name, str):
        raw = data.get("input", {k: v for k, v in data.items() if k != "workflow"})
        if not isinstance(raw, dict):
            raise InvalidInput('"input" must be an object')
        if name in workflows:
            raw = fill_from_text(workflows.get(name), raw, text)
        return name, raw
    if text and ORCHESTRATOR in workflows:
        return ORCHESTRATOR, {"message": text}
    known = ", ".join(w.name for w in workflows)
    raise InvalidInput(
        'name a workflow: send a data part {"workflow": NAME, "input": {...}} '
        f"(workflows: {known})"
    )

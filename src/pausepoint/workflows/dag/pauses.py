"""How a DAG step pauses: a form for a human step, an approval bound to a payload digest.

`pause()` is `forms.ask` with one addition: a step completed by an imported state file
(`ThreadService.import_state`) is resumed with `imported(output)`, which the answer schema
a person sees does not offer; the service writes it only after validating the edited file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from langgraph.errors import _mark_invalid_resume
from langgraph.types import interrupt
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from pausepoint.domain import Action, PauseRequest

_IMPORTED = "__pausepoint_state_import__"


class Approve(BaseModel):
    decision: Literal["approve"]
    digest: str = Field(description="The payload_digest of the payload you approve.")
    edited_payload: dict[str, Any] | None = Field(
        default=None, description="The payload as you changed it (approved instead)."
    )


class Reject(BaseModel):
    decision: Literal["reject"]
    reason: str = Field(min_length=1, pattern=r"\S", description="Why it is rejected.")
    digest: str | None = None


ApprovalAnswer = Annotated[Approve | Reject, Field(discriminator="decision")]


@dataclass(frozen=True, slots=True)
class Imported:
    """A step marked completed in an imported state file, with the output given there."""

    output: Any


@dataclass(frozen=True, slots=True)
class ApproveAsIs:
    """A state file marked an approval step completed without its output: the payload is
    approved as it was asked, and the step's agent carries it out (design-notes/5)."""

    digest: str


def imported(output: Any) -> dict[str, Any]:
    """The resume value that completes a paused step with `output` (state-file import)."""
    return {_IMPORTED: {"output": output}}


def approval_schema(payload_schema: dict[str, Any] | None) -> dict[str, Any]:
    """The answer schema of an approval; an edited payload must fit `payload_schema`."""
    schema = TypeAdapter(ApprovalAnswer).json_schema()
    if payload_schema:
        defs = schema.setdefault("$defs", {})
        defs.update(payload_schema.pop("$defs", {}))
        defs["Approve"]["properties"]["edited_payload"] = {
            "anyOf": [payload_schema, {"type": "null"}],
            "default": None,
            "description": "The payload as you changed it (approved instead).",
        }
    return schema


def approval_actions(payload_digest: str) -> list[Action]:
    return [
        Action(label="Approve", answer={"decision": "approve", "digest": payload_digest}),
        Action(
            label="Approve with changes",
            answer={"decision": "approve", "digest": payload_digest},
            fields=["edited_payload"],
        ),
        Action(label="Reject", answer={"decision": "reject"}, fields=["reason"]),
    ]


def pause(request: PauseRequest, model: Any, schema: dict[str, Any] | None = None) -> Any:
    """Pause the running step; return the validated answer (or `Imported`) when resumed.

    Call it before any side effect: on resume the step runs again from its first line.
    """
    adapter: TypeAdapter[Any] = TypeAdapter(model)
    value = request.model_dump(mode="json", exclude_none=True)
    raw = interrupt(value, response_schema=schema or adapter.json_schema())
    if isinstance(raw, dict) and isinstance(raw.get(_IMPORTED), dict):
        return Imported(raw[_IMPORTED].get("output"))
    try:
        return adapter.validate_python(raw)
    except ValidationError as exc:
        _mark_invalid_resume(exc)  # the service reports it as InvalidAnswer; nothing is kept
        raise

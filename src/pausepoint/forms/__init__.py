"""Forms: how a node asks (pydantic model -> JSON Schema) and how an answer is checked.

A node pauses with `ask(PauseRequest(...), AnswerModel)`, a thin layer over LangGraph's
`interrupt(value, response_schema=AnswerModel)`. The checkpoint keeps the JSON Schema, so a
process that never imported the model (another server, the CLI after a restart) validates an
answer with `validate_answer(schema, answer)` before anything is written; a reply in words
becomes an answer with `answer_from_text(pause, text)`.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from langgraph.types import interrupt
from pydantic import TypeAdapter

from pausepoint.domain import PauseRequest
from pausepoint.forms.checks import MAX_ANSWER_DEPTH, json_problems, summary, validate_answer
from pausepoint.forms.text import answer_from_text, fields_from_text

__all__ = [
    "MAX_ANSWER_DEPTH",
    "answer_from_text",
    "ask",
    "fields_from_text",
    "json_problems",
    "schema_of",
    "summary",
    "validate_answer",
]

T = TypeVar("T")


def ask(request: PauseRequest, response_model: type[T] | Any) -> T:
    """Pause the running node with `request`; return the validated answer when resumed.

    Call it first in a node, before any side effect: on resume the node runs again from
    its first line and `ask` returns the answer instead of pausing.
    """
    value = request.model_dump(mode="json", exclude_none=True)
    return cast(T, interrupt(value, response_schema=response_model))


def schema_of(model: Any) -> dict[str, Any]:
    """The JSON Schema LangGraph surfaces for `model` (a pydantic model or any annotated type)."""
    return TypeAdapter(model).json_schema()

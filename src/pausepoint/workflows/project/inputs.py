"""The input of a team's graph: the JSON Schema a start is checked against (and forms show),
and the pydantic model LangGraph reads it with.

`graph.get_input_jsonschema()` first. On Python < 3.12 pydantic refuses a `typing.TypedDict`
(LangGraph's own schema then fails too), and an entrypoint's input annotation is a string under
`from __future__ import annotations`; so, failing that, the graph's input type is read from its
builder or its function and rebuilt with `typing_extensions.TypedDict`. A graph whose input
cannot be told takes any JSON object, with a warning.
"""

from __future__ import annotations

import functools
import json
import logging
import operator
import types
import typing
from typing import Any, Literal, Union, cast, get_args, get_origin

import typing_extensions
from pydantic import BaseModel, ConfigDict, RootModel

from pausepoint.workflows.project.loading import LoadedGraph, entrypoint_function

logger = logging.getLogger(__name__)


class AnyObject(BaseModel):
    """The input of a graph whose input schema cannot be read: any JSON object."""

    model_config = ConfigDict(extra="allow")


def input_of(loaded: LoadedGraph) -> tuple[dict[str, Any], type[BaseModel]]:
    """The graph's input JSON Schema (a root `$ref` inlined, so that its fields are at the
    top, as forms read them) and its pydantic model."""
    try:
        schema = relax_unions(loaded.graph.get_input_jsonschema())
        return inline_root(schema), loaded.graph.get_input_schema()
    except Exception as exc:
        problem = exc
    kind = _input_type(loaded)
    if kind is not None:
        try:
            model = _model_of(kind)
            return inline_root(relax_unions(model.model_json_schema())), model
        except Exception as exc:
            problem = exc
    logger.warning(
        "graph %r (%s): cannot read its input schema (%s); it takes any JSON object",
        loaded.entry.key,
        loaded.entry.spec,
        str(problem).splitlines()[0],
    )
    return {"type": "object"}, AnyObject


def relax_unions(schema: Any) -> Any:
    """`schema` with each `oneOf` that has no discriminator mapping spelled `anyOf`: pydantic
    writes a union told apart by a function (LangChain's `AnyMessage`) as `oneOf`, but takes a
    value that fits several branches (`{"role": "user", "content": ...}`), as `anyOf` does."""
    if isinstance(schema, list):
        return [relax_unions(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: relax_unions(v) for k, v in schema.items()}
    mapping = (
        (schema.get("discriminator") or {}).get("mapping")
        if isinstance(schema.get("discriminator"), dict)
        else None
    )
    if "oneOf" in out and not mapping:
        out["anyOf"] = out.pop("oneOf")
        out.pop("discriminator", None)
    return out


def inline_root(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with a root `{"$ref": "#/$defs/X"}` replaced by X (the other `$defs` kept)."""
    ref, defs = schema.get("$ref"), dict(schema.get("$defs", {}))
    if not isinstance(ref, str) or not ref.startswith("#/$defs/") or "properties" in schema:
        return schema
    target = defs.get(ref.removeprefix("#/$defs/"))
    if not isinstance(target, dict):
        return schema
    if ref not in json.dumps([target, *(d for n, d in defs.items() if d is not target)]):
        defs.pop(ref.removeprefix("#/$defs/"))
    return {**target, "$defs": defs} if defs else dict(target)


def _input_type(loaded: LoadedGraph) -> Any:
    if loaded.builder is not None:
        return loaded.builder.input_schema
    function = entrypoint_function(loaded.graph)
    if function is None:
        return None
    try:
        hints = typing.get_type_hints(function)
    except Exception:
        return None
    first = next(iter(hints.items()), None)
    return first[1] if first is not None and first[0] != "return" else None


def _model_of(kind: Any) -> type[BaseModel]:
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return kind
    return cast(type[BaseModel], RootModel[_compatible(kind)])  # type: ignore[misc]


def _compatible(kind: Any) -> Any:
    """`kind` with every `typing.TypedDict` in it rebuilt as a `typing_extensions` one."""
    if typing_extensions.is_typeddict(kind) and type(kind).__module__ == "typing":
        hints = typing.get_type_hints(kind)
        required = getattr(kind, "__required_keys__", frozenset(hints))
        fields = {
            name: (
                typing_extensions.Required if name in required else typing_extensions.NotRequired
            )[_compatible(hint)]
            for name, hint in hints.items()
        }
        return typing_extensions.TypedDict(kind.__name__, fields)  # type: ignore[operator]
    origin, args = get_origin(kind), get_args(kind)
    if origin is None or origin is Literal or not args:
        return kind
    inner = tuple(_compatible(a) for a in args)
    if inner == args:
        return kind
    if origin is Union or origin is types.UnionType:
        return functools.reduce(operator.or_, inner)
    return origin[inner[0] if len(inner) == 1 else inner]

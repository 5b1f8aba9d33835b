"""The types a graph's checkpoints keep, read from its schemas, and the ones named by hand.

LangGraph stores a pydantic model, a dataclass, an enum or a named tuple under its class and
rebuilds it only when that class is on the serializer's allow-list (persistence/serde.py). The
classes are found by walking the annotations of the graph's state, input, output and context
schemas, of each node's input schema and of each channel's value type (subgraphs included):
through `Annotated`, `Optional`/unions, lists, dicts, tuples and sets, into TypedDicts, models
and dataclasses. A value the annotations do not show (a field typed `Any`, a task's result) is
named in langgraph.json (`"pausepoint": {"serializable_types": ["module:Name"]}`) or in
PAUSEPOINT_SERIALIZABLE_TYPES.
"""

from __future__ import annotations

import dataclasses
import importlib
import typing
from collections.abc import Iterable, Iterator
from enum import Enum
from typing import Annotated, Any, ForwardRef, Literal, get_args, get_origin

from langgraph.graph import StateGraph
from langgraph.pregel import Pregel
from pydantic import BaseModel
from typing_extensions import is_typeddict

from pausepoint.errors import ConfigurationError
from pausepoint.workflows.project.loading import entrypoint_function


def state_types_of(graph: Pregel[Any, Any, Any, Any]) -> tuple[type, ...]:
    """Every class `graph`'s checkpoints may have to rebuild, as far as its schemas tell."""
    roots: list[Any] = []
    for pregel in (graph, *(sub for _, sub in graph.get_subgraphs(recurse=True))):
        roots.extend(_schemas(pregel))
    return types_in(roots)


def _schemas(graph: Any) -> Iterator[Any]:
    """The schemas of a Pregel (a compiled graph or a subgraph of one)."""
    if isinstance(graph, Pregel) and (function := entrypoint_function(graph)) is not None:
        # its channels' types are the function's annotations, strings under
        # `from __future__ import annotations`: read them resolved
        yield from _hints(function).values()
    builder = getattr(graph, "builder", None)
    if isinstance(builder, StateGraph):
        yield builder.state_schema
        yield builder.input_schema
        yield builder.output_schema
        yield builder.context_schema
        for node in builder.nodes.values():
            yield node.input_schema
        for branches in builder.branches.values():
            for branch in branches.values():
                yield branch.input_schema
    for channel in getattr(graph, "channels", {}).values():
        for kind in ("ValueType", "UpdateType"):
            try:
                yield getattr(channel, kind, None)
            except Exception:  # a channel whose type cannot be told: it names no class
                continue


def types_in(annotations: Iterable[Any]) -> tuple[type, ...]:
    """The models, dataclasses, enums and named tuples `annotations` mention, nested included,
    each once, in the order found."""
    found: dict[type, None] = {}
    seen: set[int] = set()
    stack = list(annotations)[::-1]
    while stack:
        item = stack.pop()
        if item is None or item is Any or isinstance(item, str | ForwardRef) or id(item) in seen:
            continue
        seen.add(id(item))
        stack.extend(reversed(_inner(item, found)))
    return tuple(found)


def _inner(item: Any, found: dict[type, None]) -> list[Any]:
    """The annotations inside `item`, recording `item` in `found` if it is a class to allow."""
    origin = get_origin(item)
    if origin is Literal:
        return []
    if origin is Annotated:
        return [get_args(item)[0]]
    if origin is not None:  # unions, Optional, list[...], dict[...], Required[...], ...
        return [a for a in get_args(item) if a is not Ellipsis]
    if hasattr(item, "__supertype__"):  # NewType
        return [item.__supertype__]
    if not isinstance(item, type):
        return []
    if is_typeddict(item):
        return list(_hints(item).values())
    if issubclass(item, BaseModel):
        if item is not BaseModel:
            found[item] = None
        return [f.annotation for f in item.model_fields.values()]
    if dataclasses.is_dataclass(item) or (issubclass(item, tuple) and hasattr(item, "_fields")):
        found[item] = None
        return list(_hints(item).values())
    if issubclass(item, Enum):
        found[item] = None
    return []


def _hints(owner: Any) -> dict[str, Any]:
    """The resolved annotations of a class or a function (those that resolve)."""
    try:
        return typing.get_type_hints(owner, include_extras=True)
    except Exception:  # an annotation that does not resolve (a forward reference): skip it
        found = getattr(owner, "__annotations__", {})
        return {k: v for k, v in found.items() if not isinstance(v, str)}


def resolve_types(names: Iterable[str], source: str) -> tuple[type, ...]:
    """Import each "module:Name" of `names`; ConfigurationError names the bad one and
    `source` (where it was written)."""
    types: list[type] = []
    for name in names:
        module_name, colon, attr = name.partition(":")
        if not colon or not module_name or not attr.isidentifier():
            raise ConfigurationError(
                f'{source}: serializable type {name!r} is not "module:Name" '
                '(e.g. "my_app.models:Receipt")'
            )
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:
            raise ConfigurationError(
                f"{source}: serializable type {name!r}: cannot import {module_name}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        value = getattr(module, attr, None)
        if not isinstance(value, type):
            what = "no such name" if value is None else f"a {type(value).__name__}, not a class"
            raise ConfigurationError(f"{source}: serializable type {name!r}: {what}")
        types.append(value)
    return tuple(types)

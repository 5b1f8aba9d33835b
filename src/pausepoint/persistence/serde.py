"""The checkpoint serializer with an explicit allow-list of the types graphs keep.

LangGraph rebuilds a stored pydantic model, dataclass, enum or named tuple only when its type is
on the allow-list (`LANGGRAPH_STRICT_MSGPACK=true`, or an explicit list as here); any other comes
back as its plain fields with no more than a log line, and the node that reads it breaks later,
or worse, goes on with a dict. So the serializer made here refuses such a value when it is
*written*: the run that put it into state fails with `UnregisteredType`, naming the type and where
to allow it, before a checkpoint that could not be restored exists.

The allow-list is the core types, the types the workflows name (`Workflow.state_types`) and the
ones LangGraph itself adds per graph from the graph's schemas under strict msgpack.
"""

from __future__ import annotations

import dataclasses
import re
from collections import deque
from collections.abc import Iterable
from enum import Enum
from typing import Any, Literal

import ormsgpack
from langgraph.checkpoint.serde import _msgpack as lg_msgpack
from langgraph.checkpoint.serde.jsonplus import (
    EXT_CONSTRUCTOR_KW_ARGS,
    EXT_CONSTRUCTOR_SINGLE_ARG,
    EXT_DELTA_SNAPSHOT,
    JsonPlusSerializer,
    _msgpack_default,
    _option,
)
from langgraph.checkpoint.serde.types import _DeltaSnapshot

from pausepoint.domain import Action, Decision, OnTimeout, Pause, PauseRequest

__all__ = ["CORE_TYPES", "AllowListSerializer", "UnregisteredType", "make_serializer"]

#: Types every graph may keep in state, whatever the workflow.
CORE_TYPES: tuple[type, ...] = (Action, OnTimeout, PauseRequest, Pause, Decision)

#: LangGraph stores every value msgpack cannot hold natively under its class's (module, name)
#: and rebuilds it on load only when allowed, except numpy arrays, regexes (as `re.compile`)
#: and exceptions (as their repr).
_NOT_BY_CLASS = frozenset({("numpy", "ndarray")})

Allowed = set[tuple[str, ...]] | Literal[True] | None


class UnregisteredType(TypeError):
    """A value of a type the checkpoint could not rebuild was about to be saved."""

    def __init__(self, module: str, name: str) -> None:
        super().__init__(
            f"{module}.{name} is not on the checkpoint allow-list: after a restart it would "
            "come back as a plain dict, so it was not saved. Allow it in the workflow's "
            "state_types, in langgraph.json "
            f'("pausepoint": {{"serializable_types": ["{module}:{name}"]}}) '
            "or in PAUSEPOINT_SERIALIZABLE_TYPES."
        )
        self.module, self.name = module, name


class _Encoder:
    """LangGraph's msgpack encoding, checking each rebuilt-by-class value against `allowed`.

    LangGraph encodes the fields of a dataclass, a named tuple and the items of a set with an
    unchecked encoder of its own; those are encoded here (in LangGraph's layout, which its
    decoder reads) so that a value nested in them is checked too. A pydantic model is dumped to
    plain fields, which the model validates again when it is rebuilt.
    """

    __slots__ = ("allowed", "refused")

    def __init__(self, allowed: Allowed) -> None:
        self.allowed = allowed
        self.refused: tuple[str, str] | None = None

    def encode(self, obj: Any) -> bytes:
        return ormsgpack.packb(obj, default=self.default, option=_option)

    def check(self, module: str, name: str) -> None:
        key = (module, name)
        if self.allowed is True or key in lg_msgpack.SAFE_MSGPACK_TYPES:
            return
        if self.allowed is not None and key in self.allowed:
            return
        self.refused = key
        raise UnregisteredType(module, name)

    def default(self, obj: Any) -> Any:
        if isinstance(obj, _DeltaSnapshot):
            return ormsgpack.Ext(EXT_DELTA_SNAPSHOT, self.encode(obj.value))
        cls = type(obj)
        module, name = cls.__module__, cls.__name__
        plain = not any(hasattr(obj, a) for a in ("model_dump", "get_secret_value", "dict"))
        if plain and hasattr(obj, "_asdict"):  # a named tuple
            self.check(module, name)
            payload = self.encode((module, name, obj._asdict()))
            return ormsgpack.Ext(EXT_CONSTRUCTOR_KW_ARGS, payload)
        if isinstance(obj, set | frozenset | deque):
            self.check(module, name)
            payload = self.encode((module, name, tuple(obj)))
            return ormsgpack.Ext(EXT_CONSTRUCTOR_SINGLE_ARG, payload)
        if plain and dataclasses.is_dataclass(obj) and not isinstance(obj, type | Enum):
            self.check(module, name)
            fields = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
            return ormsgpack.Ext(EXT_CONSTRUCTOR_KW_ARGS, self.encode((module, name, fields)))
        ext = _msgpack_default(obj)  # raises TypeError for what msgpack cannot hold at all
        if not isinstance(obj, re.Pattern | BaseException) and (module, name) not in _NOT_BY_CLASS:
            self.check(module, name)
        return ext


class AllowListSerializer(JsonPlusSerializer):
    """JsonPlusSerializer that refuses to write what its allow-list would not rebuild."""

    def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
        if obj is None or isinstance(obj, bytes | bytearray):
            return super().dumps_typed(obj)
        encoder = _Encoder(self._allowed_msgpack_modules)
        try:
            return "msgpack", encoder.encode(obj)
        except ormsgpack.MsgpackEncodeError:
            if encoder.refused is not None:
                raise UnregisteredType(*encoder.refused) from None
            raise


def make_serializer(types: Iterable[type]) -> JsonPlusSerializer:
    """A serializer that rebuilds exactly `types` (plus the core types and LangGraph's own),
    and refuses to save a value of any other type it would have to rebuild."""
    allowed = sorted(
        {(t.__module__, t.__name__) for t in (*CORE_TYPES, *types)},
    )
    return AllowListSerializer(allowed_msgpack_modules=allowed)

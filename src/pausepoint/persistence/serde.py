"""The checkpoint serializer with an explicit allow-list of the pydantic types graphs keep.

With `LANGGRAPH_STRICT_MSGPACK=true` LangGraph refuses to rebuild any type that is not on the
list; without it, it rebuilds them and warns. Naming every type here keeps both modes quiet.
"""

from __future__ import annotations

from collections.abc import Iterable

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from pausepoint.domain import Action, Decision, OnTimeout, Pause, PauseRequest

#: Types every graph may keep in state, whatever the workflow.
CORE_TYPES: tuple[type, ...] = (Action, OnTimeout, PauseRequest, Pause, Decision)


def make_serializer(types: Iterable[type]) -> JsonPlusSerializer:
    """A serializer that rebuilds exactly `types` (plus the core types and LangGraph's own)."""
    allowed = sorted(
        {(t.__module__, t.__name__) for t in (*CORE_TYPES, *types)},
    )
    return JsonPlusSerializer(allowed_msgpack_modules=allowed)

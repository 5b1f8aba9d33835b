"""A workflow's graph as the LangGraph API describes it: its drawing and its JSON Schemas
(langgraph-api's `/graph`, `/schemas` and `/subgraphs`)."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from typing import Any

from langgraph.pregel import Pregel
from pydantic import BaseModel, TypeAdapter, create_model

logger = logging.getLogger(__name__)

Graph = Pregel[Any, Any, Any, Any]

#: Configurable keys LangGraph sets itself: not part of a graph's config schema.
_RESERVED_CONFIG = ("thread_id", "checkpoint_id", "checkpoint_ns", "checkpoint_map")


def drawing(graph: Graph, xray: bool | int) -> dict[str, Any]:
    """The drawable graph, as langgraph-api returns it (node data without its `id`)."""
    drawn: dict[str, Any] = graph.get_graph(xray=xray).to_json()
    for node in drawn.get("nodes", []):
        data = node.get("data")
        if isinstance(data, dict):
            data.pop("id", None)
    return drawn


def _state_schema(graph: Graph) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key in graph.stream_channels_list:
        update = getattr(graph.channels[key], "UpdateType", Any)
        try:
            TypeAdapter(update).json_schema()
            fields[key] = (update, None)
        except Exception:
            fields[key] = (Any, None)
    model: type[BaseModel] = create_model(graph.get_name("State"), **fields)
    return model.model_json_schema()


def _config_schema(graph: Graph) -> dict[str, Any]:
    """Only the `configurable` part of the config schema, as langgraph-api shows it."""
    with warnings.catch_warnings():  # deprecated in LangGraph 1.0; langgraph-api still reads it
        warnings.simplefilter("ignore", DeprecationWarning)
        config = graph.config_schema()
    model_fields = getattr(config, "model_fields", None) or {}
    if "configurable" not in model_fields:
        return {}
    annotation: Any = model_fields["configurable"].annotation
    schema: dict[str, Any] = TypeAdapter(annotation).json_schema()
    for key in _RESERVED_CONFIG:
        schema.get("properties", {}).pop(key, None)
    return schema


def _or_none(name: str, graph: Graph, read: Callable[[], Any]) -> Any:
    try:
        return read()
    except Exception as exc:  # a schema a graph cannot give is left out, as langgraph-api does
        logger.warning("no %s schema for graph %s: %s", name, graph.name, exc)
        return None


def schemas(graph: Graph) -> dict[str, Any]:
    """The graph's input, output, state, config and context schemas (JSON Schema)."""
    return {
        "input_schema": _or_none("input", graph, graph.get_input_jsonschema),
        "output_schema": _or_none("output", graph, graph.get_output_jsonschema),
        "state_schema": _or_none("state", graph, lambda: _state_schema(graph)),
        "config_schema": _or_none("config", graph, lambda: _config_schema(graph)),
        "context_schema": _or_none("context", graph, graph.get_context_jsonschema),
    }


def subgraphs(graph: Graph, namespace: str | None, recurse: bool) -> dict[str, Any]:
    """The schemas of the graph's subgraphs, by namespace."""
    found = graph.get_subgraphs(namespace=namespace, recurse=recurse)
    return {ns: schemas(sub) for ns, sub in found if isinstance(sub, Pregel)}

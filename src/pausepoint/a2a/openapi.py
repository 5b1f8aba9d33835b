"""The A2A door's part of /openapi.json, completed.

a2a-sdk's `add_a2a_routes_to_fastapi` documents the door's request bodies only: no path
parameters, any JSON for 200 and no error responses. `document_a2a(app)` adds what the door
really answers, so a client (or a fuzzer) can hold the server to its schema:

* REST (`/a2a/rest/...`): 200 `application/a2a+json` (`text/event-stream` for `:stream` and
  `:subscribe`); 400 and 404 as the binding's error body (`A2AError`); 401 and 413 as ours.
* JSON-RPC (`/a2a`): 200 a JSON-RPC response (errors too) or an event stream; 401 and 413.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from pausepoint.a2a.card import JSONRPC_PATH, REST_PATH

_REF = "#/components/schemas/"
_OURS = {"content": {"application/json": {"schema": {"$ref": f"{_REF}ErrorBody"}}}}

#: The REST binding's error body: a google.rpc.Status under "error".
A2A_ERROR: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "status", "message"],
            "properties": {
                "code": {"type": "integer"},
                "status": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "array", "items": {"type": "object"}},
            },
        }
    },
}

JSONRPC_RESPONSE: dict[str, Any] = {
    "type": "object",
    "required": ["jsonrpc", "id"],
    "properties": {
        "jsonrpc": {"const": "2.0"},
        "id": {"type": ["string", "integer", "null"]},
        "result": {},
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "integer"}, "message": {"type": "string"}, "data": {}},
        },
    },
}

_STREAM: dict[str, Any] = {"text/event-stream": {}}  # its events: the A2A spec


def _responses(ok: dict[str, Any], *, a2a_errors: bool) -> dict[str, Any]:
    theirs = {"content": {"application/json": {"schema": {"$ref": f"{_REF}A2AError"}}}}
    responses: dict[str, Any] = {"200": {"description": "Success", "content": ok}}
    if a2a_errors:
        responses["400"] = {"description": "Invalid request or unsupported operation", **theirs}
        responses["404"] = {"description": "No such task", **theirs}
    responses["401"] = {"description": "Missing or unknown API key", **_OURS}
    responses["413"] = {"description": "Request body too large", **_OURS}
    return responses


def _path_parameters(path: str, operation: dict[str, Any]) -> None:
    parameters: list[dict[str, Any]] = operation.setdefault("parameters", [])
    named = {(p.get("in"), p.get("name")) for p in parameters}
    for name in re.findall(r"{(\w+)}", path):
        if ("path", name) not in named:
            parameters.append(
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            )


def _complete(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["A2AError"] = A2A_ERROR
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            if path.startswith(REST_PATH + "/"):
                _path_parameters(path, operation)
                streams = path.endswith((":stream", ":subscribe"))
                ok = (
                    _STREAM if streams else {"application/a2a+json": {"schema": {"type": "object"}}}
                )
                operation["responses"] = _responses(ok, a2a_errors=True)
            elif path == JSONRPC_PATH:
                ok = {"application/json": {"schema": JSONRPC_RESPONSE}, **_STREAM}
                operation["responses"] = _responses(ok, a2a_errors=False)


def document_a2a(app: FastAPI) -> None:
    """Complete the A2A operations in `app.openapi()` (whenever they are mounted)."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        _complete(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

"""`GET /ok` and `GET /info`, as langgraph-api answers them."""

from __future__ import annotations

from typing import Any

import langgraph.version
from fastapi import APIRouter

router = APIRouter(tags=["LangGraph API"])

#: The server's version as /info reports it (Pausepoint's, in langgraph-api's field).
VERSION = "0.1.0"


@router.get("/ok")
async def ok() -> dict[str, bool]:
    """Health check (open to anyone, as in langgraph-api)."""
    return {"ok": True}


@router.get("/info")
async def info() -> dict[str, Any]:
    """What this server is and which parts of the API it supports (open, as `/ok`: Studio
    asks before it has a key)."""
    return {
        "version": VERSION,
        "langgraph_py_version": langgraph.version.__version__,
        "flags": {"assistants": True, "crons": False, "langsmith": False},
        "host": {
            "kind": "pausepoint",
            "project_id": None,
            "host_revision_id": None,
            "revision_id": None,
            "tenant_id": None,
        },
    }

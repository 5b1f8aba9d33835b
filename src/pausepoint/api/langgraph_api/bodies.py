"""Request bodies of the LangGraph API (openapi.json of langgraph-api); fields this server
does not use (`select`, `extract`, `ttl`...) are accepted and ignored, as extra keys are."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

SortOrder = Literal["asc", "desc"]
ApiStatus = Literal["idle", "busy", "interrupted", "error"]


class AssistantCount(BaseModel):
    metadata: dict[str, Any] | None = None
    graph_id: str | None = None
    name: str | None = None


class AssistantSearch(AssistantCount):
    limit: int = Field(default=10, ge=1, le=1000)
    offset: int = Field(default=0, ge=0)
    sort_by: Literal["assistant_id", "created_at", "updated_at", "name", "graph_id"] | None = None
    sort_order: SortOrder | None = None


class ThreadCreate(BaseModel):
    thread_id: str | None = None
    metadata: dict[str, Any] | None = None
    if_exists: Literal["raise", "do_nothing"] = "raise"


class ThreadCount(BaseModel):
    metadata: dict[str, Any] | None = None
    values: dict[str, Any] | None = None
    status: ApiStatus | None = None


class ThreadSearch(ThreadCount):
    ids: list[str] | None = None
    limit: int = Field(default=10, ge=1, le=1000)
    offset: int = Field(default=0, ge=0)
    sort_by: (
        Literal["thread_id", "status", "created_at", "updated_at", "state_updated_at"] | None
    ) = None
    sort_order: SortOrder | None = None


class HistorySearch(BaseModel):
    limit: int = Field(default=1, ge=1, le=1000)
    before: str | dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    checkpoint: dict[str, Any] | None = None


class StateUpdate(BaseModel):
    values: Any = None
    as_node: str | None = None
    checkpoint: dict[str, Any] | None = None
    checkpoint_id: str | None = None


class ThreadPatch(BaseModel):
    metadata: dict[str, Any] | None = None

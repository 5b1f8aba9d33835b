"""The bodies of the LangGraph API's run requests (`RunCreateStateful` and its kin in
langgraph-api's openapi.json). Fields this server does not act on (`webhook`, `feedback_keys`,
`after_seconds`, `stream_resumable`...) are accepted and ignored, as extra keys are."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

#: The stream modes of the API (`messages-tuple` is LangGraph's `messages`).
ApiStreamMode = Literal[
    "values",
    "updates",
    "messages",
    "messages-tuple",
    "custom",
    "events",
    "debug",
    "checkpoints",
    "tasks",
]


class RunCommand(BaseModel):
    """`command`: `resume` answers the pending interrupt(s); `update`/`goto` edit the state."""

    resume: Any = None
    update: Any = None
    goto: Any = None

    @property
    def resumes(self) -> bool:
        """Whether `resume` was given (`null` is a resume value too)."""
        return "resume" in self.model_fields_set


class RunCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    assistant_id: str
    input: Any = None
    command: RunCommand | None = None
    config: dict[str, Any] | None = None
    context: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    stream_mode: ApiStreamMode | list[ApiStreamMode] = "values"
    stream_subgraphs: bool = False
    interrupt_before: Literal["*"] | list[str] | None = None
    interrupt_after: Literal["*"] | list[str] | None = None
    multitask_strategy: Literal["reject", "rollback", "interrupt", "enqueue"] = "enqueue"
    if_not_exists: Literal["create", "reject"] = "reject"
    on_disconnect: Literal["cancel", "continue"] = "continue"
    on_completion: Literal["delete", "keep"] | None = None
    checkpoint_id: str | None = None
    checkpoint: dict[str, Any] | None = None
    durability: Literal["sync", "async", "exit"] | None = None

    @property
    def modes(self) -> list[str]:
        """The stream modes asked for, each once, in the order given."""
        modes = [self.stream_mode] if isinstance(self.stream_mode, str) else self.stream_mode
        return list(dict.fromkeys(modes))


class RunList(BaseModel):
    limit: int = Field(default=10, ge=1, le=1000)
    offset: int = Field(default=0, ge=0)
    status: Literal["pending", "running", "error", "success", "timeout", "interrupted"] | None = (
        None
    )

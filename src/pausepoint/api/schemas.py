"""Request and response bodies of the JSON API (what OpenAPI documents, with examples)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pausepoint.agents.cards import AgentCard
from pausepoint.domain import Decision, InboxItem, Pause, Progress, ThreadSummary


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": list(examples)})


class ErrorBody(BaseModel):
    model_config = _examples(
        {
            "error": "invalid_answer",
            "detail": "invalid answer to 'Review the draft': comments: must not be empty",
            "fields": [{"loc": "comments", "message": "must not be empty"}],
        }
    )

    error: str
    detail: str
    fields: list[dict[str, Any]] = Field(default_factory=list)


class Me(BaseModel):
    model_config = _examples({"user": "ann", "open": False})

    user: str = Field(description="The user your key belongs to (`local` on an open server).")
    open: bool = Field(description="The server has no keys: every caller is the local user.")


class StartThread(BaseModel):
    model_config = _examples({"workflow": "story", "input": {"prompt": "a lighthouse keeper"}})

    workflow: str = Field(description="A workflow name from GET /api/workflows.")
    input: dict[str, Any] = Field(default_factory=dict, description="The workflow's input.")
    thread_id: str | None = Field(default=None, description="Choose the id (default: random).")


class AnswerRequest(BaseModel):
    """One answer (`answer`, with `interrupt_id` when several pauses wait) or many (`answers`)."""

    model_config = _examples(
        {"answer": {"decision": "update", "comments": "make it funnier"}},
        {"interrupt_id": "9f1c…", "answer": {"decision": "accept"}},
        {"answers": {"9f1c…": {"decision": "accept"}}},
    )

    interrupt_id: str | None = None
    answer: Any = None
    answers: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> AnswerRequest:
        given = "answer" in self.model_fields_set
        if given == (self.answers is not None):
            raise ValueError("give either `answer` or `answers`")
        if self.answers is not None and self.interrupt_id is not None:
            raise ValueError("`interrupt_id` goes with `answer`; `answers` are keyed by it")
        return self


class ThreadList(BaseModel):
    threads: list[ThreadSummary]


class Inbox(BaseModel):
    inbox: list[InboxItem]
    limit: int
    offset: int


class DecisionList(BaseModel):
    decisions: list[Decision]


class WorkflowInfo(BaseModel):
    model_config = _examples(
        {
            "name": "story",
            "description": "A writer drafts a story; a person reviews it until they accept.",
            "input_schema": {"properties": {"prompt": {"type": "string"}}},
            "tags": ["story"],
            "examples": ["write a short story about a lighthouse keeper"],
        }
    )

    name: str
    description: str
    input_schema: dict[str, Any]
    tags: list[str]
    examples: list[str]


class WorkflowList(BaseModel):
    workflows: list[WorkflowInfo]


class AgentList(BaseModel):
    agents: list[AgentCard]


# chat (design-notes/4)

ChatStatus = Literal["completed", "pending_user_input", "error", "running"]


class ChatRequest(BaseModel):
    model_config = _examples({"prompt": "I need help with data analysis", "max_results": 5})

    prompt: str = Field(min_length=1)
    thread_id: str | None = Field(
        default=None, description="A new conversation's id, or a waiting one's to answer it."
    )
    max_results: int | None = Field(
        default=None, ge=1, le=50, description="At most this many candidate agents per task."
    )


class ChatContinue(BaseModel):
    model_config = _examples({"thread_id": "uuid-123", "response": "sales data"})

    thread_id: str
    response: str = Field(description="Plain text; mapped onto the pause's answer form.")


class ChatResponse(BaseModel):
    model_config = _examples(
        {
            "thread_id": "uuid-123",
            "status": "pending_user_input",
            "question_for_user": "What type of data are you analyzing?",
            "requires_user_input": True,
            "final_response": None,
            "task_agent_pairs": [],
            "error_message": None,
            "pauses": [],
        }
    )

    thread_id: str
    status: ChatStatus
    question_for_user: str | None = None
    requires_user_input: bool = False
    final_response: str | None = None
    task_agent_pairs: list[Any] = Field(default_factory=list)
    error_message: str | None = None
    pauses: list[Pause] = Field(default_factory=list)
    progress: Progress | None = Field(
        default=None, description="While running: the node and what it last reported."
    )


# compatibility (design-notes/1 and 3)


class HumanInput(BaseModel):
    model_config = _examples({"task_id": "uuid-123", "user_input": "approve"})

    task_id: str
    user_input: str | dict[str, Any]


class OrchestratorStatus(BaseModel):
    model_config = _examples(
        {
            "task_id": "uuid-123",
            "status": "WAITING_FOR_HUMAN_INPUT",
            "prompt": "Review the draft",
            "pauses": [],
            "result": None,
            "error": None,
        }
    )

    task_id: str
    status: str
    message: str = Field(
        default="",
        description='The status in words: "Running validation…", "Waiting for your review: '
        '…", "Completed".',
    )
    prompt: str | None = None
    pauses: list[Pause] = Field(default_factory=list)
    progress: Progress | None = None
    result: Any = None
    error: str | None = None


class ProcessRequest(BaseModel):
    model_config = _examples({"workflow": "story", "input": "a lighthouse keeper"})

    workflow: str
    input: dict[str, Any] | str = Field(description='The input, or text meaning {"prompt": text}.')


class WorkflowResume(BaseModel):
    model_config = _examples(
        {"execution_id": "uuid-123", "data": {"decision": "update", "comments": "funnier"}}
    )

    execution_id: str
    data: dict[str, Any] | str
    interrupt_id: str | None = None


class ProcessResponse(BaseModel):
    model_config = _examples(
        {
            "paused": True,
            "execution_id": "uuid-123",
            "form": {"title": "Review the draft", "fields": []},
            "response": None,
        }
    )

    paused: bool
    execution_id: str
    status: str
    form: dict[str, Any] | None = None
    response: Any = None
    error: str | None = None

"""The domain errors. Each class carries a stable code and the HTTP status a door maps it to.

The service raises these; only the doors (HTTP, CLI, A2A) turn them into status codes,
exit codes or task states.
"""

from __future__ import annotations

from typing import Any, ClassVar


class PausepointError(Exception):
    """Base of every error Pausepoint raises on purpose."""

    code: ClassVar[str] = "error"
    status: ClassVar[int] = 500

    def __init__(self, detail: str, *, fields: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.fields = fields or []

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "detail": self.detail}
        if self.fields:
            body["fields"] = self.fields
        return body


class NotFound(PausepointError):
    code, status = "not_found", 404


class ThreadNotFound(NotFound):
    code, status = "thread_not_found", 404


class WorkflowNotFound(NotFound):
    code, status = "workflow_not_found", 404


class Conflict(PausepointError):
    """The request does not fit the thread's current state (stale, answered, finished);
    `pauses`: the ids of the pauses an answer it refuses went to, when known."""

    code, status = "conflict", 409

    def __init__(self, detail: str, *, pauses: tuple[str, ...] = ()) -> None:
        super().__init__(detail)
        self.pauses = pauses


class NothingToAnswer(Conflict):
    code, status = "nothing_to_answer", 409


class AlreadyAnswered(Conflict):
    code, status = "already_answered", 409


class InvalidAnswer(PausepointError):
    """An answer failed its pause's response schema; `fields` names each problem."""

    code, status = "invalid_answer", 422


class InvalidInput(PausepointError):
    """A workflow's input (or a request body) is malformed."""

    code, status = "invalid_input", 422


class Unauthorized(PausepointError):
    code, status = "unauthorized", 401


class Forbidden(PausepointError):
    code, status = "forbidden", 403


class ConfigurationError(PausepointError):
    code, status = "configuration_error", 500


class InvalidRequest(PausepointError):
    """A request body that is not a JSON document (bad UTF-8, bad syntax, NaN, too deep)."""

    code, status = "invalid_request", 422


class UnsupportedMediaType(PausepointError):
    """A request body sent as something other than JSON."""

    code, status = "unsupported_media_type", 415

"""The LangGraph API door's refusals (the app's one handler turns them into responses)."""

from __future__ import annotations

from typing import Any

from pausepoint.api.schemas import ErrorBody
from pausepoint.errors import NotFound, PausepointError

#: The refusals every route of this door may answer, in the app's error format.
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (401, 403, 404, 409, 413, 415, 422)
}


class AssistantNotFound(NotFound):
    code, status = "assistant_not_found", 404


class NotSupported(PausepointError):
    """A part of the LangGraph API this server does not offer."""

    code, status = "not_supported", 501

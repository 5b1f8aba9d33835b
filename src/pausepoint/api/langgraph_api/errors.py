"""The LangGraph API door's refusals (the app's one handler turns them into responses)."""

from __future__ import annotations

from pausepoint.errors import NotFound, PausepointError


class AssistantNotFound(NotFound):
    code, status = "assistant_not_found", 404


class NotSupported(PausepointError):
    """A part of the LangGraph API this server does not offer."""

    code, status = "not_supported", 501

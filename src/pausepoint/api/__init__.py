"""The HTTP door: JSON API, chat API, compatibility routes, WebSocket and SSE push, web page."""

from pausepoint.api.app import create_app

__all__ = ["create_app"]

"""JSON sent as `text/plain` to the LangGraph API, read as JSON.

A browser sends a cross-origin POST without a preflight only when its Content-Type is a
"simple" one, so Studio and some langgraph-sdk paths send their JSON as `text/plain`, as
langgraph-api accepts. For the LangGraph API's paths only (Pausepoint's own doors keep their
415 for a body that is not JSON), `PlainTextJson` turns that Content-Type into
`application/json` before the app sees the request: the body is then parsed as any JSON body,
and what is not JSON gets the app's usual 422.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

#: The LangGraph API's paths that take a body (`/ok` and `/info` take none).
LANGGRAPH_PATHS = ("/assistants", "/threads", "/runs", "/store")


def _is_langgraph(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in LANGGRAPH_PATHS)


def _as_json(value: bytes) -> bytes:
    """`text/plain; charset=utf-8` -> `application/json; charset=utf-8`; others unchanged."""
    media_type, semicolon, parameters = value.partition(b";")
    if media_type.strip().lower() != b"text/plain":
        return value
    return b"application/json" + semicolon + parameters


class PlainTextJson:
    """Rewrites a `text/plain` Content-Type to `application/json` on the LangGraph API's
    paths."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _is_langgraph(scope["path"]):
            headers = [
                (name, _as_json(value) if name.lower() == b"content-type" else value)
                for name, value in scope["headers"]
            ]
            scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)

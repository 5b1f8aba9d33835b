"""JSON request bodies, read strictly before FastAPI sees them.

FastAPI reads a body with `json.loads` (NaN and Infinity pass, deep nesting becomes a bare
"error parsing the body") and treats a body sent as text or a form as a value that fails
validation. `JsonRoute` reads the body first: a non-JSON Content-Type gets 415, and what
`jsontext.parse_json` refuses (bad UTF-8 or syntax, non-finite numbers, nesting deeper than
`jsontext.MAX_DEPTH`) gets 422 `invalid_request` saying which. Nothing reaches the service.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from email.message import Message
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from pausepoint.errors import UnsupportedMediaType
from pausepoint.jsontext import parse_json


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    if content_type == "application/json":  # what nearly every client sends
        return True
    message = Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


class JsonRoute(APIRoute):
    """An API route whose JSON body is read by `parse_json` (see the module docstring)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def read_json_first(request: Request) -> Response:
            try:
                body = await request.body()
            except ClientDisconnect:  # the client left, or BodyLimit has answered 413
                return Response(status_code=400)  # nobody reads this
            if body:
                content_type = request.headers.get("content-type")
                if not _is_json(content_type):
                    sent = f"not {content_type}" if content_type else "none was given"
                    raise UnsupportedMediaType(
                        f"request body must be sent with Content-Type: application/json ({sent})"
                    )
                request._json = parse_json(body)  # Starlette's cache, read by FastAPI
            return await handler(request)

        return read_json_first

"""The LangGraph API door's dependencies: the caller (`x-api-key` or `Authorization: Bearer`),
the service as they may use it, and the checkpoints reader."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Header, Request

from pausepoint.api.auth import Authenticator
from pausepoint.api.deps import Service
from pausepoint.api.langgraph_api.checkpoints import Checkpoints
from pausepoint.service.doors import Door


async def current_user(
    request: Request,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
    x_api_key: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> str:
    """The user behind `x-api-key: KEY` or `Authorization: Bearer KEY` (or `local` when no
    keys are configured)."""
    auth = cast(Authenticator, request.app.state.auth)
    return auth.user(authorization, None, x_api_key)


User = Annotated[str, Depends(current_user)]


async def get_door(service: Service, user: User) -> Door:
    return Door(service, user)


#: The service as the calling user may use it.
Person = Annotated[Door, Depends(get_door)]


async def get_checkpoints(request: Request, service: Service) -> Checkpoints:
    """One reader per app (it keeps the graphs it compiled to draw)."""
    state = request.app.state
    reader = getattr(state, "langgraph_checkpoints", None)
    if not isinstance(reader, Checkpoints):
        reader = state.langgraph_checkpoints = Checkpoints(service)
    return reader


Reader = Annotated[Checkpoints, Depends(get_checkpoints)]

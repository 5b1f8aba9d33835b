"""Dependencies shared by the routes: the service, the calling user, the service as they may use it."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Header, Query, Request
from starlette.requests import HTTPConnection

from pausepoint.api.auth import Authenticator
from pausepoint.service.doors import Door
from pausepoint.service.threads import ThreadService


def service_of(conn: HTTPConnection) -> ThreadService:
    return cast(ThreadService, conn.app.state.service)


async def get_service(request: Request) -> ThreadService:
    return service_of(request)


def authenticate(conn: HTTPConnection, authorization: str | None, token: str | None) -> str:
    auth = cast(Authenticator, conn.app.state.auth)
    return auth.user(authorization, token)


#: The credentials a request may carry: `Authorization: Bearer KEY`, or `?token=KEY`.
Authorization = Annotated[str | None, Header(include_in_schema=False)]
Token = Annotated[
    str | None,
    Query(description="The API key, for clients that cannot send headers (EventSource)."),
]


async def current_user(
    request: Request, authorization: Authorization = None, token: Token = None
) -> str:
    """The user behind `Authorization: Bearer KEY` (or `local` when no keys are configured)."""
    return authenticate(request, authorization, token)


Service = Annotated[ThreadService, Depends(get_service)]
User = Annotated[str, Depends(current_user)]


async def get_door(
    request: Request, authorization: Authorization = None, token: Token = None
) -> Door:
    """The service as the user behind the request may use it (one dependency, not three:
    each costs a request its resolution)."""
    return Door(service_of(request), authenticate(request, authorization, token))


#: The service as the calling user may use it (what they may see and answer).
Person = Annotated[Door, Depends(get_door)]

#: Paging. An offset goes to the database as a SQL integer (SQLite INTEGER, PostgreSQL bigint):
#: a larger one gets 422 here instead of the database's overflow (a 500).
Limit = Annotated[int, Query(ge=1, le=500, description="At most this many.")]
Offset = Annotated[int, Query(ge=0, le=2**63 - 1, description="Skip this many first.")]

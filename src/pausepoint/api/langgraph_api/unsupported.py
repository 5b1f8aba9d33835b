"""The LangGraph API's crons and store, which Pausepoint does not offer: every method
langgraph-api accepts on their paths answers 501 `not_supported`, saying so (after the key
check, as every route of this door)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Depends

from pausepoint.api.langgraph_api.deps import current_user
from pausepoint.api.langgraph_api.errors import NotSupported

router = APIRouter(tags=["LangGraph API"], dependencies=[Depends(current_user)])

_WHY = "{what} not supported by Pausepoint (see README: The LangGraph API, what is not supported)"
CRONS = _WHY.format(what="crons are")
STORE = _WHY.format(what="the store API is")

#: (method, path, detail): the paths and methods of langgraph-api's openapi.json.
ROUTES = (
    ("POST", "/runs/crons", CRONS),
    ("POST", "/runs/crons/search", CRONS),
    ("POST", "/runs/crons/count", CRONS),
    ("GET", "/runs/crons/{cron_id}", CRONS),
    ("PATCH", "/runs/crons/{cron_id}", CRONS),
    ("DELETE", "/runs/crons/{cron_id}", CRONS),
    ("POST", "/threads/{thread_id}/runs/crons", CRONS),
    ("GET", "/store/items", STORE),
    ("PUT", "/store/items", STORE),
    ("DELETE", "/store/items", STORE),
    ("POST", "/store/items/search", STORE),
    ("POST", "/store/namespaces", STORE),
)


def _refuse(detail: str) -> Callable[[], Coroutine[Any, Any, None]]:
    async def not_supported() -> None:
        raise NotSupported(detail)

    return not_supported


for _method, _path, _detail in ROUTES:
    router.add_api_route(
        _path,
        _refuse(_detail),
        methods=[_method],
        name=f"not_supported_{_method.lower()}",
        response_model=None,
        status_code=501,
        response_description=_detail,
    )

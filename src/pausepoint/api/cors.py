"""Browsers' access from other origins: CORS for the configured origins (LangGraph Studio's by
default), Chrome's Private Network Access preflight included.

A page on https://smith.langchain.com that calls http://127.0.0.1 makes Chrome send
`Access-Control-Request-Private-Network: true` on the preflight; the request goes ahead only if
the answer carries `Access-Control-Allow-Private-Network: true` beside the allowed origin.
Starlette's CORSMiddleware answers that itself (`allow_private_network`); without the flag it
refuses such a preflight with 400.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware

from pausepoint.settings import Settings

#: Response headers a page may read: the LangGraph API's paging and the runs' locations.
EXPOSED_HEADERS = ("X-Pagination-Next", "X-Pagination-Total", "Content-Location", "Location")


def install_cors(app: Starlette, settings: Settings) -> None:
    """Let pages from `settings.cors_origins` call every route with any method and header
    (`x-api-key`, `authorization`, `content-type`...), credentials included, and answer their
    private-network preflights; nothing when the list is empty.

    Call it after every other middleware is added, so that CORS wraps them all: an answer they
    give themselves (a 413) carries its headers too, and a preflight is answered before them.
    """
    if not settings.cors_origins:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["*"],
        allow_headers=["*"],
        allow_credentials=True,
        allow_private_network=True,
        expose_headers=list(EXPOSED_HEADERS),
    )

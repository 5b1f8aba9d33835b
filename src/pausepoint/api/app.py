"""The app factory: `create_app(settings)` wires the service, auth, routes and the page."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from langchain_core.language_models import BaseChatModel
from starlette.requests import Request

from pausepoint.a2a import close_a2a, mount_a2a
from pausepoint.a2a.openapi import document_a2a
from pausepoint.api.auth import Authenticator
from pausepoint.api.cors import install_cors
from pausepoint.api.errors import install_error_handlers
from pausepoint.api.langgraph_api import assistants as lg_assistants
from pausepoint.api.langgraph_api import meta as lg_meta
from pausepoint.api.langgraph_api import queue as lg_queue
from pausepoint.api.langgraph_api import runs as lg_runs
from pausepoint.api.langgraph_api import threads as lg_threads
from pausepoint.api.langgraph_api import unsupported as lg_unsupported
from pausepoint.api.limits import BodyLimit
from pausepoint.api.plain_json import PlainTextJson
from pausepoint.api.routes import catalog, chat, compat, events, page, threads, ws
from pausepoint.service.threads import Clock, ThreadService, utcnow
from pausepoint.settings import Settings
from pausepoint.workflows.registry import WorkflowRegistry

_CONFIGURED: Any = object()

DESCRIPTION = """Start workflows, answer their pauses, follow them live.

Every request carries `Authorization: Bearer KEY` when `PAUSEPOINT_API_KEYS` is set; without
keys the server is open (loopback only) and every caller is the user `local`. Errors are
`{"error": code, "detail": text, "fields": [{"loc", "message"}]}`.
"""


def _a2a_caller(auth: Authenticator) -> Callable[[Request], str]:
    """The A2A door's caller: the same API key check as every HTTP route."""
    return lambda request: auth.user(request.headers.get("authorization"), None)


def create_app(
    settings: Settings | None = None,
    *,
    workflows: WorkflowRegistry | None = None,
    chat_model: BaseChatModel | None = _CONFIGURED,
    clock: Clock = utcnow,
    sweep_interval: float | None = 5.0,
) -> FastAPI:
    """The Pausepoint HTTP app.

    Its lifespan opens ThreadService (which runs recovery) and, unless `sweep_interval` is
    None, sweeps pause deadlines every `sweep_interval` seconds while the server runs.
    """
    settings = settings if settings is not None else Settings()
    auth = Authenticator.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        extra: dict[str, Any] = {} if chat_model is _CONFIGURED else {"chat_model": chat_model}
        async with ThreadService.open(
            settings, workflows=workflows, clock=clock, send=True, **extra
        ) as service:
            app.state.service = service
            mount_a2a(app, service, settings, identify=_a2a_caller(auth))
            sweeper = (
                asyncio.create_task(service.run_sweeper(sweep_interval)) if sweep_interval else None
            )
            queue = lg_queue.run_queue(app.state, service)
            queued = asyncio.create_task(queue.pick_up(), name="queued runs")
            try:
                yield
            finally:
                queued.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await queued
                await queue.close()
                if sweeper is not None:
                    sweeper.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await sweeper
                await close_a2a(app)

    app = FastAPI(title="Pausepoint", description=DESCRIPTION, version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.auth = auth
    install_error_handlers(app)
    document_a2a(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(PlainTextJson)
    install_cors(app, settings)  # last: outermost, so every answer carries its headers
    for module in (threads, catalog, chat, compat, events, ws, page):
        app.include_router(module.router)
    app.include_router(lg_meta.router)
    app.include_router(lg_assistants.router)
    app.include_router(lg_threads.router)
    app.include_router(lg_runs.router)
    app.include_router(lg_unsupported.router)
    app.mount("/static", StaticFiles(directory=page.STATIC), name="static")
    return app

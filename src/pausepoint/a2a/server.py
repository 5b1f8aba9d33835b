"""Mount the A2A door on a FastAPI app: the agent card, JSON-RPC (1.0 and 0.3) and REST.

    mount_a2a(app, service, settings)      # in the app's lifespan, after ThreadService.open
    ...
    await close_a2a(app)                   # on shutdown

Who is calling: `identify(request)` (the HTTP door's authentication) names the actor, or
raises Unauthorized (-> 401); without it every caller is `DEFAULT_ACTOR`. The actor owns the
threads it starts, answers their pauses, and is the actor in the decision log.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from a2a.auth.user import User
from a2a.server.agent_execution.active_task import TERMINAL_TASK_STATES
from a2a.server.context import ServerCallContext
from a2a.server.events import Event
from a2a.server.jsonrpc_models import JSONParseError
from a2a.server.request_handlers import DefaultRequestHandler
from a2a.server.request_handlers.response_helpers import (
    agent_card_to_dict,
    build_error_response,
)
from a2a.server.routes import (
    DefaultServerCallContextBuilder,
    add_a2a_routes_to_fastapi,
    create_jsonrpc_routes,
    create_rest_routes,
)
from a2a.server.tasks import TaskStore
from a2a.types.a2a_pb2 import CancelTaskRequest, Message, SendMessageRequest, Task, TaskState
from a2a.utils.constants import AGENT_CARD_WELL_KNOWN_PATH
from a2a.utils.error_handlers import build_rest_error_payload
from a2a.utils.errors import InvalidRequestError, UnsupportedOperationError
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from pausepoint.a2a.card import JSONRPC_PATH, REST_PATH, build_card
from pausepoint.a2a.executor import DEFAULT_ACTOR, ThreadExecutor, cancel_thread_of
from pausepoint.a2a.links import TaskLinks, make_engine, make_task_store
from pausepoint.errors import InvalidRequest, Unauthorized
from pausepoint.jsontext import parse_json
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings

Identify = Callable[[Request], str]
Endpoint = Callable[[Request], Awaitable[Response]]
Refusal = Callable[[str], Response]

#: How long an input-required task keeps its in-memory runner before it is rebuilt from the
#: store on the next message (a paused thread should cost no memory).
IDLE_RELEASE_SECONDS = 30.0


class _Actor(User):
    def __init__(self, name: str) -> None:
        self._name = name

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def user_name(self) -> str:
        return self._name


class _ActorContextBuilder(DefaultServerCallContextBuilder):
    def build_user(self, request: Request) -> User:
        return _Actor(getattr(request.state, "pausepoint_actor", DEFAULT_ACTOR))


class _RequestHandler(DefaultRequestHandler):
    """a2a-sdk's handler, plus: cancelling a task cancels its thread even when no runner is
    live, and a message to a finished task is refused before a runner is built for it (the
    SDK's runner for such a task leaks a pending asyncio task)."""

    def __init__(
        self,
        executor: ThreadExecutor,
        store: TaskStore,
        *args: Any,
        links: TaskLinks,
        service: ThreadService,
        **kw: Any,
    ) -> None:
        super().__init__(executor, store, *args, **kw)
        self._store = store
        self._links = links
        self._service = service

    async def _refuse_finished(
        self, params: SendMessageRequest, context: ServerCallContext
    ) -> None:
        if not params.message.task_id:
            return
        task = await self._store.get(params.message.task_id, context)
        if task is not None and task.status.state in TERMINAL_TASK_STATES:
            state = TaskState.Name(task.status.state)
            raise UnsupportedOperationError(message=f"Task {task.id} is in terminal state: {state}")

    async def on_message_send(
        self, params: SendMessageRequest, context: ServerCallContext
    ) -> Message | Task:
        await self._refuse_finished(params, context)
        result: Message | Task = await super().on_message_send(params, context)
        return result

    async def on_message_send_stream(
        self, params: SendMessageRequest, context: ServerCallContext
    ) -> AsyncGenerator[Event, None]:
        await self._refuse_finished(params, context)
        async for event in super().on_message_send_stream(params, context):
            yield event

    async def on_cancel_task(
        self, params: CancelTaskRequest, context: ServerCallContext
    ) -> Task | None:
        task: Task | None = await super().on_cancel_task(params, context)
        actor = context.user.user_name or DEFAULT_ACTOR
        await cancel_thread_of(self._service, self._links, params.id, actor)
        return task


@dataclass(slots=True)
class _Mounted:
    engine: AsyncEngine
    handler: DefaultRequestHandler

    async def aclose(self) -> None:
        await self.handler.aclose()
        await self.engine.dispose()


def _rest_unreadable(reason: str) -> Response:
    """The REST binding's own answer to a body it cannot parse: 400 INVALID_ARGUMENT."""
    return JSONResponse(
        build_rest_error_payload(InvalidRequestError(message=reason)), status_code=400
    )


def _jsonrpc_unreadable(reason: str) -> Response:
    """JSON-RPC's answer to a body it cannot parse: error -32700, id null (HTTP 200)."""
    return JSONResponse(build_error_response(None, JSONParseError(message=reason)))


async def _unreadable_body(request: Request) -> str | None:
    """Why the request's body is not a JSON document, or None. a2a-sdk's REST binding answers
    a body that is not UTF-8 with 500, and its JSON-RPC binding that, or one nested past the
    interpreter's recursion limit, with "internal error"; both take NaN."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    try:
        body = await request.body()
    except ClientDisconnect:
        return "the client went away before its body arrived"  # or BodyLimit cut it: 413 is out
    try:
        if body:  # an empty one is the SDK's to judge (some REST calls carry none)
            parse_json(body)
    except InvalidRequest as exc:
        return exc.detail
    return None


def _guard(endpoint: Endpoint, identify: Identify | None, unreadable: Refusal) -> Endpoint:
    async def guarded(request: Request) -> Response:
        try:
            request.state.pausepoint_actor = identify(request) if identify else DEFAULT_ACTOR
        except Unauthorized as exc:
            return JSONResponse(exc.to_dict(), status_code=exc.status)
        reason = await _unreadable_body(request)
        if reason is not None:
            return unreadable(reason)
        return await endpoint(request)  # the SDK reads the body again: Request caches it

    return guarded


def _guarded_routes(
    routes: list[BaseRoute], identify: Identify | None, unreadable: Refusal
) -> list[BaseRoute]:
    # Only plain routes: the SDK's `/{tenant}` mount would shadow every two-segment path of
    # the host app, and Pausepoint has no tenants.
    return [
        Route(r.path, _guard(r.endpoint, identify, unreadable), methods=sorted(r.methods or ()))
        for r in routes
        if isinstance(r, Route)
    ]


def mount_a2a(
    app: FastAPI, service: ThreadService, settings: Settings, *, identify: Identify | None = None
) -> None:
    """Serve `service`'s workflows over A2A on `app`; `close_a2a(app)` releases what it opened."""
    engine = make_engine(settings)
    links = TaskLinks(engine)
    base = f"http://{settings.host}:{settings.port}"
    store = make_task_store(engine)
    handler = _RequestHandler(
        ThreadExecutor(service, links),
        store,
        build_card(service.workflows, base),
        interrupted_task_timeout=IDLE_RELEASE_SECONDS,
        links=links,
        service=service,
    )
    context = _ActorContextBuilder()

    async def agent_card(request: Request) -> Response:
        card = build_card(service.workflows, str(request.base_url).rstrip("/"))
        return JSONResponse(agent_card_to_dict(card))

    rpc = create_jsonrpc_routes(
        handler, rpc_url=JSONRPC_PATH, context_builder=context, enable_v0_3_compat=True
    )
    rest = create_rest_routes(handler, context_builder=context, path_prefix=REST_PATH)
    add_a2a_routes_to_fastapi(
        app,
        agent_card_routes=[Route(AGENT_CARD_WELL_KNOWN_PATH, agent_card, methods=["GET"])],
        jsonrpc_routes=_guarded_routes(list(rpc), identify, _jsonrpc_unreadable),
        rest_routes=_guarded_routes(rest, identify, _rest_unreadable),
    )
    app.state.pausepoint_a2a = _Mounted(engine, handler)


async def close_a2a(app: FastAPI) -> None:
    """Stop the A2A task runners and close the A2A database engine."""
    mounted: _Mounted | None = getattr(app.state, "pausepoint_a2a", None)
    if mounted is not None:
        await mounted.aclose()
        app.state.pausepoint_a2a = None

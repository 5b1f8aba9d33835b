"""/api/me, /api/workflows and /api/inbox: who you are, what can be started, what waits for you."""

from __future__ import annotations

from typing import cast

from fastapi import APIRouter, Request

from pausepoint.api.auth import Authenticator
from pausepoint.api.deps import Limit, Offset, Service, User
from pausepoint.api.routes.threads import ERRORS
from pausepoint.api.schemas import AgentList, Inbox, Me, WorkflowInfo, WorkflowList

router = APIRouter(prefix="/api", tags=["catalog"])


@router.get("/me", responses=ERRORS)
async def me(request: Request, user: User) -> Me:
    """Who the presented key says you are (401 for a missing or unknown key); `open` when the
    server has no keys and everyone is the local user."""
    return Me(user=user, open=cast(Authenticator, request.app.state.auth).open)


@router.get("/workflows", responses=ERRORS)
async def list_workflows(service: Service, user: User) -> WorkflowList:
    """Every registered workflow with the JSON Schema of its input."""
    return WorkflowList(
        workflows=[
            WorkflowInfo(
                name=w.name,
                description=w.description,
                input_schema=w.input_schema(),
                tags=list(w.tags),
                examples=list(w.examples),
            )
            for w in service.workflows
        ]
    )


@router.get("/agents", responses=ERRORS)
async def list_agents(service: Service, user: User) -> AgentList:
    """The agent directory the orchestrator plans with: local tools and every workflow."""
    return AgentList(agents=service.agents())


@router.get("/inbox", responses=ERRORS)
async def inbox(
    service: Service,
    user: User,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Inbox:
    """Every pause you may answer, across threads, newest first."""
    items = await service.inbox(user, limit=limit, offset=offset)
    return Inbox(inbox=items, limit=limit, offset=offset)

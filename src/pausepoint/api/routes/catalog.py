"""/api/me, /api/workflows and /api/inbox: who you are, what can be started, what waits for you."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Query, Request

from pausepoint.api.auth import Authenticator
from pausepoint.api.deps import Limit, Offset, Person, Service, User
from pausepoint.api.routes.threads import ERRORS
from pausepoint.api.schemas import AgentList, Inbox, Me, WorkflowInfo, WorkflowList
from pausepoint.domain import InboxShow

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
    person: Person,
    show: Annotated[
        InboxShow,
        Query(
            description="mine: the pauses waiting for you; waiting: every pause of the threads "
            "you may see (yours, and those with a pause for you), whoever it waits for."
        ),
    ] = "mine",
    limit: Limit = 50,
    offset: Offset = 0,
) -> Inbox:
    """Every pause you may answer (or, with `show=waiting`, every pause you may see), across
    threads, newest first."""
    items = await person.inbox(show, limit=limit, offset=offset)
    return Inbox(inbox=items, limit=limit, offset=offset)

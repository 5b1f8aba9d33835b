"""Call a remote A2A agent and read its turns: a small library over the a2a-sdk client.

A remote agent is a URL; its card is fetched from `/.well-known/agent-card.json`. `send`
starts a remote task and `reply` answers its question on the same task; each returns the
`RemoteTurn` the remote reached (non-streaming calls, polling `GetTask` while it works,
because the SDK's streaming client mis-reads langgraph-api's events).

A remote question is read from (in this order) a langgraph-api style "Interrupt" artifact,
a Pausepoint Pause in a data part of the status message, or the status message's text.
Timeouts, transport errors and A2A errors become `RemoteAgentError` with the remote message.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import asdict, dataclass
from typing import Any, Literal

import httpx
from a2a.client import A2ACardResolver, ClientConfig, ClientFactory
from a2a.types.a2a_pb2 import (
    AgentCard,
    GetTaskRequest,
    Message,
    Role,
    SendMessageRequest,
    Task,
    TaskState,
)
from a2a.utils.constants import TransportProtocol
from a2a.utils.errors import A2AError

from pausepoint.agents.a2a_parts import data_of, make_parts, text_of
from pausepoint.domain import PauseRequest
from pausepoint.errors import PausepointError

AnswerStyle = Literal["pausepoint", "interrupt", "text"]

_SETTLED = {
    TaskState.TASK_STATE_INPUT_REQUIRED,
    TaskState.TASK_STATE_AUTH_REQUIRED,
    TaskState.TASK_STATE_COMPLETED,
    TaskState.TASK_STATE_FAILED,
    TaskState.TASK_STATE_CANCELED,
    TaskState.TASK_STATE_REJECTED,
}
_POLL_SECONDS = 0.2


class RemoteAgentError(PausepointError):
    """A remote agent failed, refused, timed out or could not be reached."""

    code, status = "remote_agent_error", 502


@dataclass(frozen=True, slots=True)
class RemoteTurn:
    """Where a remote task stands after a call; plain JSON, so graph state can keep it."""

    url: str
    agent: str
    task_id: str
    context_id: str
    state: str  # input_required, completed, failed, canceled, rejected, auth_required, ...
    text: str = ""
    question: dict[str, Any] | None = None  # a PauseRequest as JSON
    schema: dict[str, Any] | None = None
    style: AnswerStyle = "text"
    result: Any = None

    @property
    def waiting(self) -> bool:
        return self.state == "input_required"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> RemoteTurn:
        return cls(**raw)


def _state_name(state: TaskState) -> str:
    return str(TaskState.Name(state)).removeprefix("TASK_STATE_").lower()


def _question(task: Task, agent: str, url: str) -> tuple[dict[str, Any], Any, AnswerStyle]:
    """The remote question as a PauseRequest (JSON), its answer schema, and how to answer."""
    text = text_of(task.status.message.parts)
    remote = {"agent": agent, "url": url, "task_id": task.id, "context_id": task.context_id}
    interrupts = [a for a in task.artifacts if a.name == "Interrupt"]
    if interrupts:
        item = next((d for d in data_of(interrupts[-1].parts) if isinstance(d, dict)), {})
        value, schema = item.get("value"), item.get("response_schema")
        if isinstance(value, dict) and "title" in value:
            request = PauseRequest.model_validate({**value, "assignee": None})
        else:
            title = value if isinstance(value, str) else f"{agent} needs input"
            ctx = {} if isinstance(value, str) or value is None else {"value": value}
            request = PauseRequest(title=title, message=text, context=ctx)
        return _with_remote(request, remote), schema, "interrupt"
    pauses = [d for d in data_of(task.status.message.parts) if isinstance(d, dict) and "title" in d]
    if pauses:
        pause = pauses[0]
        request = PauseRequest.model_validate({**pause, "assignee": None, "message": text})
        return _with_remote(request, remote), pause.get("response_schema"), "pausepoint"
    request = PauseRequest(title=text or f"{agent} needs input", message=text)
    return _with_remote(request, remote), {"type": "string", "minLength": 1}, "text"


def _with_remote(request: PauseRequest, remote: dict[str, Any]) -> dict[str, Any]:
    title = f"{remote['agent']}: {request.title}"
    context = {**request.context, "remote": remote}
    return request.model_copy(update={"title": title, "context": context}).model_dump(
        mode="json", exclude_none=True
    )


def _result(task: Task) -> Any:
    values: list[Any] = []
    for artifact in task.artifacts:
        if artifact.name == "Interrupt":
            continue
        data = data_of(artifact.parts)
        values.extend(data if data else [text_of(artifact.parts)])
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def read_turn(task: Task, agent: str, url: str) -> RemoteTurn:
    """What a remote task's state means for us."""
    state = _state_name(task.status.state)
    text = text_of(task.status.message.parts)
    base: dict[str, Any] = {
        "url": url,
        "agent": agent,
        "task_id": task.id,
        "context_id": task.context_id,
    }
    if task.status.state == TaskState.TASK_STATE_INPUT_REQUIRED:
        question, schema, style = _question(task, agent, url)
        return RemoteTurn(
            **base, state=state, text=text, question=question, schema=schema, style=style
        )
    if task.status.state == TaskState.TASK_STATE_COMPLETED:
        return RemoteTurn(**base, state=state, text=text, result=_result(task))
    return RemoteTurn(**base, state=state, text=text)


class A2AClient:
    """Talks to remote A2A agents; one short-lived HTTP client per call."""

    def __init__(self, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._transport = transport

    async def fetch_card(self, url: str, *, timeout_seconds: float = 30.0) -> AgentCard:
        """The remote agent's card; RemoteAgentError when it cannot be fetched."""
        try:
            async with self._session(timeout_seconds) as session:
                return await session.card(url)
        except (A2AError, httpx.HTTPError) as exc:
            raise RemoteAgentError(f"no agent card at {url}: {exc}") from exc

    async def send(
        self,
        url: str,
        *,
        text: str | None = None,
        data: dict[str, Any] | None = None,
        timeout_seconds: float = 60.0,
    ) -> RemoteTurn:
        """Start a task on the remote agent; return once it needs input or has ended."""
        parts = make_parts(text, [data] if data is not None else [])
        if not parts:
            raise RemoteAgentError("nothing to send: give a message or data")
        return await self._call(url, Message(role=Role.ROLE_USER, parts=parts), timeout_seconds)

    async def reply(
        self, turn: RemoteTurn, answer: Any, *, timeout_seconds: float = 60.0
    ) -> RemoteTurn:
        """Answer the remote question of `turn` on the same remote task."""
        if turn.style == "interrupt":
            parts = make_parts(None, [{"resume": answer}])
        elif turn.style == "pausepoint":
            parts = make_parts(None, [{"answer": answer}])
        else:
            parts = make_parts(answer if isinstance(answer, str) else None, [])
            parts = parts or make_parts(None, [{"answer": answer}])
        message = Message(
            role=Role.ROLE_USER, parts=parts, task_id=turn.task_id, context_id=turn.context_id
        )
        return await self._call(turn.url, message, timeout_seconds)

    def _session(self, timeout_seconds: float) -> _Session:
        return _Session(httpx.AsyncClient(timeout=timeout_seconds, transport=self._transport))

    async def _call(self, url: str, message: Message, timeout_seconds: float) -> RemoteTurn:
        message.message_id = uuid.uuid4().hex
        try:
            async with asyncio.timeout(timeout_seconds), self._session(timeout_seconds) as session:
                card = await session.card(url)
                client = session.factory.create(card)
                try:
                    task = await self._send(client, message)
                    while task.status.state not in _SETTLED:
                        await asyncio.sleep(_POLL_SECONDS)
                        task = await client.get_task(GetTaskRequest(id=task.id))
                    return read_turn(task, card.name or url, url)
                finally:
                    await client.close()
        except TimeoutError as exc:
            raise RemoteAgentError(
                f"remote agent {url} did not answer within {timeout_seconds}s"
            ) from exc
        except (A2AError, httpx.HTTPError, ValueError) as exc:
            raise RemoteAgentError(f"remote agent {url}: {exc}") from exc

    async def _send(self, client: Any, message: Message) -> Task:
        async for response in client.send_message(SendMessageRequest(message=message)):
            if response.HasField("task"):
                return response.task  # type: ignore[no-any-return]
            if response.HasField("message"):
                reply = response.message
                return Task(
                    id=reply.task_id or uuid.uuid4().hex,
                    context_id=reply.context_id,
                    status={"state": TaskState.TASK_STATE_COMPLETED, "message": reply},
                    artifacts=[{"artifact_id": "reply", "name": "reply", "parts": reply.parts}],
                )
        raise RemoteAgentError("the remote agent sent no task or message")


class _Session:
    """An httpx client and an a2a-sdk client factory on it, closed together."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http
        self.factory = ClientFactory(
            ClientConfig(
                streaming=False,
                httpx_client=http,
                supported_protocol_bindings=[
                    TransportProtocol.JSONRPC,
                    TransportProtocol.HTTP_JSON,
                ],
            )
        )

    async def card(self, url: str) -> AgentCard:
        return await A2ACardResolver(self._http, url).get_agent_card()

    async def __aenter__(self) -> _Session:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()

"""Webhook delivery against a real receiver on 127.0.0.1 (Starlette under uvicorn, in a thread)
that checks signatures the way a receiver must: HMAC over timestamp + "." + the raw body."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pausepoint.service.notifications.delivery import Delivery
from pausepoint.service.notifications.webhooks import post, sign, slack_message

SECRET = "s3cret-for-tests"
NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z
URL = "https://pausepoint.example.com/?thread=t-1a2b3c4d5e"


def event(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": "evt-0001",
        "type": "paused",
        "at": "2026-01-01T00:00:00+00:00",
        "thread_id": "1a2b3c4d5e6f",
        "workflow": "expense",
        "status": "waiting",
        "url": URL,
        "pause": {
            "interrupt_id": "int-1",
            "title": "Approve expense: team dinner",
            "message": "Ann spent 120 EUR on a team dinner.",
            "context": {"amount": 120, "currency": "EUR", "vendor": "Trattoria"},
            "response_schema": None,
            "actions": [{"id": "approve", "label": "Approve"}, {"id": "reject", "label": "Reject"}],
            "assignee": "ann",
            "deadline": "2026-01-02T09:00:00+00:00",
        },
        "error": None,
    }
    payload.update(changes)
    return payload


def receiver_accepts(secret: str, headers: Mapping[str, str], body: bytes) -> bool:
    """What a receiver does: recompute the signature over the raw body, compare in constant time."""
    timestamp = headers.get("x-pausepoint-timestamp", "")
    expected = (
        "sha256="
        + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    )
    return hmac.compare_digest(expected, headers.get("x-pausepoint-signature", ""))


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: bytes
    signed_ok: bool


@dataclass
class Receiver:
    url: str
    seen: list[Seen] = field(default_factory=list)

    def hits(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver: /ok answers 204, /down 503, /slow sleeps 2 s, /moved redirects to
    /elsewhere; every request it sees is recorded with whether its signature checks out."""
    seen: list[Seen] = []

    async def record(request: Request) -> Response:
        body = await request.body()
        headers = dict(request.headers)
        seen.append(Seen(request.url.path, headers, body, receiver_accepts(SECRET, headers, body)))
        path = request.url.path
        if path == "/slow":
            await asyncio.sleep(2)
        if path == "/down":
            return Response(status_code=503)
        if path == "/moved":
            return Response(status_code=302, headers={"Location": "/elsewhere"})
        return Response(status_code=204)

    paths = ("/ok", "/down", "/slow", "/moved", "/elsewhere")
    app = Starlette(routes=[Route(p, record, methods=["POST", "GET"]) for p in paths])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the receiver did not start")
        time.sleep(0.02)  # waiting for the server thread to bind and start
    try:
        yield Receiver(f"http://127.0.0.1:{port}", seen)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


async def test_a_204_is_delivered_as_one_signed_request_with_the_event_headers(
    receiver: Receiver, client: httpx.AsyncClient
) -> None:
    payload = event()

    delivery = await post(client, f"{receiver.url}/ok", SECRET, payload, now=lambda: NOW)

    assert delivery == Delivery(ok=True, error=None)
    [request] = receiver.seen
    assert request.signed_ok
    assert json.loads(request.body) == payload
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == "Pausepoint"
    assert request.headers["x-pausepoint-event"] == "paused"
    assert request.headers["x-pausepoint-event-id"] == "evt-0001"
    assert request.headers["x-pausepoint-timestamp"] == "1767225600"
    assert request.headers["x-pausepoint-signature"] == sign(SECRET, "1767225600", request.body)


async def test_without_a_secret_the_request_carries_no_signature(
    receiver: Receiver, client: httpx.AsyncClient
) -> None:
    delivery = await post(client, f"{receiver.url}/ok", None, event())

    assert delivery.ok
    [request] = receiver.seen
    assert "x-pausepoint-signature" not in request.headers
    assert not request.signed_ok


async def test_tampering_with_the_body_fails_the_receivers_check(
    receiver: Receiver, client: httpx.AsyncClient
) -> None:
    await post(client, f"{receiver.url}/ok", SECRET, event())
    [request] = receiver.seen

    tampered = request.body.replace(b"120", b"920")

    assert tampered != request.body
    assert receiver_accepts(SECRET, request.headers, request.body)
    assert not receiver_accepts(SECRET, request.headers, tampered)
    assert not receiver_accepts("another secret", request.headers, request.body)
    retimed = {**request.headers, "x-pausepoint-timestamp": "1767225601"}
    assert not receiver_accepts(SECRET, retimed, request.body)


async def test_a_503_is_not_delivered(receiver: Receiver, client: httpx.AsyncClient) -> None:
    delivery = await post(client, f"{receiver.url}/down", SECRET, event())

    assert delivery == Delivery(ok=False, error="HTTP 503")
    assert len(receiver.hits("/down")) == 1


async def test_a_receiver_slower_than_the_timeout_is_not_delivered(
    receiver: Receiver, client: httpx.AsyncClient
) -> None:
    started = time.monotonic()

    delivery = await post(client, f"{receiver.url}/slow", SECRET, event(), timeout=0.3)

    assert not delivery.ok
    assert delivery.error == "timed out after 0.3 s"
    assert time.monotonic() - started < 1.5


async def test_a_redirect_is_not_followed_nor_delivered(
    receiver: Receiver, client: httpx.AsyncClient
) -> None:
    async with httpx.AsyncClient(follow_redirects=True) as following:
        delivery = await post(following, f"{receiver.url}/moved", SECRET, event())

    assert not delivery.ok
    assert delivery.error is not None
    assert "HTTP 302" in delivery.error
    assert "/elsewhere not followed" in delivery.error
    assert len(receiver.hits("/moved")) == 1
    assert receiver.hits("/elsewhere") == []


async def test_a_closed_port_is_not_delivered(client: httpx.AsyncClient, free_port: Any) -> None:
    delivery = await post(client, f"http://127.0.0.1:{free_port()}/ok", SECRET, event())

    assert not delivery.ok
    assert delivery.error is not None
    assert "Connect" in delivery.error


async def test_the_slack_format_sends_the_title_and_only_a_link_button(
    receiver: Receiver, client: httpx.AsyncClient
) -> None:
    delivery = await post(client, f"{receiver.url}/ok", SECRET, event(), format="slack")

    assert delivery.ok
    [request] = receiver.seen
    assert request.signed_ok
    message = json.loads(request.body)
    assert "Approve expense: team dinner" in message["text"]
    section, actions = message["blocks"]
    assert section["type"] == "section"
    assert "*Waiting for ann: Approve expense: team dinner*" in section["text"]["text"]
    assert "amount: 120" in section["text"]["text"]
    [button] = actions["elements"]
    assert button["type"] == "button"
    assert button["text"]["text"] == "Open in Pausepoint"
    assert button["url"] == URL
    assert "Approve" not in json.dumps(actions) and "Reject" not in json.dumps(actions)


def test_a_slack_message_without_a_url_has_no_button() -> None:
    message = slack_message(event(url=None))

    assert [block["type"] for block in message["blocks"]] == ["section"]


def test_a_slack_message_says_when_a_thread_completed_or_failed() -> None:
    completed = slack_message(event(type="completed", status="completed", pause=None))
    failed = slack_message(event(type="failed", status="failed", pause=None, error="boom"))

    assert completed["text"] == "Completed: expense 1a2b3c4d"
    assert failed["text"] == "Failed: expense 1a2b3c4d"
    assert "error: boom" in failed["blocks"][0]["text"]["text"]


def test_a_slack_message_escapes_slacks_control_characters_and_keeps_the_summary_short() -> None:
    long_context = {f"key{i}": "x" * 50 for i in range(20)}
    pause = {**event()["pause"], "title": "<!channel> & co", "context": long_context}

    message = slack_message(event(pause=pause))

    text = message["blocks"][0]["text"]["text"]
    assert "<!channel>" not in text and "&lt;!channel&gt; &amp; co" in text
    summary = text.splitlines()[1]
    assert len(summary) <= 200

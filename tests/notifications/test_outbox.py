"""Notifications end to end: a real Pausepoint server (its outbox and sender), a real webhook
receiver and a real SMTP server on 127.0.0.1. A pause is posted, signed, once, even through a
receiver that fails first; it is mailed to whom it waits for with the link to it; an
escalation mails the new assignee; a notification recorded just before the process is killed
is sent by the next one; two servers on Postgres deliver each event once."""

from __future__ import annotations

import asyncio
import email
import email.policy
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypedDict

import httpx
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pausepoint.api import create_app
from pausepoint.api.auth import hash_key
from pausepoint.domain import OnTimeout, PauseRequest
from pausepoint.forms import ask
from pausepoint.service.catalog import bundled
from pausepoint.settings import Settings
from pausepoint.workflows.registry import BuildContext, Workflow, WorkflowRegistry

SECRET = "hook-secret"
PUBLIC = "https://pausepoint.example.com"
STORY = {"workflow": "story", "input": {"prompt": "a fox"}}
TIMEOUT = 30.0
#: A receiver's scripted answer: 204, but only after the sender has stopped waiting.
SLOW = 0


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """`app` under uvicorn in a thread on a free 127.0.0.1 port; its URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.02)  # waiting for the server thread to bind
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(TIMEOUT)
        sock.close()


@dataclass
class Hook:
    """A webhook receiver: answers the statuses scripted for it in turn (then 204), keeps what
    it got with whether the signature checked out, as a receiver must check it."""

    url: str = ""
    script: list[int] = field(default_factory=list)
    got: list[tuple[int, dict[str, Any], bool]] = field(default_factory=list)

    def events(self, type: str | None = None) -> list[dict[str, Any]]:
        """The events it accepted (2xx), each once by id."""
        seen: dict[str, dict[str, Any]] = {}
        for status, body, _ in self.got:
            if 200 <= status < 300 and (type is None or body["type"] == type):
                seen.setdefault(body["id"], body)
        return list(seen.values())

    async def until(self, predicate: Callable[[Hook], bool]) -> None:
        async with asyncio.timeout(TIMEOUT):
            while not predicate(self):  # noqa: ASYNC110 - polling what another thread records
                await asyncio.sleep(0.02)


def signed(headers: dict[str, str], body: bytes) -> bool:
    stamp = headers.get("x-pausepoint-timestamp", "")
    mac = hmac.new(SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + mac, headers.get("x-pausepoint-signature", ""))


@pytest.fixture
def hook() -> Iterator[Hook]:
    receiver = Hook()
    lock = threading.Lock()

    async def receive(request: Request) -> Response:
        raw = await request.body()
        with lock:
            status = receiver.script.pop(0) if receiver.script else 204
            receiver.got.append((status, json.loads(raw), signed(dict(request.headers), raw)))
        if status == SLOW:
            await asyncio.sleep(1.0)  # longer than the sender waits
            status = 204
        return Response(status_code=status)

    with serve(Starlette(routes=[Route("/hook", receive, methods=["POST"])])) as url:
        receiver.url = f"{url}/hook"
        yield receiver


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        parsed = email.message_from_bytes(
            envelope.original_content or b"", policy=email.policy.default
        )
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"

    async def until(self, count: int) -> list[EmailMessage]:
        async with asyncio.timeout(TIMEOUT):
            while len(self.messages) < count:  # noqa: ASYNC110 - the SMTP server's thread
                await asyncio.sleep(0.02)
        return self.messages


@pytest.fixture
def smtp(free_port: Callable[[], int]) -> Iterator[tuple[str, Inbox]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", inbox
    finally:
        controller.stop()


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    content = body.get_content()
    assert isinstance(content, str)
    return content


def notifying(settings: Settings, hook: Hook | None = None, **extra: Any) -> Settings:
    webhooks = [{"url": hook.url, "secret": SECRET}] if hook is not None else []
    return Settings.model_validate(
        {
            **settings.model_dump(),
            "public_url": PUBLIC,
            "webhooks": webhooks,
            "notify_retry_seconds": 0.2,
            **extra,
        }
    )


async def start_story(url: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as http:
        started = await http.post("/api/threads", json=STORY)
    assert started.status_code == 201, started.text
    view: dict[str, Any] = started.json()
    return view


async def test_a_pause_reaches_a_webhook_signed_and_once_through_two_503s(
    settings: Settings, hook: Hook
) -> None:
    hook.script = [503, 503]
    with serve(create_app(notifying(settings, hook), chat_model=None)) as url:
        view = await start_story(url)
        await hook.until(lambda h: bool(h.events("paused")))
        await asyncio.sleep(0.5)  # nothing more comes: each event is sent until it lands, once
        async with httpx.AsyncClient(base_url=url) as http:
            thread = (await http.get(f"/api/threads/{view['thread_id']}")).json()

    assert [status for status, _, _ in hook.got] == [503, 503, 204]
    assert all(ok for _, _, ok in hook.got)
    [event] = hook.events("paused")
    assert {b["id"] for _, b, _ in hook.got} == {event["id"]}  # the same event each time
    assert event["thread_id"] == view["thread_id"] and event["workflow"] == "story"
    assert event["pause"]["title"] == view["pauses"][0]["title"]
    assert event["pause"]["interrupt_id"] == view["pauses"][0]["interrupt_id"]
    assert event["url"] == f"{PUBLIC}/#thread={view['thread_id']}"
    assert thread["status"] == "waiting"


async def test_a_pause_is_mailed_to_whom_it_waits_for_with_the_link_to_it(
    settings: Settings, smtp: tuple[str, Inbox]
) -> None:
    smtp_url, inbox = smtp
    configured = notifying(
        settings,
        smtp_url=smtp_url,
        smtp_from="Pausepoint <pausepoint@example.com>",
        emails={"local": "ann@example.com"},
    )
    with serve(create_app(configured, chat_model=None)) as url:
        view = await start_story(url)
        [message] = await inbox.until(1)

    assert message["To"] == "ann@example.com"
    assert view["pauses"][0]["title"] in message["Subject"]
    assert f"{PUBLIC}/#thread={view['thread_id']}" in text_of(message)


class SignOff(BaseModel):
    ok: bool


class Release(TypedDict, total=False):
    version: str
    signed: bool


class ReleaseInput(BaseModel):
    version: str = "1.0"


def review_workflow(name: str, deadline: timedelta, on_timeout: OnTimeout) -> Workflow:
    """A sign-off for ann with a deadline."""

    def build(ctx: BuildContext) -> StateGraph[Release, Any, Any, Any]:
        def review(state: Release) -> dict[str, Any]:
            request = PauseRequest(
                title=f"Sign off release {state.get('version')}",
                assignee="ann",
                deadline=deadline,
                on_timeout=on_timeout,
            )
            return {"signed": ask(request, SignOff).ok}

        graph = StateGraph(Release)
        graph.add_node("review", review)
        graph.add_edge(START, "review")
        graph.add_edge("review", END)
        return graph

    return Workflow(
        name=name,
        description="Test: a sign-off for ann with a deadline.",
        build=build,
        input_model=ReleaseInput,
        result=dict,
        state_types=(SignOff,),
    )


ESCALATING = review_workflow(
    "release", timedelta(milliseconds=10), OnTimeout(action="escalate", assignee="bob")
)
REMINDED = review_workflow("release", timedelta(hours=2), OnTimeout(action="fail"))


def mailing(settings: Settings, smtp_url: str, **extra: Any) -> Settings:
    return notifying(
        settings,
        smtp_url=smtp_url,
        smtp_from="pausepoint@example.com",
        emails={"ann": "ann@example.com", "bob": "bob@example.com"},
        **extra,
    )


def with_release(settings: Settings, workflow: Workflow) -> WorkflowRegistry:
    workflows = bundled(settings)
    workflows.register(workflow)
    return workflows


async def test_an_escalation_mails_the_new_assignee(
    settings: Settings, smtp: tuple[str, Inbox]
) -> None:
    smtp_url, inbox = smtp
    configured = mailing(settings, smtp_url, remind_before_minutes=0)
    workflows = with_release(configured, ESCALATING)
    app = create_app(configured, workflows=workflows, chat_model=None, sweep_interval=0.05)
    with serve(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as http:
            started = await http.post("/api/threads", json={"workflow": "release", "input": {}})
        assert started.status_code == 201, started.text
        messages = await inbox.until(2)

    by_to = {m["To"]: m for m in messages}
    assert set(by_to) == {"ann@example.com", "bob@example.com"}
    assert by_to["ann@example.com"]["Subject"].startswith("Waiting for you")
    assert by_to["bob@example.com"]["Subject"].startswith("Escalated to you")
    assert "Sign off release 1.0" in text_of(by_to["bob@example.com"])


def pausepoint_serve(port: int, env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "pausepoint", "serve", "--host", "127.0.0.1", "--port"]
    return subprocess.Popen(
        [*command, str(port)], env=env, cwd=cwd, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


async def up(url: str, proc: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=2) as http:
        async with asyncio.timeout(TIMEOUT):
            while proc.poll() is None:
                try:
                    if (await http.get("/ok")).is_success:
                        return
                except httpx.HTTPError:
                    await asyncio.sleep(0.1)  # polling a server that is starting
    raise AssertionError("the server did not come up")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_a_pause_recorded_just_before_a_kill_is_sent_by_the_next_process(
    cli_env: dict[str, str], hook: Hook, free_port: Callable[[], int], tmp_path: Path
) -> None:
    env = {
        **cli_env,
        "PAUSEPOINT_WEBHOOKS": json.dumps([{"url": hook.url, "secret": SECRET}]),
        "PAUSEPOINT_PUBLIC_URL": PUBLIC,
    }
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    dying = pausepoint_serve(port, {**env, "PAUSEPOINT_FAILPOINT": "after_pause"}, tmp_path)
    try:
        await up(url, dying)
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as http:
            with pytest.raises(httpx.HTTPError):  # killed before it answers
                await http.post("/api/threads", json=STORY)
        assert dying.wait(TIMEOUT) == -signal.SIGKILL
    finally:
        if dying.poll() is None:
            os.killpg(dying.pid, signal.SIGKILL)
    assert hook.got == []

    again = pausepoint_serve(port, env, tmp_path)
    try:
        await up(url, again)
        await hook.until(lambda h: bool(h.events("paused")))
    finally:
        os.killpg(again.pid, signal.SIGTERM)
        again.wait(TIMEOUT)
    [event] = hook.events("paused")
    assert event["workflow"] == "story" and all(ok for _, _, ok in hook.got)


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_two_servers_on_postgres_deliver_each_of_200_events_once(
    settings: Settings, hook: Hook
) -> None:
    configured = notifying(settings, hook)
    with (
        serve(create_app(configured, chat_model=None)) as one,
        serve(create_app(configured, chat_model=None)) as two,
    ):
        async with (
            httpx.AsyncClient(base_url=one, timeout=TIMEOUT) as a,
            httpx.AsyncClient(base_url=two, timeout=TIMEOUT) as b,
        ):
            # FastAPI builds an app's routes at its first request; two apps in threads of one
            # process would build them at once, over the same routers (not thread-safe)
            for client in (a, b):
                assert (await client.get("/api/threads")).status_code == 200
            started = await asyncio.gather(
                *((a if n % 2 else b).post("/api/threads", json=STORY) for n in range(200))
            )
        assert all(r.status_code == 201 for r in started)
        await hook.until(lambda h: len(h.events("paused")) >= 200)
        await asyncio.sleep(1.0)  # long enough for a duplicate to arrive, if one were coming

    ids = [body["id"] for status, body, _ in hook.got if status == 204]
    assert len(ids) == len(set(ids)) == 200
    threads = {body["thread_id"] for _, body, _ in hook.got}
    assert threads == {r.json()["thread_id"] for r in started}


async def test_the_cli_lists_the_outbox_and_sends_a_dead_notification_again(
    settings: Settings, run_cli: Callable[..., Any]
) -> None:
    from pausepoint.service.threads import ThreadService

    configured = notifying(settings, Hook(url="http://127.0.0.1:9/hook"))
    async with ThreadService.open(configured, chat_model=None) as service:  # no sender here
        view = await service.start("story", STORY["input"], "ann")
        [row] = await service._runs.store.list_notifications()
        await service._runs.store.finish_notification(row.id, "dead", 7, row.created_at, "HTTP 503")

    listed = run_cli("notifications", "--status", "dead", "--json")
    again = run_cli("notifications", "retry", row.id)
    pending = run_cli("notifications", "--status", "pending", "--json")
    unknown = run_cli("notifications", "retry", "no-such-id")

    assert listed.code == 0, listed.stderr
    [shown] = listed.json()["notifications"]
    assert (shown["id"], shown["event"], shown["thread_id"]) == (row.id, "paused", view.thread_id)
    assert (shown["attempts"], shown["last_error"]) == (7, "HTTP 503")
    assert again.code == 0 and "sent again" in again.stdout
    assert [n["id"] for n in pending.json()["notifications"]] == [row.id]
    assert unknown.code == 1 and "no notification" in unknown.stdout


class Clock:
    """The server's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def test_a_reminder_goes_before_the_deadline_unless_the_pause_was_answered(
    settings: Settings, smtp: tuple[str, Inbox]
) -> None:
    smtp_url, inbox = smtp
    clock = Clock()
    ann = {"Authorization": "Bearer key-of-ann"}
    configured = mailing(
        settings, smtp_url, remind_before_minutes=60, api_keys=f"ann:{hash_key('key-of-ann')}"
    )
    workflows = with_release(configured, REMINDED)
    app = create_app(configured, workflows=workflows, chat_model=None, clock=clock)
    with serve(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT, headers=ann) as http:
            started = [
                await http.post(
                    "/api/threads", json={"workflow": "release", "input": {"version": version}}
                )
                for version in ("1.0", "2.0")
            ]
            assert [r.status_code for r in started] == [201, 201], started[0].text
            answered = started[0]
            await inbox.until(2)  # the two pauses, as they start waiting
            done = await http.post(
                f"/api/threads/{answered.json()['thread_id']}/answers",
                json={"answer": {"ok": True}},
            )
            assert done.json()["status"] == "completed", done.text
            clock.now += timedelta(minutes=61)  # an hour before the deadline has passed
            messages = await inbox.until(3)
            await asyncio.sleep(1.5)  # the sender's next rounds: no reminder for the answered

    reminders = [m for m in messages if m["Subject"].startswith("Reminder")]
    assert len(messages) == 3 and len(reminders) == 1
    assert "Sign off release 2.0" in reminders[0]["Subject"]
    assert reminders[0]["To"] == "ann@example.com"


async def test_a_receiver_that_times_out_is_tried_again(settings: Settings, hook: Hook) -> None:
    hook.script = [SLOW]
    configured = notifying(settings, hook, notify_timeout_seconds=0.3)
    with serve(create_app(configured, chat_model=None)) as url:
        await start_story(url)
        await hook.until(lambda h: bool(h.events("paused")))
    assert [status for status, _, _ in hook.got] == [SLOW, 204]
    assert hook.got[0][1]["id"] == hook.got[1][1]["id"]

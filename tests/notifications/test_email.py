"""Email: the message built for an event, and sending it to a real SMTP server (aiosmtpd on a
free 127.0.0.1 port) that records what arrives, with and without AUTH."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from pausepoint.service.notifications.delivery import Delivery
from pausepoint.service.notifications.email import message, send

URL = "https://pausepoint.example.com/?thread=1a2b3c4d5e6f"
SENDER = "Pausepoint <pausepoint@example.com>"


def event(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": "evt-0002",
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
            "context": {"amount": 120, "vendor": "Trattoria"},
            "response_schema": None,
            "actions": [{"id": "approve", "label": "Approve"}],
            "assignee": "ann",
            "deadline": "2026-01-02T09:00:00+00:00",
        },
        "error": None,
    }
    payload.update(changes)
    return payload


@dataclass
class Received:
    mail_from: str | None
    rcpt_tos: list[str]
    message: EmailMessage
    authenticated: bool | None


class Inbox:
    """An aiosmtpd handler keeping every message it is given."""

    def __init__(self) -> None:
        self.received: list[Received] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), parsed, session.authenticated)
        )
        return "250 OK"


def only_ann(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"ann",
        b"p@ss word",
    )
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535


Start = Callable[..., tuple[str, Inbox]]


@pytest.fixture
def smtp_server(free_port: Callable[[], int]) -> Iterator[Start]:
    """`smtp_server(**smtp_options)`: a real SMTP server; its smtp:// URL and its inbox."""
    started: list[Controller] = []

    def start(**options: Any) -> tuple[str, Inbox]:
        inbox, port = Inbox(), free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
        controller.start()
        started.append(controller)
        return f"smtp://127.0.0.1:{port}", inbox

    yield start
    for controller in started:
        controller.stop()


def part(received: EmailMessage, subtype: str) -> str:
    body = received.get_body(preferencelist=(subtype,))
    assert body is not None and body.get_content_type() == f"text/{subtype}"
    content = body.get_content()
    assert isinstance(content, str)
    return content


async def test_the_email_arrives_with_a_text_and_an_html_part_linking_to_the_page(
    smtp_server: Start,
) -> None:
    url, inbox = smtp_server()

    delivery = await send(url, message(event(), "ann@example.com", SENDER), timeout=5)

    assert delivery == Delivery(ok=True, error=None)
    [received] = inbox.received
    assert received.mail_from == "pausepoint@example.com"
    assert received.rcpt_tos == ["ann@example.com"]
    mail = received.message
    assert mail["To"] == "ann@example.com"
    assert mail["From"] == SENDER
    assert mail["Subject"] == "Waiting for you: Approve expense: team dinner"
    text, html = part(mail, "plain"), part(mail, "html")
    for body in (text, html):
        assert URL in body
        assert "Ann spent 120 EUR on a team dinner." in body
        assert "amount: 120" in body and "vendor: Trattoria" in body
        assert "Assigned to: ann" in body
        assert "Due: 2026-01-02 09:00 UTC" in body
    assert f'<a href="{URL}">Open in Pausepoint</a>' in html


async def test_the_html_part_escapes_what_the_event_says(smtp_server: Start) -> None:
    url, inbox = smtp_server()
    pause = {**event()["pause"], "title": "Pay <b>now</b>", "context": {"note": "<script>x"}}
    tricky = event(pause=pause, url=URL + "&x=<1>")

    delivery = await send(url, message(tricky, "ann@example.com", SENDER), timeout=5)

    assert delivery.ok
    [received] = inbox.received
    html = part(received.message, "html")
    assert "Pay &lt;b&gt;now&lt;/b&gt;" in html
    assert "<b>" not in html and "<script>" not in html
    assert "&amp;x=&lt;1&gt;" in html
    assert "Pay <b>now</b>" in part(received.message, "plain")


# aiosmtpd warns when it takes AUTH over plain text; the test server does so on purpose.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
async def test_credentials_in_the_url_log_in_to_a_server_requiring_auth(
    smtp_server: Start,
) -> None:
    url, inbox = smtp_server(authenticator=only_ann, auth_required=True, auth_require_tls=False)
    with_login = url.replace("smtp://", "smtp://ann:p%40ss%20word@")

    delivery = await send(with_login, message(event(), "ann@example.com", SENDER), timeout=5)

    assert delivery.ok
    [received] = inbox.received
    assert received.authenticated is True


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
async def test_a_wrong_password_or_none_is_not_delivered(smtp_server: Start) -> None:
    url, inbox = smtp_server(authenticator=only_ann, auth_required=True, auth_require_tls=False)
    mail = message(event(), "ann@example.com", SENDER)

    wrong = await send(url.replace("smtp://", "smtp://ann:nope@"), mail, timeout=5)
    anonymous = await send(url, mail, timeout=5)

    assert not wrong.ok and wrong.error is not None and wrong.error.startswith("SMTP 535")
    assert not anonymous.ok and anonymous.error is not None and "530" in anonymous.error
    assert inbox.received == []


async def test_a_closed_port_is_not_delivered(free_port: Callable[[], int]) -> None:
    mail = message(event(), "ann@example.com", SENDER)

    delivery = await send(f"smtp://127.0.0.1:{free_port()}", mail, timeout=5)

    assert not delivery.ok
    assert delivery.error


async def test_a_url_that_is_not_smtp_is_not_delivered() -> None:
    delivery = await send("http://127.0.0.1:25", message(event(), "ann@example.com", SENDER))

    assert delivery == Delivery(
        ok=False, error="bad SMTP URL: an SMTP URL starts with smtp:// or smtps://"
    )


@pytest.mark.parametrize(
    ("changes", "subject"),
    [
        ({}, "Waiting for you: Approve expense: team dinner"),
        ({"type": "escalated"}, "Escalated to you: Approve expense: team dinner"),
        (
            {"type": "reminder"},
            "Reminder: Approve expense: team dinner is due 2026-01-02 09:00 UTC",
        ),
        ({"type": "completed", "pause": None}, "Completed: expense 1a2b3c4d"),
        ({"type": "failed", "pause": None, "error": "boom"}, "Failed: expense 1a2b3c4d"),
    ],
)
def test_the_subject_says_what_happened(changes: dict[str, Any], subject: str) -> None:
    mail = message(event(**changes), "ann@example.com", SENDER)

    assert mail["Subject"] == subject


def test_a_failure_says_why_and_an_event_without_a_url_has_no_link() -> None:
    mail = message(event(type="failed", pause=None, error="boom", url=None), "a@b.example", SENDER)

    text, html = part(mail, "plain"), part(mail, "html")
    assert "Error: boom" in text and "Error: boom" in html
    assert "http" not in text and "<a " not in html


def test_every_retry_of_one_event_to_one_address_has_the_same_message_id() -> None:
    first = message(event(), "ann@example.com", SENDER)
    again = message(event(), "ann@example.com", SENDER)
    other = message(event(), "bob@example.com", SENDER)

    assert first["Message-ID"] == again["Message-ID"] != other["Message-ID"]
    assert first["Message-ID"].endswith("@example.com>")

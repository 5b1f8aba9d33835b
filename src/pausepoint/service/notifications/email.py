"""One event as an email (plain text with an HTML alternative), and sending it by SMTP.

The message links to the pause on the page and nowhere else: no answer links, since mail
scanners open every link they see and an answer must be given on the page.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any

import aiosmtplib

from pausepoint.service.notifications import wording
from pausepoint.service.notifications.delivery import DELIVERED, Delivery, failed
from pausepoint.settings import parse_smtp_url

logger = logging.getLogger(__name__)

_NOT_IN_MESSAGE_ID = re.compile(r"[^A-Za-z0-9._-]")


def _subject(payload: Mapping[str, Any]) -> str:
    return wording.clip(wording.headline(payload, "you"), 200)


def _message_id(payload: Mapping[str, Any], to: str, sender: str) -> str:
    """The same id for every retry of one event to one address, so mail clients see one."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "pausepoint.invalid"
    event = _NOT_IN_MESSAGE_ID.sub("-", str(payload.get("id", "")))[:64]
    recipient = hashlib.sha256(to.encode()).hexdigest()[:12]
    return f"<pausepoint.{event}.{recipient}@{domain}>"


def _facts(payload: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The lines under the context: assignee, deadline, what ran, and an error."""
    facts: list[tuple[str, str]] = []
    if assignee := wording.assignee_of(payload):
        facts.append(("Assigned to", assignee))
    if deadline := wording.deadline_of(payload):
        facts.append(("Due", deadline))
    facts.append(("Workflow", f"{payload.get('workflow', '')} (thread {payload.get('thread_id')})"))
    if error := payload.get("error"):
        facts.append(("Error", str(error)))
    return facts


def _text_body(payload: Mapping[str, Any], subject: str) -> str:
    pause = wording.pause_of(payload)
    parts = [subject, ""]
    if title := pause.get("title"):
        parts.append(str(title))
    if message := pause.get("message"):
        parts.append(str(message))
    if context := wording.context_lines(payload):
        parts += ["", *(f"  {line}" for line in context)]
    parts += ["", *(f"{name}: {value}" for name, value in _facts(payload))]
    if url := wording.link_of(payload):
        parts += ["", "Open it in Pausepoint:", url]
    return "\n".join(parts) + "\n"


def _html_body(payload: Mapping[str, Any], subject: str) -> str:
    esc = html.escape
    pause = wording.pause_of(payload)
    parts = [f"<p><strong>{esc(subject)}</strong></p>"]
    if title := pause.get("title"):
        parts.append(f"<h2>{esc(str(title))}</h2>")
    if message := pause.get("message"):
        parts.append("<p>" + esc(str(message)).replace("\n", "<br>\n") + "</p>")
    if context := wording.context_lines(payload):
        parts.append("<ul>" + "".join(f"<li>{esc(line)}</li>" for line in context) + "</ul>")
    facts = "<br>\n".join(f"{esc(name)}: {esc(value)}" for name, value in _facts(payload))
    parts.append(f"<p>{facts}</p>")
    if url := wording.link_of(payload):
        parts.append(f'<p><a href="{esc(url)}">Open in Pausepoint</a></p>')
    return (
        '<!DOCTYPE html>\n<html><body style="font-family: sans-serif">\n'
        + "\n".join(parts)
        + "\n</body></html>\n"
    )


def message(payload: dict[str, Any], to: str, sender: str) -> EmailMessage:
    """The email telling `to` about the event `payload`, from `sender`: subject `Waiting for
    you: <title>` (paused), `Escalated to you: <title>`, `Reminder: <title> is due <deadline>`,
    `Completed: <workflow> <thread short id>` or `Failed: ...`; a plain-text body and an HTML
    alternative (everything escaped) with the title, the message, the context as key: value
    lines, the deadline, the assignee and the link to the pause on the page."""
    subject = _subject(payload)
    email = EmailMessage()
    email["Subject"] = subject
    email["From"] = sender
    email["To"] = to
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = _message_id(payload, to, sender)
    # RFC 3834: a machine wrote this, so vacation responders do not answer it.
    email["Auto-Submitted"] = "auto-generated"
    email["X-Pausepoint-Event"] = str(payload.get("type", ""))
    email["X-Pausepoint-Event-Id"] = str(payload.get("id", ""))
    email.set_content(_text_body(payload, subject))
    email.add_alternative(_html_body(payload, subject), subtype="html")
    return email


# The timeout is part of the answer ("timed out after 30 s"), not a cancellation.
async def send(smtp_url: str, message: EmailMessage, *, timeout: float = 30.0) -> Delivery:  # noqa: ASYNC109
    """Send `message` (to its To, from its From) through the server `smtp_url` names:
    `smtp://[user:password@]host[:port]` (port 25 by default; STARTTLS when the server offers
    it) or `smtps://...` (TLS from the start, port 465 by default); it logs in when the URL has
    credentials. Whether the server accepted it, with a short error text when not."""
    try:
        server = parse_smtp_url(smtp_url)
    except ValueError as exc:
        return failed(f"bad SMTP URL: {exc}")
    try:
        refused, _ = await aiosmtplib.send(
            message,
            hostname=server.host,
            port=server.port,
            username=server.username,
            password=server.password,
            use_tls=server.implicit_tls,
            start_tls=False if server.implicit_tls else None,
            timeout=timeout,
        )
    except TimeoutError:  # aiosmtplib's SMTPTimeoutError is one
        return failed(f"timed out after {timeout:g} s")
    except aiosmtplib.SMTPRecipientsRefused as exc:
        return failed("refused: " + ", ".join(_refusal(r) for r in exc.recipients))
    except aiosmtplib.SMTPResponseException as exc:
        return failed(f"SMTP {exc.code}: {exc.message}")
    except (aiosmtplib.SMTPException, OSError) as exc:
        logger.debug("SMTP send failed", exc_info=True)
        return failed(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    if refused:  # some of several recipients: the message did not reach them all
        return failed(
            "refused: " + ", ".join(f"{k} ({r.code} {r.message})" for k, r in refused.items())
        )
    return DELIVERED


def _refusal(refusal: aiosmtplib.SMTPRecipientRefused) -> str:
    return f"{refusal.recipient} ({refusal.code} {refusal.message})"

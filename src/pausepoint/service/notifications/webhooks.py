"""POSTing one event to a webhook: the body (the event as JSON, or a Slack-format message), its
signature, and what the receiver's answer means.

A receiver checks a signed request by recomputing `sign(secret, timestamp, raw_body)` from the
`X-Pausepoint-Timestamp` header and the body exactly as received, comparing it in constant time
with `X-Pausepoint-Signature`, and refusing timestamps far from its own clock (replays). It
dedupes by `X-Pausepoint-Event-Id`: a retry sends the same id.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from pausepoint.service.notifications import wording
from pausepoint.service.notifications.delivery import DELIVERED, Delivery, failed

logger = logging.getLogger(__name__)

#: The one button a Slack message carries: a link to the page, never an answer.
OPEN_BUTTON = "Open in Pausepoint"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=` + the hex HMAC-SHA256, keyed by `secret`, of `timestamp + "." + body`."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _mrkdwn(text: str) -> str:
    """Text Slack shows as written: its control characters &, < and > escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _facts(payload: Mapping[str, Any]) -> str:
    """Who, by when, and (for a failure) why, on one line."""
    facts = []
    if assignee := wording.assignee_of(payload):
        facts.append(f"assigned to {assignee}")
    if (deadline := wording.deadline_of(payload)) and payload.get("type") != "reminder":
        facts.append(f"due {deadline}")
    if payload.get("type") in ("completed", "failed"):
        facts.append(f"thread {payload.get('thread_id', '')}")
    if error := payload.get("error"):
        facts.append(f"error: {error}")
    return wording.clip(" · ".join(facts), 200)


def slack_message(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A message Slack-compatible incoming webhooks accept: a one-line fallback `text`, a section
    with the headline in bold over a short context summary, and one "Open in Pausepoint" link
    button (left out when the event has no URL). It has no answer buttons, on purpose: link
    scanners open every link they see, and an answer must be given on the page."""
    headline = wording.headline(payload, wording.assignee_of(payload))
    lines = [f"*{_mrkdwn(headline)}*"]
    lines += [_mrkdwn(line) for line in (wording.summary(payload), _facts(payload)) if line]
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}}
    ]
    if url := wording.link_of(payload):
        button = {
            "type": "button",
            "action_id": "open",
            "text": {"type": "plain_text", "text": OPEN_BUTTON},
            "url": url,
        }
        blocks.append({"type": "actions", "elements": [button]})
    return {"text": _mrkdwn(headline), "blocks": blocks}


def body_of(payload: Mapping[str, Any], format: str = "json") -> bytes:
    """The bytes POSTed for `payload`: compact UTF-8 JSON of the event ("json") or of its Slack
    message ("slack"). ValueError for any other format."""
    if format == "json":
        document: Mapping[str, Any] = payload
    elif format == "slack":
        document = slack_message(payload)
    else:
        raise ValueError(f"unknown webhook format {format!r} (json or slack)")
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


async def post(
    client: httpx.AsyncClient,
    url: str,
    secret: str | None,
    payload: dict[str, Any],
    *,
    format: str = "json",
    # The timeout is part of the answer ("timed out after 10 s"), not a cancellation.
    timeout: float = 10.0,  # noqa: ASYNC109
    now: Callable[[], float] = time.time,
) -> Delivery:
    """POST `payload` (an event, with "id" and "type") to `url` once, signed when `secret` is
    set, and say whether it arrived. Any 2xx answer is delivered; every other status, a redirect
    (never followed), a timeout (`timeout` seconds for the whole exchange) or a connection error
    is not, with a short error text. The answer's body is never read."""
    body = body_of(payload, format)
    timestamp = str(int(now()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Pausepoint",
        "X-Pausepoint-Event": str(payload["type"]),
        "X-Pausepoint-Event-Id": str(payload["id"]),
        "X-Pausepoint-Timestamp": timestamp,
    }
    if secret is not None:
        headers["X-Pausepoint-Signature"] = sign(secret, timestamp, body)
    try:
        request = client.build_request("POST", url, content=body, headers=headers, timeout=timeout)
        async with asyncio.timeout(timeout):
            response = await client.send(request, stream=True, follow_redirects=False)
            await response.aclose()
    except (TimeoutError, httpx.TimeoutException):
        return failed(f"timed out after {timeout:g} s")
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        logger.debug("webhook POST failed", exc_info=True)
        return failed(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    if response.is_success:
        return DELIVERED
    if response.is_redirect:
        target = response.headers.get("Location", "")
        return failed(f"HTTP {response.status_code}: redirect to {target} not followed")
    return failed(f"HTTP {response.status_code}")

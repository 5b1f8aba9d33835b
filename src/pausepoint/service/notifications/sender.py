"""The sender: delivers the outbox's notifications, each until it is sent or given up.

It claims due rows (the store marks them taken until a lease runs out, so several servers on
one Postgres database each take different rows, and a row whose sender died is taken again
once its lease has passed), delivers each (webhooks.py, email.py) and records the outcome:
sent; or due again after a backoff that doubles with each attempt (with jitter, at most
`MAX_DELAY`), for `notify_for_hours`; then dead, logged, until `pausepoint notifications retry`.
A reminder or an escalation whose pause was answered meanwhile is dropped (recorded as sent,
with that reason).

It wakes when this process records a change (the event bus) and polls for the others'.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx

from pausepoint.persistence.records import NotificationRow
from pausepoint.persistence.store import Store
from pausepoint.service.notifications import email, webhooks
from pausepoint.service.notifications.delivery import Delivery
from pausepoint.settings import Settings

logger = logging.getLogger(__name__)

#: How long a claimed row is this sender's before another may take it (seconds).
LEASE = 120.0
#: The longest wait between two attempts (seconds).
MAX_DELAY = 600.0
#: The events about a pause that are dropped when it was answered before they went out.
AFTERTHOUGHTS = frozenset({"reminder", "escalated"})
#: The events after which there may be something to send.
WAKE = frozenset({"paused", "completed", "failed", "cancelled"})


class Bus(Protocol):
    """What the sender listens to: the service's event bus (events with a `type`)."""

    def subscribe(self) -> AbstractAsyncContextManager[asyncio.Queue[Any]]: ...


class Sender:
    def __init__(
        self,
        store: Store,
        settings: Settings,
        clock: Callable[[], datetime],
        *,
        poll: float = 1.0,
        batch: int = 50,
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.first_retry = settings.notify_retry_seconds
        self.poll = poll
        self.batch = batch
        self._hooks = {hook.url: hook for hook in settings.webhooks}
        self._wake = asyncio.Event()

    async def run(self, events: Bus | None = None) -> None:
        """Send what is due, then again whenever woken or every `poll` seconds; forever."""
        listening = asyncio.create_task(self._listen(events)) if events is not None else None
        async with httpx.AsyncClient(follow_redirects=False) as client:
            try:
                while True:
                    self._wake.clear()  # before the claim: a change from now on wakes the next
                    try:
                        sent = await self.send_due(client)
                    except Exception:
                        logger.exception("the notification sender failed; trying again")
                        sent = 0
                    if sent < self.batch:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._wake.wait(), self.poll)
            finally:
                if listening is not None:
                    listening.cancel()

    async def _listen(self, events: Bus) -> None:
        async with events.subscribe() as queue:
            while True:
                if (await queue.get()).type in WAKE:
                    self._wake.set()

    async def send_due(self, client: httpx.AsyncClient) -> int:
        """Deliver the rows due now (at most `batch`, at once); how many were tried."""
        now = self.clock()
        rows = await self.store.claim_notifications(now, now + timedelta(seconds=LEASE), self.batch)
        await asyncio.gather(*(self._deliver(client, row) for row in rows))
        return len(rows)

    async def _deliver(self, client: httpx.AsyncClient, row: NotificationRow) -> None:
        try:
            if row.event in AFTERTHOUGHTS and not await self._still_waiting(row):
                await self._finish(row, "sent", "dropped: the pause was answered first")
                return
            delivery = await self.deliver(client, row)
        except Exception as exc:  # a bug in delivery must not leave the row taken forever
            logger.exception("notification %s", row.id)
            delivery = Delivery(False, f"{type(exc).__name__}: {exc}")
        if delivery.ok:
            await self._finish(row, "sent", None)
        else:
            await self._retry(row, delivery.error or "failed")

    async def deliver(self, client: httpx.AsyncClient, row: NotificationRow) -> Delivery:
        """One attempt at one notification."""
        timeout = self.settings.notify_timeout_seconds
        if row.channel == "webhook":
            hook = self._hooks.get(row.target)
            if hook is None:
                return Delivery(False, f"no webhook {row.target} is configured any more")
            return await webhooks.post(
                client, hook.url, hook.secret, row.payload, format=hook.format, timeout=timeout
            )
        if row.channel == "email":
            if not self.settings.smtp_url or not self.settings.smtp_from:
                return Delivery(False, "no SMTP server is configured any more")
            message = email.message(row.payload, row.target, self.settings.smtp_from)
            return await email.send(self.settings.smtp_url, message, timeout=timeout)
        return Delivery(False, f"unknown channel {row.channel!r}")

    async def _still_waiting(self, row: NotificationRow) -> bool:
        pause = row.payload.get("pause") or {}
        rows = await self.store.pause_rows(row.thread_id)
        return any(r.interrupt_id == pause.get("interrupt_id") for r in rows)

    async def _finish(self, row: NotificationRow, status: str, error: str | None) -> None:
        await self.store.finish_notification(row.id, status, row.attempts + 1, self.clock(), error)

    async def _retry(self, row: NotificationRow, error: str) -> None:
        now = self.clock()
        attempts = row.attempts + 1
        if now - row.created_at >= timedelta(hours=self.settings.notify_for_hours):
            logger.error(
                "notification %s (%s to %s) given up after %d attempts: %s",
                row.id, row.event, row.target, attempts, error,
            )  # fmt: skip
            await self.store.finish_notification(row.id, "dead", attempts, now, error)
            return
        delay = min(self.first_retry * 2 ** (attempts - 1), MAX_DELAY) * random.uniform(0.8, 1.2)
        logger.info("notification %s: %s; again in %.1f s", row.id, error, delay)
        await self.store.finish_notification(
            row.id, "pending", attempts, now + timedelta(seconds=delay), error
        )

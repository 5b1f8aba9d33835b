"""Thread events between server processes through PostgreSQL `LISTEN/NOTIFY`, no broker.

`PgEventBus` is an `EventBus` whose `publish` also sends the event on the channel
`pausepoint_events`; every other process on the same database hears it and publishes it to
its own local subscribers (WebSocket, SSE, `pausepoint events`). So a person connected to
server B hears that a thread on server A paused.

A NOTIFY payload is limited to 8000 bytes. An event that fits (most do) travels inline; a
larger one (a pause whose context holds a long draft) is written to `event_bodies` and only
its id travels; the listener reads the body back. Bodies older than an hour are pruned.

Delivery is at-most-once and best-effort, like any push: a listener that was disconnected
misses what was sent meanwhile (it reconnects by itself) and readers re-read the thread.
The source of truth stays the database (ThreadService.get / inbox).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from psycopg import AsyncConnection, OperationalError

from pausepoint.persistence.database import Database
from pausepoint.persistence.sql import Pool
from pausepoint.service.events import EventBus, ThreadEvent

logger = logging.getLogger(__name__)

CHANNEL = "pausepoint_events"
#: Largest event sent inline; NOTIFY refuses payloads of 8000 bytes or more.
MAX_INLINE_BYTES = 7000
#: How long closing waits for events still queued to go out.
FLUSH_SECONDS = 10.0


class PgEventBus(EventBus):
    """Local fan-out plus NOTIFY to, and LISTEN from, the other processes on the database."""

    shared = True

    def __init__(self, pool: Pool, url: str, queue_size: int = 1000) -> None:
        super().__init__(queue_size)
        self._pool = pool
        self._url = url
        self._origin = uuid.uuid4().hex
        self._outbox: asyncio.Queue[ThreadEvent] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._listening = asyncio.Event()

    def publish(self, event: ThreadEvent) -> None:
        """Deliver to this process's subscribers now; queue the NOTIFY for the others."""
        super().publish(event)
        self._outbox.put_nowait(event)

    async def start(self) -> None:
        """Start listening (returns once LISTEN is in effect) and forwarding."""
        self._tasks = [
            asyncio.create_task(self._listen_forever(), name="pausepoint-listen"),
            asyncio.create_task(self._send_forever(), name="pausepoint-notify"),
        ]
        waiting = asyncio.create_task(self._listening.wait())
        done, _ = await asyncio.wait([waiting, self._tasks[0]], return_when="FIRST_COMPLETED")
        if waiting not in done:
            waiting.cancel()
            self._tasks[0].result()  # the listener ended before listening: raise its error

    async def stop(self) -> None:
        """Send what is still queued (for up to FLUSH_SECONDS), then stop both tasks."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._outbox.join(), FLUSH_SECONDS)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # sending

    async def _send_forever(self) -> None:
        while True:
            event = await self._outbox.get()
            try:
                await self._send(event)
            except Exception:
                logger.exception("could not send %s event to the other servers", event.type)
            finally:
                self._outbox.task_done()

    async def _send(self, event: ThreadEvent) -> None:
        body = event.model_dump_json()
        async with self._pool.connection() as conn:
            if len(body.encode()) <= MAX_INLINE_BYTES:
                payload = f'{{"origin":"{self._origin}","event":{body}}}'
            else:
                async with conn.transaction():
                    await conn.execute(
                        "DELETE FROM event_bodies WHERE created_at < now() - interval '1 hour'"
                    )
                    cur = await conn.execute(
                        "INSERT INTO event_bodies (body) VALUES (%s) RETURNING id", (body,)
                    )
                    row = await cur.fetchone()
                assert row is not None
                payload = json.dumps({"origin": self._origin, "id": row["id"]})
            await conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))

    # receiving

    async def _listen_forever(self) -> None:
        delay = 0.5
        while True:
            try:
                await self._listen()
            except OperationalError as exc:
                if not self._listening.is_set():
                    raise
                logger.warning("event listener lost its connection (%s); reconnecting", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def _listen(self) -> None:
        async with await AsyncConnection.connect(self._url, autocommit=True) as conn:
            await conn.execute(f"LISTEN {CHANNEL}")
            self._listening.set()
            async for note in conn.notifies():
                try:
                    await self._receive(note.payload)
                except Exception:
                    logger.exception("dropping an unreadable event from another server")

    async def _receive(self, payload: str) -> None:
        message = json.loads(payload)
        if message.get("origin") == self._origin:
            return  # our own: local subscribers already have it
        if "event" in message:
            event = ThreadEvent.model_validate(message["event"])
        else:
            async with self._pool.connection() as conn:
                cur = await conn.execute(
                    "SELECT body FROM event_bodies WHERE id = %s", (message["id"],)
                )
                row = await cur.fetchone()
            if row is None:
                logger.warning("event body %s is gone; dropping it", message["id"])
                return
            event = ThreadEvent.model_validate_json(row["body"])
        super().publish(event)


@asynccontextmanager
async def open_event_bus(db: Database, url: str) -> AsyncIterator[EventBus]:
    """The bus for this database: shared through Postgres, or in-process for SQLite."""
    if db.pool is None:
        yield EventBus()
        return
    bus = PgEventBus(db.pool, url)
    await bus.start()
    try:
        yield bus
    finally:
        await bus.stop()

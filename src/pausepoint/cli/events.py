"""`pausepoint events`: follow thread events as they happen.

With a postgresql:// database this hears every process on the database (LISTEN/NOTIFY); with
SQLite only its own process, so it says so.
"""

from __future__ import annotations

import asyncio
import contextlib

from rich.console import Console
from rich.markup import escape

from pausepoint.persistence.database import is_postgres
from pausepoint.service.events import ThreadEvent
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings


def render_event(console: Console, event: ThreadEvent) -> None:
    line = (
        f"{event.at:%H:%M:%S} [bold]{event.type:<9}[/bold] {escape(event.workflow)} "
        f"{escape(event.thread_id)} {event.status}"
    )
    if event.pause is not None:
        line += f"  {escape(event.pause.title)!r}"
    if event.actor:
        line += f"  by {escape(event.actor)}"
    console.print(line, highlight=False)


async def follow(
    settings: Settings,
    out: Console,
    err: Console,
    *,
    thread: str | None,
    count: int | None,
    as_json: bool,
) -> None:
    """Print events (all, or one thread's) until `count` were printed or the user stops."""
    async with (
        ThreadService.open(settings, recover=False) as service,
        service.events.subscribe() as queue,
    ):
        if not is_postgres(settings.database_url):
            err.print(
                "note: with SQLite only this process's events are seen; "
                "use a postgresql:// database to hear every server"
            )
        err.print("listening for thread events (Ctrl-C to stop)")
        seen = 0
        while count is None or seen < count:
            event = await queue.get()
            if thread is not None and event.thread_id != thread:
                continue
            seen += 1
            if as_json:
                print(event.model_dump_json(), flush=True)
            else:
                render_event(out, event)


def run_follow(
    settings: Settings,
    out: Console,
    err: Console,
    *,
    thread: str | None,
    count: int | None,
    as_json: bool,
) -> None:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(follow(settings, out, err, thread=thread, count=count, as_json=as_json))

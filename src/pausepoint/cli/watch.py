"""`pausepoint watch THREAD`: a thread's run, live, until its next pause or its end.

It works from any process: the thread's status and latest progress are read from the database
every WATCH_EVERY seconds (what another process's run writes to the thread's row), and the run's
own events (each node, each progress report, a chat model's tokens) are heard on the event bus
on Postgres, or read from the run log a `--no-wait` run writes (cli/background.py) on SQLite.
Then it prints where the thread stopped, as `run` does. A thread not running is printed at once.

With `--json` each event is one JSON object on a line of its own (`pausepoint events --json`'s
form; progress read from the row has `type`, `thread_id`, `status`, `at` and `data`), the last
one the stop: `{"type": "paused"|"completed"|"failed"|"cancelled", "thread_id", "status",
"pause": the first pending pause or null, "view": the thread as `show --json` prints it}`.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from pausepoint.cli.background import run_log
from pausepoint.cli.common import ConfigOption, console, fail, load_settings
from pausepoint.cli.progress import Mode, ProgressDisplay
from pausepoint.cli.render import render_view
from pausepoint.domain import ThreadStatus, ThreadView
from pausepoint.errors import PausepointError
from pausepoint.persistence.database import is_postgres
from pausepoint.service.events import STOPS, ThreadEvent
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings

#: How often the thread is read while it runs (seconds).
WATCH_EVERY = 0.3

STOP_TYPES = {
    ThreadStatus.WAITING: "paused",
    ThreadStatus.COMPLETED: "completed",
    ThreadStatus.FAILED: "failed",
    ThreadStatus.CANCELLED: "cancelled",
}


class RunLogTail:
    """The events of one thread a background run writes to its log, read as they come."""

    def __init__(self, path: Path, thread_id: str) -> None:
        self.path = path
        self.thread_id = thread_id
        self._offset = 0
        self._partial = b""

    def read(self) -> list[ThreadEvent]:
        """The events written since the last read (a log started again is read anew)."""
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return []
        if size < self._offset:  # a new run truncated it
            self._offset, self._partial = 0, b""
        with self.path.open("rb") as log:
            log.seek(self._offset)
            data = log.read()
        self._offset += len(data)
        *lines, self._partial = (self._partial + data).split(b"\n")
        events = []
        for line in lines:
            try:
                event = ThreadEvent.model_validate_json(line)
            except ValidationError:
                continue  # the run's own log lines (warnings, a traceback)
            if event.thread_id == self.thread_id:
                events.append(event)
        return events

    def current(self) -> list[ThreadEvent]:
        """What is in the log of the run going on: the events after the last stop (those
        before it are of a run that ended)."""
        events = self.read()
        stops = [i for i, e in enumerate(events) if e.type in STOPS]
        return events[stops[-1] + 1 :] if stops else events


def stop_line(view: ThreadView) -> dict[str, Any]:
    """The last line `watch --json` prints: where the thread stopped."""
    return {
        "type": STOP_TYPES.get(view.status, str(view.status)),
        "thread_id": view.thread_id,
        "status": view.status.value,
        "pause": view.pauses[0].model_dump(mode="json") if view.pauses else None,
        "view": view.model_dump(mode="json"),
    }


async def follow(settings: Settings, thread_id: str, mode: Mode) -> ThreadView:
    """Show the thread's run until it stops; its view then."""
    async with ThreadService.open(settings, recover=False) as service:
        view = await service.get(thread_id)
        if view.status is not ThreadStatus.RUNNING:
            return view
        tail = None
        if not is_postgres(settings.database_url):
            tail = RunLogTail(run_log(settings, thread_id), thread_id)
        async with service.events.subscribe() as queue:
            display = ProgressDisplay(console, mode, title=f"{thread_id} running")
            try:
                heard = tail.current() if tail is not None else []
                while True:
                    while not queue.empty():
                        if (event := queue.get_nowait()).thread_id == thread_id:
                            heard.append(event)
                    if tail is not None:
                        heard.extend(tail.read())
                    for event in heard:
                        display.event(event)
                    heard = []
                    view = await service.get(thread_id)
                    if view.status is not ThreadStatus.RUNNING:
                        return view
                    display.progress(thread_id, view.progress)
                    await asyncio.sleep(WATCH_EVERY)
            finally:
                display.close()


def watch(
    thread: Annotated[str, typer.Argument(help="The thread id.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per line, the last one the stop.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Follow a thread live until its next pause or its end (the running node, what it
    reports, a model's tokens as written), then show where it stopped."""
    settings = load_settings(config, as_json)
    mode: Mode = "json" if as_json else ("live" if console.is_terminal else "plain")
    try:
        view = asyncio.run(follow(settings, thread, mode))
    except PausepointError as error:
        fail(error, as_json)
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    if as_json:
        print(json.dumps(stop_line(view)), flush=True)
    else:
        render_view(console, view)

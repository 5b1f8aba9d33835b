"""`--no-wait` on `run` and `answer`: the command returns as soon as the start or the answer
is stored, and the run goes on to the thread's next stop in a process of its own.

The command forks before it opens anything. The child starts a session of its own (a closed
terminal does not stop it), sends its output to the thread's run log, opens the service and
makes the call; once the request is durable (the thread's `started` event, the answer's
`answered`, both published after the row is written) it tells the parent over a pipe, and the
parent prints the thread and exits. The child runs on, writing the thread's events to the log
as JSON lines: `pausepoint watch` reads them there on SQLite, where events do not cross
processes. It holds the thread's lease while it runs, so a live server's sweep leaves the thread
to it; should it die, the next process to open the service (or that sweep) finishes the thread
from its last checkpoint, as after any crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pausepoint.cli.common import error_body, exit_code, fail_body
from pausepoint.domain import ThreadView
from pausepoint.errors import PausepointError
from pausepoint.service.events import ThreadEvent
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings

Call = Callable[[ThreadService], Awaitable[ThreadView]]
#: Whether an event says the request is stored (the child may acknowledge it).
Stored = Callable[[ThreadEvent], bool]


def run_log(settings: Settings, thread_id: str) -> Path:
    """Where the process running `thread_id` in the background writes: beside the SQLite file
    (`<file>.runs/<thread>.log`), else in the temporary folder, per database."""
    db = settings.sqlite_path
    if db is not None and str(db) not in ("", ":memory:"):
        folder = db.parent / f"{db.name}.runs"
    else:
        digest = hashlib.sha256(settings.database_url.encode()).hexdigest()[:16]
        folder = Path(tempfile.gettempdir()) / "pausepoint-runs" / digest
    return folder / f"{thread_id}.log"


def detach(
    settings: Settings, thread_id: str, call: Call, stored: Stored, as_json: bool
) -> ThreadView:
    """Make `call` in a background process and return the thread's view once `stored` (the
    thread is running by then, unless it already stopped); a refusal is printed and exits as
    the command would."""
    log = run_log(settings, thread_id)
    log.parent.mkdir(parents=True, exist_ok=True)
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    if os.fork() == 0:  # pragma: no cover - the child; the tests see what it does
        os.close(read_end)
        _become_background(log)
        code = 1
        try:
            asyncio.run(_work(settings, call, stored, write_end))
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        reply = pipe.read()
    if not reply:
        detail = f"the background run ended before the request was stored; see {log}"
        fail_body({"error": "error", "detail": detail, "fields": []}, 1, as_json)
    message = json.loads(reply)
    if "error" in message:
        fail_body(message["error"], message["code"], as_json)
    return ThreadView.model_validate(message["view"])


def _become_background(log: Path) -> None:
    """Leave the terminal's session; stdin from /dev/null, stdout and stderr to `log`."""
    os.setsid()
    out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(out)
    os.close(null)


async def _work(settings: Settings, call: Call, stored: Stored, reply_fd: int) -> None:
    """Make the call; reply on `reply_fd` once stored (or refused); print the thread's events
    until the run stops."""
    replied = False

    def reply(message: dict[str, Any]) -> None:
        nonlocal replied
        if not replied:
            replied = True
            with os.fdopen(reply_fd, "wb") as pipe:
                pipe.write(json.dumps(message, default=str).encode())

    # No recovery at start: the acknowledgement must not wait for other threads' runs.
    async with (
        ThreadService.open(settings, recover=False) as service,
        service.events.subscribe() as queue,
    ):
        task = asyncio.ensure_future(call(service))
        followed: str | None = None
        while True:
            getter = asyncio.ensure_future(queue.get())
            await asyncio.wait({task, getter}, return_when=asyncio.FIRST_COMPLETED)
            if not getter.done():
                getter.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await getter
                break
            event = getter.result()
            if followed is None and stored(event):
                followed = event.thread_id
                view = await service.get(followed)
                reply({"view": view.model_dump(mode="json")})
            if event.thread_id == followed:
                print(event.model_dump_json(), flush=True)
        while not queue.empty():
            event = queue.get_nowait()
            if event.thread_id == followed:
                print(event.model_dump_json(), flush=True)
        try:
            view = await task
        except PausepointError as error:
            if replied:  # after the acknowledgement: only the log hears of it
                print(f"the run stopped: {error.code}: {error.detail}", file=sys.stderr)
            reply({"error": error_body(error), "code": exit_code(error)})
            return
        reply({"view": view.model_dump(mode="json")})

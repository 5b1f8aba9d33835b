"""What a run is doing, shown while the CLI waits for it: the running node, the graph's own
progress text, a chat model's tokens as they are written.

On a terminal a rich spinner line shows the node and its latest text, each new text is also
printed as a line of its own (so the story stays on screen) and tokens stream under the spinner;
off a terminal (`plain`) each text is one plain line; with `--json` each is one JSON object.
`run` and `chat` show it on a terminal only, so what they print to a pipe stays as it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any, Literal

from rich.console import Console, Group
from rich.live import Live
from rich.markup import escape
from rich.spinner import Spinner
from rich.text import Text

from pausepoint.domain import Progress, ThreadStatus
from pausepoint.service.events import EventBus, ThreadEvent

Mode = Literal["live", "plain", "json"]
#: How much of a node's streamed text stays under the spinner (characters).
TOKEN_TAIL = 600


class ProgressDisplay:
    """Shows one thread's run as events and progress arrive; `close` before printing more."""

    def __init__(self, console: Console, mode: Mode, *, title: str = "running") -> None:
        self.console = console
        self.mode = mode
        self.title = title
        self._shown: tuple[str | None, str | None] | None = None
        self._node: str | None = None
        self._text: str | None = None
        self._tokens = ""
        self._live: Live | None = None
        if mode == "live":
            self._spinner = Spinner("dots", text=self._line())
            self._live = Live(
                self._renderable(), console=console, refresh_per_second=8, transient=True
            )
            self._live.start()

    def event(self, event: ThreadEvent) -> None:
        """Show what a run event says (node started or finished, progress, tokens)."""
        data = event.data
        node = data.get("node")
        if event.type == "node_started":
            self._emit_json(event)
            self._node, self._text, self._tokens = node, None, ""
            self._refresh()
        elif event.type == "node_finished":
            self._emit_json(event)
            self._flush_tokens()
        elif event.type == "progress":
            text = data.get("text")
            if isinstance(text, str) and (node, text) != self._shown:
                self._emit_json(event)
                self._say(node, text)
        elif event.type == "tokens" and isinstance(data.get("text"), str):
            self._emit_json(event)
            self._tokens += data["text"]
            if self.mode == "live":
                self._refresh()

    def progress(self, thread_id: str, progress: Progress | None) -> None:
        """Show a thread's progress as its view has it (read from another process's row)."""
        if progress is None or progress.text is None:
            if progress is not None and progress.node and progress.node != self._node:
                self._node = progress.node
                self._refresh()
            return
        if (progress.node, progress.text) == self._shown:
            return
        if self.mode == "json":
            print(json.dumps(progress_event(thread_id, progress)), flush=True)
        self._say(progress.node, progress.text)

    def close(self) -> None:
        """Stop the spinner (leaving what was printed); the tokens not yet shown are shown."""
        self._flush_tokens()
        if self._live is not None:
            self._live.stop()
            self._live = None

    def _say(self, node: str | None, text: str) -> None:
        self._shown = (node, text)
        self._node, self._text = node or self._node, text
        if self.mode == "live":
            where = f"[dim]{escape(node)}[/dim]  " if node else ""
            self.console.print(f"  {where}{escape(text)}", highlight=False)
            self._refresh()
        elif self.mode == "plain":
            self.console.print(f"{node}: {text}" if node else text, highlight=False, markup=False)

    def _flush_tokens(self) -> None:
        if self._tokens and self.mode != "json":
            self.console.print(Text(self._tokens.strip(), style="dim"))
        self._tokens = ""
        self._refresh()

    def _emit_json(self, event: ThreadEvent) -> None:
        if self.mode == "json":
            print(event.model_dump_json(), flush=True)

    def _line(self) -> str:
        parts = [self.title]
        if self._node:
            parts.append(f"[bold]{escape(self._node)}[/bold]")
        if self._text:
            parts.append(escape(self._text))
        return " · ".join(parts)

    def _renderable(self) -> Group:
        if not self._tokens:
            return Group(self._spinner)
        return Group(self._spinner, Text(self._tokens[-TOKEN_TAIL:], style="dim"))

    def _refresh(self) -> None:
        if self._live is not None:
            self._spinner.update(text=self._line())
            self._live.update(self._renderable(), refresh=True)


def progress_event(thread_id: str, progress: Progress) -> dict[str, Any]:
    """A `progress` event (as `pausepoint events --json` prints one) for progress read from a
    thread's row rather than heard."""
    return {
        "type": "progress",
        "thread_id": thread_id,
        "status": ThreadStatus.RUNNING.value,
        "at": progress.at.isoformat(),
        "data": {"node": progress.node, "text": progress.text},
    }


@contextlib.asynccontextmanager
async def showing(
    console: Console,
    bus: EventBus,
    *,
    thread_id: str | None = None,
    owner: str | None = None,
    title: str = "running",
    enabled: bool = True,
) -> AsyncIterator[None]:
    """While the body runs, show the progress of the run events on `bus` for `thread_id` (or,
    when the id is not known yet, the first thread `owner` starts). Only on a terminal, and
    when `enabled`: else nothing is shown."""
    if not (enabled and console.is_terminal):
        yield
        return
    display = ProgressDisplay(console, "live", title=title)
    followed = thread_id

    async def feed(queue: asyncio.Queue[ThreadEvent]) -> None:
        nonlocal followed
        while True:
            event = await queue.get()
            if followed is None and event.type == "started" and event.owner == owner:
                followed = event.thread_id
            if event.thread_id == followed:
                display.event(event)

    async with bus.subscribe() as queue:
        task = asyncio.create_task(feed(queue))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            display.close()

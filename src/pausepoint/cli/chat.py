"""`pausepoint chat`: talk to the orchestrator; its pauses (and its agents') are asked here.

A pause is shown from its contract: buttons become numbered choices (`1`, `accept`, or
`update: <text>` to fill the button's field), a schema without buttons becomes one prompt per
field (or takes `field: value` lines, `;`-separated, for several fields at once, asking for
the required ones left out), and `{...}` is taken as a raw JSON answer. A wrong answer shows
the field errors and asks again; the thread stays paused. `/quit` leaves any pause waiting:
`pausepoint chat --thread ID` (or any other door) continues it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol, TypeVar

from rich.console import Console
from rich.markup import escape

from pausepoint import errors
from pausepoint.cli.chat_remote import RemoteThreads
from pausepoint.cli.progress import showing
from pausepoint.domain import Action, InboxItem, Pause, ThreadStatus, ThreadSummary, ThreadView
from pausepoint.errors import (
    Conflict,
    Forbidden,
    InvalidAnswer,
    InvalidRequest,
    NotFound,
    PausepointError,
)
from pausepoint.forms import fields_from_text
from pausepoint.jsontext import parse_json
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings

T = TypeVar("T")

WORKFLOW = "orchestrator"
HELP = "commands: /threads, /inbox, /resume ID, /help, /quit"

Reader = Callable[[str], str]


class Threads(Protocol):
    """What the chat needs: ThreadService locally, RemoteThreads against a server."""

    async def start(self, workflow: str, input: dict[str, Any], actor: str) -> ThreadView: ...

    async def get(self, thread_id: str) -> ThreadView: ...

    async def answer(
        self, thread_id: str, answer: Any, actor: str, *, interrupt_id: str | None = None
    ) -> ThreadView: ...

    async def list_threads(
        self, status: ThreadStatus | None = None, *, limit: int = 50, offset: int = 0
    ) -> list[ThreadSummary]: ...

    async def inbox(self, actor: str, *, limit: int = 50, offset: int = 0) -> list[InboxItem]: ...


class Quit(Exception):
    """The person asked to leave (`/quit` or end of input)."""


def _coerce(text: str, spec: dict[str, Any]) -> Any:
    kind = spec.get("type")
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            return float(text)
        if kind == "boolean":
            return text.strip().lower() in ("y", "yes", "true", "1")
        if kind in ("array", "object"):
            return parse_json(text, "field")
    except (ValueError, InvalidRequest):
        return text  # validation then says what the field needs
    return text


def _action_for(pause: Pause, word: str) -> Action | None:
    word = word.strip().lower()
    for index, action in enumerate(pause.actions, start=1):
        label = action.label.lower()
        values = {str(v).lower() for v in action.answer.values()}
        if word in (str(index), label, label.split()[0]) or word in values:
            return action
    return None


def parse_answer(pause: Pause, line: str, read: Reader) -> Any:
    """Turn what the person typed into an answer for `pause` (may prompt for more fields)."""
    text = line.strip()
    if text.startswith(("{", "[")):
        try:
            return parse_json(text, "answer")
        except InvalidRequest as exc:
            raise InvalidAnswer(exc.detail) from exc
    properties: dict[str, Any] = (pause.response_schema or {}).get("properties", {})
    if pause.actions:
        head, sep, rest = text.partition(":")
        action = _action_for(pause, head) if sep else _action_for(pause, text)
        if action is None and not sep:
            first, _, rest = text.partition(" ")
            action = _action_for(pause, first)
        if action is None:
            choices = ", ".join(a.label for a in pause.actions)
            raise InvalidAnswer(f"choose one of: {choices}")
        answer: dict[str, Any] = dict(action.answer)
        for index, name in enumerate(action.fields):
            value = rest.strip() if index == 0 and rest.strip() else read(f"  {name}> ")
            answer[name] = value
        return answer
    if len(properties) == 1:
        name, spec = next(iter(properties.items()))
        return {name: _coerce(text, spec)}
    required = set((pause.response_schema or {}).get("required", []))
    if properties and (given := fields_from_text(pause, text)) is not None:
        for name in (n for n in properties if n in required and n not in given):
            given[name] = _coerce(read(f"  {name}> "), properties[name])
        return given
    if properties:
        answer = {}
        for index, (name, spec) in enumerate(properties.items()):
            value = text if index == 0 and text else read(f"  {name}> ")
            if value or name in required:
                answer[name] = _coerce(value, spec)
        return answer
    return text


def render_pause(console: Console, pause: Pause) -> None:
    buttons = "  ".join(f"[{escape(a.label)}]" for a in pause.actions)
    console.print(f"? [bold]{escape(pause.title)}[/bold]  {buttons}")
    if pause.message:
        console.print(f"  {escape(pause.message)}")
    for key, value in pause.context.items():
        if key == "candidates" and isinstance(value, list):
            for c in value:
                console.print(
                    f"  - {escape(str(c.get('agent')))}: {escape(str(c.get('description')))}"
                )
            continue
        shown = value if isinstance(value, str) else json.dumps(value)
        console.print(f"  {escape(str(key))}: {escape(str(shown))}")
    properties: dict[str, Any] = (pause.response_schema or {}).get("properties", {})
    if not pause.actions and len(properties) > 1:
        required = set((pause.response_schema or {}).get("required", []))
        fields = ", ".join(f"{n}{'*' if n in required else ''}" for n in properties)
        console.print(f"  fields: {escape(fields)}  (type the first, `field: value; ...` or JSON)")
    if pause.actions:
        choices = ", ".join(f"{i}) {a.label}" for i, a in enumerate(pause.actions, start=1))
        hint = next((a for a in pause.actions if a.fields), None)
        example = f"  (or '{hint.label.split()[0].lower()}: <{hint.fields[0]}>')" if hint else ""
        console.print(f"  answer: {escape(choices)}{escape(example)}")


def render_plan(console: Console, view: ThreadView) -> None:
    if not view.steps:
        return
    agents = ", ".join(
        f"{s.get('agent')}"
        + (f" (workflow: {s.get('agent')})" if s.get("kind") == "workflow" else "")
        for s in view.steps.values()
    )
    console.print(f"… planning: {escape(agents)} …")


def render_outcome(console: Console, view: ThreadView) -> None:
    if view.status is ThreadStatus.COMPLETED:
        result = view.result  # the orchestrator's answer, else (a team's graph) its state
        answer = result["answer"] if isinstance(result, dict) and "answer" in result else result
        text = answer if isinstance(answer, str) else json.dumps(answer, default=str)
        console.print(f"✓ done — {escape(text)}")
    elif view.status is ThreadStatus.FAILED:
        console.print(f"✗ failed — {escape(str(view.error))}")
    elif view.status is ThreadStatus.CANCELLED:
        console.print("✗ cancelled")


class Chat:
    """One chat session over a ThreadService: a request, then its pauses, until done."""

    def __init__(self, service: Threads, console: Console, actor: str, read: Reader) -> None:
        self.service = service
        self.console = console
        self.actor = actor
        self._read = read
        self.view: ThreadView | None = None

    def read(self, prompt: str) -> str:
        try:
            line = self._read(prompt)
        except (EOFError, KeyboardInterrupt) as exc:
            raise Quit from exc
        return line

    async def _busy(self, work: Awaitable[T], thread_id: str | None = None) -> T:
        """Await `work` under a spinner; run here, it shows the running node and its progress
        (of `thread_id`, else the thread this person starts)."""
        title = "working: parse → search → rank → plan → execute …"
        if isinstance(self.service, ThreadService):
            bus = self.service.events
            async with showing(
                self.console, bus, thread_id=thread_id, owner=self.actor, title=title
            ):
                return await work
        with self.console.status(title):
            return await work

    async def show(self, view: ThreadView) -> None:
        self.view = view
        if view.status is not ThreadStatus.WAITING:
            render_outcome(self.console, view)
            self.view = None

    async def command(self, line: str) -> bool:
        """Run a `/command`; False when `line` is not one."""
        name, _, arg = line.strip().partition(" ")
        if name in ("/quit", "/exit", "/q"):
            raise Quit
        if name == "/help":
            self.console.print(HELP)
        elif name == "/threads":
            for t in await self.service.list_threads(limit=20):
                self.console.print(f"  {t.thread_id}  {t.workflow}  {t.status}")
        elif name == "/inbox":
            for item in await self.service.inbox(self.actor, limit=20):
                self.console.print(f"  {item.thread_id}  {item.kind}: {escape(item.title)}")
        elif name == "/resume":
            view = await self.service.get(arg.strip())
            self.console.print(f"thread {view.thread_id} ({view.status})")
            render_plan(self.console, view)
            await self.show(view)
        else:
            return False
        return True

    async def try_command(self, line: str) -> None:
        """Run a command; an unknown one or a domain error is shown, never fatal."""
        try:
            if not await self.command(line):
                self.console.print(f"unknown command {escape(line.split()[0])}; {HELP}")
        except PausepointError as error:
            self.console.print(f"[red]✗[/red] {escape(error.detail)}")

    async def answer(self, view: ThreadView) -> None:
        pause = view.pauses[0]
        render_pause(self.console, pause)
        while True:
            line = self.read("you> ")
            if line.startswith("/"):
                await self.try_command(line)
                if self.view is None or self.view.thread_id != view.thread_id:
                    return  # /resume moved to another conversation
                continue
            try:
                answer = parse_answer(pause, line, self.read)
                new = await self._busy(
                    self.service.answer(
                        view.thread_id, answer, self.actor, interrupt_id=pause.interrupt_id
                    ),
                    view.thread_id,
                )
            except (Conflict, NotFound, Forbidden) as error:
                # answered elsewhere meanwhile, or not ours to answer: show where it stands
                self.console.print(f"[red]✗[/red] {escape(error.detail)}")
                await self.show(await self.service.get(view.thread_id))
                return
            except InvalidAnswer as error:
                if not error.fields:
                    self.console.print(f"[red]✗[/red] {escape(error.detail)}")
                for f in error.fields:
                    self.console.print(
                        f"✗ {escape(str(f.get('loc') or 'answer'))}: {escape(str(f.get('message')))}"
                    )
                continue
            await self.show(new)
            return

    async def loop(self) -> int:
        try:
            while True:
                if self.view is not None and self.view.status is ThreadStatus.WAITING:
                    await self.answer(self.view)
                    continue
                line = self.read("you> ").strip()
                if not line:
                    continue
                if line.startswith("/"):
                    await self.try_command(line)
                    continue
                view = await self._busy(self.service.start(WORKFLOW, {"prompt": line}, self.actor))
                self.console.print(f"thread {view.thread_id}")
                render_plan(self.console, view)
                await self.show(view)
        except Quit:
            if self.view is not None and self.view.status is ThreadStatus.WAITING:
                self.console.print(
                    f"paused — continue with: pausepoint chat --thread {self.view.thread_id}"
                )
            self.console.print("bye")
            return 0


@asynccontextmanager
async def open_threads(
    url: str | None, key: str | None, settings: Settings
) -> AsyncIterator[Threads]:
    """The local ThreadService on `settings`, or a running server's API when `url` is given."""
    if url:
        remote = RemoteThreads(url, key=key)
        try:
            yield remote
        finally:
            await remote.aclose()
        return
    async with ThreadService.open(settings) as service:
        yield service


def run_chat(
    console: Console,
    actor: str,
    thread: str | None,
    settings: Settings,
    *,
    url: str | None = None,
    key: str | None = None,
    read: Reader = input,
) -> int:
    async def go() -> int:
        async with open_threads(url, key, settings) as threads:
            chat = Chat(threads, console, actor, lambda prompt: _prompted(console, prompt, read))
            if thread:
                try:
                    await chat.command(f"/resume {thread}")
                except PausepointError as error:
                    console.print(f"[red]error[/red] ({error.code}): {escape(error.detail)}")
                    return 5
            else:
                where = f" ({url})" if url else ""
                console.print(f"Pausepoint chat{where}. Ask for something; {HELP}")
            return await chat.loop()

    try:
        return asyncio.run(go())
    except errors.ConfigurationError as error:
        console.print(f"[red]error[/red] ({error.code}): {escape(error.detail)}")
        return 1


def _prompted(console: Console, prompt: str, read: Reader) -> str:
    console.print(prompt, end="")
    console.file.flush()
    return read("")

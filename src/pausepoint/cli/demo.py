"""`pausepoint demo`: the story review loop at the terminal, answered with prompts."""

from __future__ import annotations

import asyncio

from rich.console import Console
from rich.markup import escape
from rich.prompt import Prompt

from pausepoint.cli.render import render_view
from pausepoint.domain import ThreadStatus
from pausepoint.errors import NotFound, PausepointError
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings


def run_demo(console: Console, actor: str, settings: Settings) -> int:
    """The demo on `settings`' database; 0 once a story is accepted."""

    async def go() -> int:
        async with ThreadService.open(settings) as service:
            service.workflows.get("story")  # not served (a team's folder): say so first
            prompt = Prompt.ask("What should the story be about?", console=console)
            view = await service.start("story", {"prompt": prompt or "a fox"}, actor)
            while view.status is ThreadStatus.WAITING:
                render_view(console, view)
                choice = Prompt.ask(
                    "Accept or update?", choices=["accept", "update"], console=console
                )
                if choice == "accept":
                    view = await service.answer(view.thread_id, {"decision": "accept"}, actor)
                    continue
                comments = Prompt.ask("Your comments", console=console)
                view = await service.answer(
                    view.thread_id, {"decision": "update", "comments": comments}, actor
                )
            render_view(console, view)
            return 0 if view.status is ThreadStatus.COMPLETED else 1

    try:
        return asyncio.run(go())
    except PausepointError as error:
        console.print(f"[red]error[/red] ({error.code}): {escape(error.detail)}")
        return 5 if isinstance(error, NotFound) else 1

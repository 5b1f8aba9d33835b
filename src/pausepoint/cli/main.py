"""The `pausepoint` command: a thin door over ThreadService.

Human output by default (the pause shown as its form); `--json` prints one JSON object.
Exit codes: 0 ok, 2 usage, 3 conflict, 4 invalid answer or input, 5 not found, 1 otherwise.
"""

from __future__ import annotations

import sys
import uuid
from typing import Annotated, Any

import typer
from rich.console import Console

from pausepoint.cli.background import detach
from pausepoint.cli.common import (
    AsOption,
    ConfigOption,
    JsonOption,
    NoWaitOption,
    actor_name,
    console,
    err_console,
    fail,
    load_settings,
    parse_answer_arg,
    parse_json,
    print_json,
    with_service,
)
from pausepoint.cli.progress import showing
from pausepoint.cli.render import render_decisions, render_inbox, render_view
from pausepoint.domain import ThreadView
from pausepoint.errors import InvalidInput, InvalidRequest, PausepointError
from pausepoint.service.doors import Door
from pausepoint.service.threads import ThreadService

app = typer.Typer(
    help="Pausepoint: workflows that pause for a person and resume when they answer.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.command()
def run(
    workflow: Annotated[str, typer.Argument(help="The workflow to start (see `workflows`).")],
    input: Annotated[str, typer.Option("--input", "-i", help="The input, as JSON.")] = "{}",
    actor: AsOption = None,
    as_json: JsonOption = False,
    config: ConfigOption = None,
    no_wait: NoWaitOption = False,
) -> None:
    """Start a workflow; print where it stopped (a pause, a result or an error), showing what
    it does meanwhile; with --no-wait, print the thread once it is stored (it runs on)."""
    data = parse_json(input, "--input", as_json)
    if not isinstance(data, dict):
        fail(InvalidInput("--input must be a JSON object"), as_json)
    who, thread = actor_name(actor), uuid.uuid4().hex

    async def start(s: ThreadService) -> ThreadView:
        async with showing(console, s.events, thread_id=thread, enabled=not as_json):
            return await s.start(workflow, data, who, thread_id=thread)

    if no_wait:
        settings = load_settings(config, as_json)
        stored = lambda e: e.type == "started" and e.thread_id == thread  # noqa: E731
        view = detach(settings, thread, start, stored, as_json)
    else:
        view = with_service(start, as_json, config)
    print_json(view) if as_json else render_view(console, view)


@app.command()
def answer(
    thread: Annotated[str, typer.Argument(help="The thread id.")],
    answer_json: Annotated[
        str,
        typer.Argument(
            metavar="ANSWER_JSON",
            help="The answer, as JSON, or in words mapped onto the form like every other door's "
            "text: an action (`accept`, `update: shorter`) or `field: value` lines.",
        ),
    ],
    pause: Annotated[
        str | None, typer.Option("--pause", help="The interrupt id (needed if several wait).")
    ] = None,
    actor: AsOption = None,
    as_json: JsonOption = False,
    config: ConfigOption = None,
    no_wait: NoWaitOption = False,
) -> None:
    """Answer a thread's pending pause; print where it stopped next (with --no-wait: once
    the answer is stored, the thread running on)."""
    value, text = parse_answer_arg(answer_json, "ANSWER_JSON", as_json)
    who = actor_name(actor)

    async def send(s: ThreadService) -> ThreadView:
        door = Door(s, who)
        async with showing(console, s.events, thread_id=thread, enabled=not as_json):
            if text is not None:
                return await door.reply(thread, text, interrupt_id=pause)
            return await door.answer(thread, value, interrupt_id=pause)

    if no_wait:
        settings = load_settings(config, as_json)
        stored = lambda e: e.type == "answered" and e.thread_id == thread and e.actor == who  # noqa: E731
        view = detach(settings, thread, send, stored, as_json)
    else:
        view = with_service(send, as_json, config)
    print_json(view) if as_json else render_view(console, view)


@app.command()
def show(
    thread: Annotated[str, typer.Argument(help="The thread id.")],
    as_json: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Show a thread: status, pending pauses with their forms, result."""
    view = with_service(lambda s: s.get(thread), as_json, config)
    print_json(view) if as_json else render_view(console, view)


@app.command()
def inbox(
    actor: AsOption = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    as_json: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Every pause waiting for you, newest first."""
    rows = with_service(lambda s: s.inbox(actor_name(actor), limit=limit), as_json, config)
    if as_json:
        print_json({"inbox": [r.model_dump(mode="json") for r in rows]})
    else:
        render_inbox(console, rows)


@app.command()
def decisions(
    thread: Annotated[str, typer.Argument(help="The thread id.")],
    as_json: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """The decision log of a thread: who answered what, when, on which payload."""
    rows = with_service(lambda s: s.decisions(thread), as_json, config)
    if as_json:
        print_json({"decisions": [r.model_dump(mode="json") for r in rows]})
    else:
        render_decisions(console, rows)


@app.command()
def cancel(
    thread: Annotated[str, typer.Argument(help="The thread id.")],
    actor: AsOption = None,
    as_json: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Cancel a thread that has not finished."""
    view = with_service(lambda s: s.cancel(thread, actor_name(actor)), as_json, config)
    print_json(view) if as_json else render_view(console, view)


@app.command()
def workflows(as_json: JsonOption = False, config: ConfigOption = None) -> None:
    """The workflows you can run."""

    async def listing(s: ThreadService) -> list[dict[str, Any]]:
        return [
            {"name": w.name, "description": w.description, "input_schema": w.input_schema()}
            for w in s.workflows
        ]

    rows = with_service(listing, as_json, config)
    if as_json:
        print_json({"workflows": rows})
        return
    for row in rows:
        console.print(f"[bold]{row['name']}[/bold]  {row['description']}")


@app.command()
def sweep(as_json: JsonOption = False, config: ConfigOption = None) -> None:
    """Apply the on_timeout of every pause whose deadline has passed (the server does this)."""
    handled = with_service(lambda s: s.sweep_deadlines(), as_json, config)
    print_json({"handled": handled}) if as_json else console.print(f"{handled} pause(s) timed out")


@app.command()
def events(
    thread: Annotated[
        str | None, typer.Option("--thread", help="Only this thread's events.")
    ] = None,
    count: Annotated[
        int | None, typer.Option("--count", min=1, help="Stop after this many events.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    config: ConfigOption = None,
) -> None:
    """Follow thread events (started, paused, answered, completed...) as they happen."""
    from pausepoint.cli.events import run_follow

    settings = load_settings(config, as_json)
    try:
        run_follow(settings, console, err_console, thread=thread, count=count, as_json=as_json)
    except PausepointError as error:
        fail(error, as_json)


@app.command()
def chat(
    thread: Annotated[
        str | None, typer.Option("--thread", help="Continue this conversation where it stopped.")
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="Talk to a running server instead (http://...).")
    ] = None,
    key: Annotated[str | None, typer.Option("--key", help="API key for --url.")] = None,
    actor: AsOption = None,
    config: ConfigOption = None,
) -> None:
    """Chat with the orchestrator: it plans your request and asks you when it must."""
    from pausepoint.cli.chat import run_chat

    if url and config is not None:
        fail(
            InvalidRequest("--config serves graphs here; the server at --url serves its own"),
            False,
            code=2,
        )
    settings = load_settings(config)
    chat_console = Console(soft_wrap=True, highlight=False)
    sys.exit(run_chat(chat_console, actor_name(actor), thread, settings, url=url, key=key))


@app.command()
def demo(config: ConfigOption = None) -> None:
    """Run the story workflow interactively: review drafts until you accept one."""
    from pausepoint.cli.demo import run_demo

    sys.exit(run_demo(console, actor_name(None), load_settings(config)))


from pausepoint.cli.state import threads_app  # noqa: E402

app.add_typer(threads_app, name="threads")

from pausepoint.cli.serve import keys_app, serve  # noqa: E402

app.command()(serve)

from pausepoint.cli.notifications import notifications_app  # noqa: E402
from pausepoint.cli.watch import watch  # noqa: E402

app.command()(watch)
app.add_typer(keys_app, name="keys")
app.add_typer(notifications_app, name="notifications")


def main() -> None:  # pragma: no cover - the console script
    app()


if __name__ == "__main__":  # pragma: no cover
    app()

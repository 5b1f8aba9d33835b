"""`pausepoint threads`: list threads, export a thread's state file, import an edited one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from pausepoint.cli.common import (
    AsOption,
    ConfigOption,
    JsonOption,
    actor_name,
    console,
    fail,
    load_settings,
    parse_json,
    print_json,
    with_service,
)
from pausepoint.cli.render import render_threads, render_view
from pausepoint.domain import ThreadStatus
from pausepoint.errors import InvalidInput

threads_app = typer.Typer(
    help="List threads (the default), or export / import a thread's state file.",
    invoke_without_command=True,
)

StatusOption = Annotated[
    ThreadStatus | None, typer.Option("--status", help="Only threads in this status.")
]
LimitOption = Annotated[int, typer.Option(min=1, max=1000)]


def _list(status: ThreadStatus | None, limit: int, as_json: bool, config: Path | None) -> None:
    rows = with_service(lambda s: s.list_threads(status, limit=limit), as_json, config)
    if as_json:
        print_json({"threads": [r.model_dump(mode="json") for r in rows]})
    else:
        render_threads(console, rows)


@threads_app.callback()
def threads(
    ctx: typer.Context,
    status: StatusOption = None,
    limit: LimitOption = 50,
    as_json: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """List threads, most recently updated first."""
    if ctx.invoked_subcommand is None:
        _list(status, limit, as_json, config)


@threads_app.command("list")
def list_threads(
    status: StatusOption = None,
    limit: LimitOption = 50,
    as_json: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """List threads, most recently updated first."""
    _list(status, limit, as_json, config)


@threads_app.command("export")
def export_state(
    thread: Annotated[str, typer.Argument(help="The thread id.")], config: ConfigOption = None
) -> None:
    """Print the thread's state file (JSON): steps, context, pending pauses, decisions."""
    state = with_service(lambda s: s.export_state(thread), False, config)
    print(json.dumps(state, indent=2, sort_keys=True, default=str))


@threads_app.command("import")
def import_state(
    file: Annotated[Path, typer.Argument(help="An edited state file ('-' for stdin).")],
    actor: AsOption = None,
    as_json: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Resume a thread from an edited state file (a paused step marked completed)."""
    load_settings(config, as_json)  # a wrong --config is said before the file is read
    try:
        text = typer.get_text_stream("stdin").read() if str(file) == "-" else file.read_text()
    except OSError as exc:
        fail(InvalidInput(f"cannot read {file}: {exc}"), as_json)
    state: Any = parse_json(text, str(file), as_json)
    view = with_service(lambda s: s.import_state(state, actor_name(actor)), as_json, config)
    print_json(view) if as_json else render_view(console, view)

"""`pausepoint notifications`: the outbox (what was sent, what waits, what was given up), and
`retry ID` to send a dead one again."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal, TypeVar

import typer
from rich.table import Table

from pausepoint.cli.common import ConfigOption, JsonOption, console, load_settings, print_json
from pausepoint.persistence.database import open_database
from pausepoint.persistence.records import NotificationRow
from pausepoint.persistence.serde import make_serializer
from pausepoint.persistence.store import Store

T = TypeVar("T")

notifications_app = typer.Typer(
    help="List the notifications outbox (the default), or send a dead one again.",
    invoke_without_command=True,
)

Status = Literal["pending", "sent", "dead"]
StatusOption = Annotated[
    Status | None, typer.Option("--status", help="Only notifications in this status.")
]


def _with_store(call: Callable[[Store], Awaitable[T]], config: Path | None, as_json: bool) -> T:
    settings = load_settings(config, as_json)

    async def go() -> T:
        async with open_database(settings, make_serializer([])) as db:
            return await call(db.store)

    return asyncio.run(go())


def _row_json(row: NotificationRow) -> dict[str, object]:
    return {
        "id": row.id,
        "status": row.status,
        "event": row.event,
        "channel": row.channel,
        "target": row.target,
        "thread_id": row.thread_id,
        "attempts": row.attempts,
        "created_at": row.created_at.isoformat(),
        "next_at": row.next_at.isoformat() if row.next_at else None,
        "last_error": row.last_error,
    }


@notifications_app.callback()
def notifications(
    ctx: typer.Context,
    status: StatusOption = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 100,
    as_json: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """List notifications, newest first."""
    if ctx.invoked_subcommand is not None:
        return
    rows = _with_store(lambda s: s.list_notifications(status, limit), config, as_json)
    if as_json:
        print_json({"notifications": [_row_json(r) for r in rows]})
        return
    if not rows:
        console.print("no notifications")
        return
    table = Table("id", "status", "event", "to", "thread", "attempts", "last error")
    for r in rows:
        to = f"{r.channel}: {r.target}"
        table.add_row(r.id, r.status, r.event, to, r.thread_id, str(r.attempts), r.last_error or "")
    console.print(table)


@notifications_app.command("retry")
def retry(
    notification: Annotated[str, typer.Argument(help="The notification's id.")],
    config: ConfigOption = None,
) -> None:
    """Send a dead (or pending) notification again, now."""

    async def again(store: Store) -> str | None:
        row = await store.get_notification(notification)
        if row is None:
            return f"no notification {notification!r}"
        if row.status == "sent":
            return f"notification {notification!r} was sent already"
        await store.finish_notification(row.id, "pending", row.attempts, datetime.now(UTC), None)
        return None

    refusal = _with_store(again, config, False)
    if refusal is not None:
        console.print(f"[red]{refusal}[/red]")
        raise typer.Exit(1)
    console.print(f"notification {notification} will be sent again by the server")

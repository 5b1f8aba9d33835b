"""Human output for the CLI: a thread, its pause shown as a form, lists and logs."""

from __future__ import annotations

import json
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from pausepoint.domain import Decision, InboxItem, Pause, ThreadStatus, ThreadSummary, ThreadView


def _form_lines(pause: Pause) -> list[str]:
    lines: list[str] = []
    schema = pause.response_schema or {}
    for action in pause.actions:
        fields = f" + {', '.join(action.fields)}" if action.fields else ""
        lines.append(f"  [{action.label}] -> {json.dumps(action.answer)}{fields}")
    props = schema.get("properties", {})
    if props and not pause.actions:
        required = set(schema.get("required", []))
        for name, spec in props.items():
            mark = "*" if name in required else ""
            lines.append(
                f"  {name}{mark}: {spec.get('type', 'any')}  {spec.get('description', '')}"
            )
    return lines


def _example(pause: Pause) -> str:
    """An answer to type: the first action in words, `field: value` pairs, or JSON."""
    if pause.actions:
        return f"'{pause.actions[0].label.lower()}' (or '<json>')"
    schema = pause.response_schema or {}
    props = schema.get("properties", {})
    if len(props) > 1:
        names = [n for n in props if n in set(schema.get("required", []))] or list(props)[:1]
        return "'" + "; ".join(f"{n}: …" for n in names) + "' (or '<json>')"
    return "'<text or json>'"


def render_pause(console: Console, view: ThreadView, pause: Pause) -> None:
    body: list[str] = []
    if pause.message:
        body.append(pause.message)
    for key, value in pause.context.items():
        text = value if isinstance(value, str) else json.dumps(value)
        body.append(f"[bold]{key}[/bold]: {text}")
    body.append("")
    body.extend(_form_lines(pause))
    body.append("")
    body.append(f"answer with: pausepoint answer {view.thread_id} {_example(pause)}")
    if len(view.pauses) > 1:
        body.append(f"  --pause {pause.interrupt_id}")
    console.print(Panel("\n".join(body), title=f"{pause.kind}: {pause.title}", expand=False))


def render_view(console: Console, view: ThreadView) -> None:
    if view.status is ThreadStatus.WAITING:
        titles = ", ".join(f'"{p.title}"' for p in view.pauses)
        console.print(f"thread [bold]{view.thread_id}[/bold] is waiting: {titles}")
        for pause in view.pauses:
            render_pause(console, view, pause)
    elif view.status is ThreadStatus.COMPLETED:
        console.print(f"thread [bold]{view.thread_id}[/bold] completed")
        console.print(json.dumps(view.result, indent=2, default=str))
    elif view.status is ThreadStatus.FAILED:
        console.print(f"thread [bold]{view.thread_id}[/bold] [red]failed[/red]: {view.error}")
    elif view.status is ThreadStatus.RUNNING:
        doing = view.progress.text or view.progress.node if view.progress else None
        console.print(
            f"thread [bold]{view.thread_id}[/bold] is running"
            + (f": {escape(doing)}" if doing else ""),
            highlight=False,
        )
        console.print(f"follow it with: pausepoint watch {view.thread_id}", highlight=False)
    else:
        console.print(f"thread [bold]{view.thread_id}[/bold] is {view.status}")


def render_threads(console: Console, rows: Sequence[ThreadSummary]) -> None:
    table = Table("thread", "workflow", "status", "owner", "updated")
    for r in rows:
        table.add_row(r.thread_id, r.workflow, r.status, r.owner, r.updated_at.isoformat())
    console.print(table)


def render_inbox(console: Console, rows: Sequence[InboxItem]) -> None:
    table = Table("thread", "pause", "kind", "title", "workflow", "since")
    for r in rows:
        table.add_row(
            r.thread_id, r.interrupt_id, r.kind, r.title, r.workflow, r.created_at.isoformat()
        )
    console.print(table)


def render_decisions(console: Console, rows: Sequence[Decision]) -> None:
    table = Table("when", "actor", "pause", "answer", "payload digest", "applied")
    for d in rows:
        table.add_row(
            d.decided_at.isoformat(),
            d.actor,
            d.interrupt_id,
            json.dumps(d.answer),
            d.payload_digest[:12],
            "yes" if d.applied_at else "no",
        )
    console.print(table)

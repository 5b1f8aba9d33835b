"""What a notification says, whatever carries it: its headline, its context as short `key: value`
lines, the deadline in words, and the link to the page (only an http(s) one)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

#: How many characters of a title a headline keeps.
TITLE_CHARS = 150
#: How many characters of one context value a line keeps.
VALUE_CHARS = 120
#: How many context entries a message lists.
CONTEXT_LINES = 20


def clip(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def short_id(thread_id: str) -> str:
    """The first 8 characters of a thread id: enough to tell threads apart in a subject."""
    return thread_id[:8]


def pause_of(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    """The event's pause, or an empty mapping for events without one."""
    pause = payload.get("pause")
    return pause if isinstance(pause, Mapping) else {}


def subject_of(payload: Mapping[str, Any]) -> str:
    """What the event is about: the pause's title, or `<workflow> <thread short id>`."""
    title = pause_of(payload).get("title")
    if isinstance(title, str) and title.strip():
        return clip(title, TITLE_CHARS)
    return f"{payload.get('workflow') or 'thread'} {short_id(str(payload.get('thread_id', '')))}"


def when(iso: str) -> str:
    """An ISO time as `2026-12-05 10:00 UTC`; the text as given when it does not parse."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip()


def deadline_of(payload: Mapping[str, Any]) -> str | None:
    """The pause's deadline in words, or None."""
    deadline = pause_of(payload).get("deadline")
    return when(deadline) if isinstance(deadline, str) and deadline else None


def assignee_of(payload: Mapping[str, Any]) -> str | None:
    """Who the pause is assigned to, or None."""
    assignee = pause_of(payload).get("assignee")
    return assignee if isinstance(assignee, str) and assignee else None


def headline(payload: Mapping[str, Any], recipient: str | None) -> str:
    """One line saying what happened: `Waiting for <recipient>: <title>`, `Escalated to ...`,
    `Reminder: <title> is due <deadline>`, `Completed: <workflow> <id>`, `Failed: ...`.
    Without a recipient the "for"/"to" part is left out."""
    kind = str(payload.get("type", ""))
    about = subject_of(payload)
    if kind == "paused":
        return f"Waiting for {recipient}: {about}" if recipient else f"Waiting: {about}"
    if kind == "escalated":
        return f"Escalated to {recipient}: {about}" if recipient else f"Escalated: {about}"
    if kind == "reminder":
        deadline = deadline_of(payload)
        return f"Reminder: {about} is due {deadline}" if deadline else f"Reminder: {about}"
    if kind in ("completed", "failed"):
        workflow = payload.get("workflow") or "thread"
        return f"{kind.capitalize()}: {workflow} {short_id(str(payload.get('thread_id', '')))}"
    return f"{kind.capitalize() or 'Event'}: {about}"


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
    except ValueError:  # a circular structure
        return repr(value)


def context_lines(payload: Mapping[str, Any], *, limit: int = CONTEXT_LINES) -> list[str]:
    """The pause's context as `key: value` lines (values on one line, clipped), at most
    `limit` of them; a last `… and N more` line says what was left out."""
    context = pause_of(payload).get("context")
    if not isinstance(context, Mapping):
        return []
    items = list(context.items())
    lines = [clip(f"{key}: {_as_text(value)}", VALUE_CHARS) for key, value in items[:limit]]
    if len(items) > limit:
        lines.append(f"… and {len(items) - limit} more")
    return lines


def summary(payload: Mapping[str, Any], limit: int = 200) -> str:
    """The context on one line (`a: 1 · b: 2`), at most `limit` characters."""
    return clip(" · ".join(context_lines(payload)), limit)


def link_of(payload: Mapping[str, Any]) -> str | None:
    """The page's link to the thread, when the event has one and it is http(s)."""
    url = payload.get("url")
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        return url
    return None

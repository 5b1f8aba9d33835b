"""A pause in words: the text part of an input-required task's status message.

A client that shows only text parts must be able to decide from it alone, so the text carries
the pause's title and message, the context the person decides on (strings in full, other
values as short JSON), and what answers it takes: each action as the reply that chooses it,
or the fields of its form. The replies offered are the ones `forms.answer_from_text` (the
one mapping of words onto a pause, shared by every door) turns into that action's answer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pausepoint.domain import Action, Pause
from pausepoint.errors import InvalidAnswer
from pausepoint.forms import answer_from_text, validate_answer

#: Non-string context values longer than this (as JSON) are cut, ending in "…".
MAX_VALUE_CHARS = 300
#: Strings up to this long (without a line break) stay on their key's line.
INLINE_CHARS = 80
#: Longer names (a payload digest) are never offered as a reply to type.
MAX_REPLY_CHARS = 40
#: What a typed-in field stands for in the replies offered.
_SLOT = "<{}>"
#: Words that choose no action: where a reply of free text goes.
_PROBE = "<your words>"
_MISSING = object()
#: How a field that is not free text is described.
_KINDS = {"integer": "a whole number", "number": "a number", "boolean": "yes or no"}


def pauses_text(pauses: Sequence[Pause]) -> str:
    """The pauses a thread waits on, in words (several: each named by its interrupt id)."""
    if len(pauses) <= 1:
        return pause_text(pauses[0]) if pauses else ""
    blocks = [f"[{p.interrupt_id}] {pause_text(p)}" for p in pauses]
    blocks.append(
        f"{len(pauses)} pauses are pending: answer one with a data part "
        '{"interrupt_id": ID, "answer": ...}, or several with {"answers": {ID: answer}}.'
    )
    return "\n\n".join(blocks)


def pause_text(pause: Pause) -> str:
    """One pause in words: heading, context, how to answer."""
    heading = f"{pause.title}\n{pause.message}" if pause.message else pause.title
    blocks = [heading, _context_text(pause.context), _answers_text(pause)]
    return "\n\n".join(b for b in blocks if b)


def _short_json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _context_text(context: dict[str, Any]) -> str:
    lines: list[str] = []
    for key, value in context.items():
        if value is None:
            continue
        if isinstance(value, str):
            inline = len(value) <= INLINE_CHARS and "\n" not in value
            lines.append(f"{key}: {value}" if inline else f"{key}:\n{value}")
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(f"{key}:")
            lines.extend(f"- {_short_json(v)}" for v in value)
        else:
            lines.append(f"{key}: {_short_json(value)}")
    return "\n".join(lines)


def _mapped(pause: Pause, text: str) -> Any:
    """What `text` answers `pause` with (`_MISSING` if it is refused)."""
    try:
        return answer_from_text(pause, text)
    except InvalidAnswer:
        return _MISSING


def _names(action: Action) -> list[str]:
    """What a person might type to choose `action`, shortest first."""
    names = {action.label.strip().lower()}
    names.update(v.strip().lower() for v in action.answer.values() if isinstance(v, str))
    return sorted((n for n in names if n and len(n) <= MAX_REPLY_CHARS), key=lambda n: (len(n), n))


def _field_spec(pause: Pause, field: str) -> dict[str, Any]:
    """The schema of an answer field, looked up in the schema and its `$defs` branches."""
    schema = pause.response_schema or {}
    for branch in [schema, *schema.get("$defs", {}).values()]:
        spec = branch.get("properties", {}).get(field) if isinstance(branch, dict) else None
        if isinstance(spec, dict):
            return spec
    return {}


def _reply_for(pause: Pause, action: Action) -> str | None:
    """The text reply that answers with `action` (its one text field as a slot), if any."""
    if not action.fields:
        for name in _names(action):
            if _mapped(pause, name) == dict(action.answer):
                return name
        return None
    if len(action.fields) > 1 or _field_spec(pause, action.fields[0]).get("type") != "string":
        return None
    field = action.fields[0]
    slot = _SLOT.format(field)
    for name in _names(action):
        if _mapped(pause, f"{name}: {slot}") == {**action.answer, field: slot}:
            return f"{name}: {slot}"
    return None


def _data_part(answer: dict[str, Any]) -> str:
    return json.dumps({"answer": answer}, ensure_ascii=False)


def _action_line(pause: Pause, action: Action) -> str:
    reply = _reply_for(pause, action)
    if reply is not None:
        same = reply == action.label.strip().lower()
        return f'- "{reply}"' if same else f'- "{reply}" ({action.label})'
    answer = {**action.answer, **{f: "..." for f in action.fields}}
    return f"- {action.label}: send a data part {_data_part(answer)}"


def _free_text_line(pause: Pause) -> str | None:
    """Which action free text is taken for, when answer_from_text takes it for one."""
    for action in pause.actions:
        if len(action.fields) == 1:
            field = action.fields[0]
            if _mapped(pause, _PROBE) == {**action.answer, field: _PROBE}:
                return f"Any other reply is taken as the {field} of “{action.label}”."
    return None


def _form_text(pause: Pause) -> str:
    schema = pause.response_schema
    answer = _mapped(pause, _PROBE)
    if answer is not _MISSING and not validate_answer(schema, answer):
        if isinstance(answer, dict) and len(answer) == 1:
            return f"Reply with the {next(iter(answer))} as text."
        return "Reply with your answer as text."
    properties: dict[str, Any] = (schema or {}).get("properties", {})
    if not properties:
        return 'Answer with a data part {"answer": ...} matching the pause\'s response_schema.'
    required = set((schema or {}).get("required", []))
    lines = ["Fields:"]
    for name, spec in properties.items():
        notes = ["required"] if name in required else []
        if isinstance(spec, dict) and spec.get("enum"):
            notes.append("one of " + ", ".join(str(v) for v in spec["enum"]))
        elif isinstance(spec, dict) and spec.get("type") in _KINDS:
            notes.append(_KINDS[spec["type"]])
        description = spec.get("description") if isinstance(spec, dict) else None
        head = f"- {name}" + (f" ({', '.join(notes)})" if notes else "")
        lines.append(f"{head}: {description}" if description else head)
    lines.append(_form_reply(pause, list(properties)))
    return "\n".join(lines)


def _form_reply(pause: Pause, fields: list[str]) -> str:
    """How to send a form of several fields: as words, when answer_from_text takes them."""
    example = {name: "..." for name in fields}
    ways = []
    first = next((n for n in fields if _field_spec(pause, n).get("type") == "string"), None)
    if first is not None:
        slot = _SLOT.format(first)
        line = _mapped(pause, f"{first}: {slot}")
        if isinstance(line, dict) and line.get(first) == slot:
            ways.append("`field: value` lines")
    if _mapped(pause, json.dumps(example)) == example:
        ways.append(f"a JSON object {json.dumps(example)}")
    ways.append(f"a data part {_data_part(example)}")
    return "Reply with " + ", or ".join(ways) + "."


def _answers_text(pause: Pause) -> str:
    if not pause.actions:
        return _form_text(pause)
    lines = ["Reply with one of:", *(_action_line(pause, a) for a in pause.actions)]
    if (free := _free_text_line(pause)) is not None:
        lines.append(free)
    return "\n".join(lines)

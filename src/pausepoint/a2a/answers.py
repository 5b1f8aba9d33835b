"""How a follow-up message becomes an answer to a pause.

A data part `{"answers": {interrupt_id: answer}}` or `{"answer": ...}` is taken as is;
plain text goes through `answer_from_text`, the one place that maps words onto a pause.
"""

from __future__ import annotations

from typing import Any

from pausepoint.domain import Action, Pause
from pausepoint.errors import InvalidAnswer


def _action_names(action: Action) -> set[str]:
    names = {action.label.lower(), action.label.split()[0].lower()}
    names.update(str(v).lower() for v in action.answer.values() if isinstance(v, str))
    return names


def _single_text_field(schema: dict[str, Any] | None) -> str | None:
    if not schema or schema.get("type") != "object":
        return None
    props = schema.get("properties", {})
    texts = [k for k, v in props.items() if isinstance(v, dict) and v.get("type") == "string"]
    required = set(schema.get("required", []))
    if len(texts) == 1 and required <= set(texts):
        return str(texts[0])
    return None


def answer_from_text(pause: Pause, text: str) -> Any:
    """Map plain text onto `pause`'s schema; InvalidAnswer says how to answer instead.

    * a choice among actions: `accept`, or `update: make it funnier` (the word before the
      colon names the action, by label or answer value; the rest fills its one text field);
    * a single text field (or a string schema): the text itself;
    * a yes/no (boolean schema): `yes`/`no`.
    """
    text = text.strip()
    if not text:
        raise InvalidAnswer("empty answer")
    if pause.actions:
        head, colon, rest = text.partition(":")
        for action in pause.actions:
            if head.strip().lower() not in _action_names(action):
                continue
            answer = dict(action.answer)
            rest = rest.strip()
            if colon and rest:
                if len(action.fields) != 1:
                    raise InvalidAnswer(
                        f"action {action.label!r} takes no text after the colon"
                        if not action.fields
                        else f"action {action.label!r} has several fields; send a data part"
                    )
                answer[action.fields[0]] = rest
            return answer
        choices = ", ".join(
            f"'{a.label.split()[0].lower()}" + (": <text>'" if a.fields else "'")
            for a in pause.actions
        )
        raise InvalidAnswer(f"{text!r} is not one of the actions; answer with {choices}")
    schema = pause.response_schema
    if schema is None or schema.get("type") == "string":
        return text
    if schema.get("type") == "boolean":
        if text.lower() in {"yes", "y", "true"}:
            return True
        if text.lower() in {"no", "n", "false"}:
            return False
        raise InvalidAnswer("answer 'yes' or 'no'")
    field = _single_text_field(schema)
    if field is not None:
        return {field: text}
    raise InvalidAnswer(
        'this pause needs a structured answer: send a data part {"answer": {...}} '
        "matching the response schema in the pause"
    )


def answers_from_message(pauses: list[Pause], data: dict[str, Any], text: str) -> dict[str, Any]:
    """The answers (keyed by interrupt id) a follow-up message carries."""
    if not pauses:
        raise InvalidAnswer("nothing is waiting for an answer")
    if isinstance(data.get("answers"), dict):
        return dict(data["answers"])
    if len(pauses) > 1 and not isinstance(data.get("interrupt_id"), str):
        ids = ", ".join(p.interrupt_id for p in pauses)
        raise InvalidAnswer(
            f"{len(pauses)} pauses are pending; send {{'answers': {{id: answer}}}} "
            f"or {{'interrupt_id': id, 'answer': ...}} (ids: {ids})"
        )
    wanted = data.get("interrupt_id") or pauses[0].interrupt_id
    pause = next((p for p in pauses if p.interrupt_id == wanted), None)
    if pause is None:
        raise InvalidAnswer(f"pause {wanted!r} is not pending")
    if "answer" in data:
        return {pause.interrupt_id: data["answer"]}
    if text:
        return {pause.interrupt_id: answer_from_text(pause, text)}
    raise InvalidAnswer('send the answer as text or as a data part {"answer": ...}')

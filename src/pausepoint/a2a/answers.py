"""How a follow-up message becomes an answer to a pause.

A data part `{"answers": {interrupt_id: answer}}` or `{"answer": ...}` is taken as is;
plain text goes through `forms.answer_from_text`, the one place (shared with the chat API)
that maps words onto a pause. The service validates the result either way.
"""

from __future__ import annotations

from typing import Any

from pausepoint.domain import Pause
from pausepoint.errors import InvalidAnswer
from pausepoint.forms import answer_from_text


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

"""How a follow-up message becomes an answer to a pause.

A data part `{"answers": {interrupt_id: answer}}` is taken as is, and so is
`{"interrupt_id": ..., "answer": ...}`. A reply that does not name its pause (`{"answer": ...}`
or plain text) is bound to the pause the task showed, else to the one pending: should someone
have answered that pause meanwhile, the service refuses the answer, never applying it to the
pause that came after. Plain text goes through `forms.answer_from_text`, the one place (shared
with every door) that maps words onto a pause. The service validates the result either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pausepoint.domain import Pause
from pausepoint.errors import InvalidAnswer
from pausepoint.forms import answer_from_text


def answers_from_message(
    pending: list[Pause], data: dict[str, Any], text: str, *, shown: Sequence[str] = ()
) -> dict[str, Any]:
    """The answers (keyed by interrupt id) a follow-up message carries.

    `pending`: the pauses the thread waits on now; `shown`: the interrupt ids of the pauses
    the task showed the person (the ones an unnamed reply is for).
    """
    if isinstance(data.get("answers"), dict):
        return dict(data["answers"])
    wanted = data.get("interrupt_id")
    if not isinstance(wanted, str):
        candidates = list(shown) or [p.interrupt_id for p in pending]
        if not candidates:
            raise InvalidAnswer("nothing is waiting for an answer")
        if len(candidates) > 1:
            raise InvalidAnswer(
                f"{len(candidates)} pauses are pending; send {{'answers': {{id: answer}}}} "
                f"or {{'interrupt_id': id, 'answer': ...}} (ids: {', '.join(candidates)})"
            )
        wanted = candidates[0]
    if "answer" in data:
        return {wanted: data["answer"]}
    if text:
        pause = next((p for p in pending if p.interrupt_id == wanted), None)
        # a pause no longer pending gets the text as is: the service refuses it, saying why
        return {wanted: answer_from_text(pause, text) if pause is not None else text}
    raise InvalidAnswer('send the answer as text or as a data part {"answer": ...}')

"""The one line an inbox entry shows of its pause (`summary_of`), kept in the pause index."""

from __future__ import annotations

from pausepoint.domain import Pause
from pausepoint.service.pauses import SUMMARY_CHARS, summary_of


def pause(message: str = "", **context: object) -> Pause:
    return Pause(interrupt_id="i1", kind="review", title="Review", message=message, context=context)


def test_the_summary_is_the_message_then_the_first_context_field_in_one_line() -> None:
    found = pause("Draft 1: accept it.", draft="Once upon\na time", revision=1)

    assert summary_of(found) == "Draft 1: accept it. — draft: Once upon a time"


def test_without_a_message_the_summary_is_the_first_context_field_as_key_and_value() -> None:
    assert summary_of(pause(plan={"service": "api"})) == 'plan: {"service": "api"}'
    assert summary_of(pause()) is None


def test_a_long_summary_is_cut_with_an_ellipsis() -> None:
    found = summary_of(pause(draft="word " * 100))

    assert found is not None and len(found) == SUMMARY_CHARS and found.endswith("…")

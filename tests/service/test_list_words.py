"""The one line an inbox entry shows of its pause (`summary_of`), kept in the pause index,
and the word a thread list shows for what a thread came to (`outcome_of`)."""

from __future__ import annotations

from pausepoint.domain import Pause, ThreadStatus, outcome_of
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


def test_a_threads_outcome_tells_a_rejection_and_failed_tasks_from_a_success() -> None:
    done = ThreadStatus.COMPLETED

    assert outcome_of(done, {"rejected": {"by": "ann", "reason": "no"}}) == "rejected"
    assert outcome_of(done, {"rejected": {"handled": True}}) == "completed"
    failed = [{"id": "t1", "status": "failed"}]
    assert outcome_of(done, {"tasks": failed}) == "failed"
    assert outcome_of(done, {"tasks": [*failed, {"id": "t2", "status": "done"}]}) == "partly failed"
    assert outcome_of(done, {"draft": "ok"}) == "completed"
    assert outcome_of(ThreadStatus.FAILED, None) == "failed"
    assert outcome_of(ThreadStatus.WAITING, None) == "waiting"

"""answer_from_text: how a chat reply becomes a pause's answer (used by chat and A2A doors)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from pydantic import BaseModel

from pausepoint.domain import Pause
from pausepoint.forms import answer_from_text, schema_of, validate_answer
from pausepoint.workflows.story import ReviewAnswer


class Note(BaseModel):
    text: str


ReviewPause = Callable[..., Pause]


@pytest.fixture
def review_pause(review_pause: ReviewPause) -> ReviewPause:
    """Here the review pause carries the story's answer schema, as the story's own pause does."""
    return partial(review_pause, schema_of(ReviewAnswer))


def mapped(pause: Pause, text: str) -> Any:
    answer = answer_from_text(pause, text)
    assert validate_answer(pause.response_schema, answer) == []
    return answer


def test_naming_an_action_chooses_it(review_pause: ReviewPause) -> None:
    assert mapped(review_pause(), "accept") == {"decision": "accept"}
    assert mapped(review_pause(), " Accept ") == {"decision": "accept"}


def test_other_text_fills_the_one_typed_field_of_its_action(review_pause: ReviewPause) -> None:
    assert mapped(review_pause(), "make it funnier") == {
        "decision": "update",
        "comments": "make it funnier",
    }


def test_action_name_before_a_colon_chooses_the_action_and_fills_its_field(
    review_pause: ReviewPause,
) -> None:
    assert mapped(review_pause(), "update: shorter please") == {
        "decision": "update",
        "comments": "shorter please",
    }


def test_a_single_text_field_gets_the_text() -> None:
    pause = Pause(interrupt_id="i", title="Note?", response_schema=schema_of(Note))
    assert mapped(pause, "hello") == {"text": "hello"}


def test_a_string_schema_or_no_schema_gets_the_text_itself() -> None:
    assert mapped(Pause(interrupt_id="i", title="?", response_schema=schema_of(str)), "x") == "x"
    assert mapped(Pause(interrupt_id="i", title="?"), "x") == "x"


def test_an_action_named_without_its_field_leaves_validation_to_say_what_is_missing(
    review_pause: ReviewPause,
) -> None:
    pause = review_pause()
    answer = answer_from_text(pause, "update")
    assert validate_answer(pause.response_schema, answer) == [
        {"loc": "comments", "message": "field required"}
    ]

from collections.abc import Callable

import pytest

from pausepoint.cli.chat import parse_answer
from pausepoint.domain import Pause
from pausepoint.errors import InvalidAnswer

ReviewPause = Callable[..., Pause]

FORM = Pause(
    interrupt_id="i2",
    kind="form",
    title="Pay",
    response_schema={
        "type": "object",
        "properties": {
            "vendor": {"type": "string"},
            "amount": {"type": "number"},
            "memo": {"type": "string"},
        },
        "required": ["vendor", "amount"],
    },
)


def typed(*lines: str) -> Callable[[str], str]:
    queue = list(lines)
    return lambda prompt: queue.pop(0)


def test_a_button_is_chosen_by_number_label_or_first_word(review_pause: ReviewPause) -> None:
    for line in ("1", "Accept", "accept"):
        assert parse_answer(review_pause(), line, typed()) == {"decision": "accept"}


def test_text_after_the_button_fills_its_field_or_is_asked_for(review_pause: ReviewPause) -> None:
    assert parse_answer(review_pause(), "update: give the fox a name", typed()) == {
        "decision": "update",
        "comments": "give the fox a name",
    }
    assert parse_answer(review_pause(), "2", typed("shorter")) == {
        "decision": "update",
        "comments": "shorter",
    }


def test_an_unknown_choice_names_the_buttons(review_pause: ReviewPause) -> None:
    with pytest.raises(InvalidAnswer, match="Accept, Update with comments"):
        parse_answer(review_pause(), "maybe", typed())


def test_a_form_asks_field_by_field_and_types_the_values() -> None:
    assert parse_answer(FORM, "ACME", typed("12.5", "")) == {"vendor": "ACME", "amount": 12.5}
    assert parse_answer(FORM, '{"vendor": "B", "amount": 1}', typed()) == {
        "vendor": "B",
        "amount": 1,
    }


def test_field_lines_fill_several_fields_and_the_required_ones_left_out_are_asked() -> None:
    assert parse_answer(FORM, "Vendor: ACME; amount: 12.5; memo: March", typed()) == {
        "vendor": "ACME",
        "amount": 12.5,
        "memo": "March",
    }
    assert parse_answer(FORM, "memo: March", typed("ACME", "3")) == {
        "memo": "March",
        "vendor": "ACME",
        "amount": 3.0,
    }
    with pytest.raises(InvalidAnswer) as caught:
        parse_answer(FORM, "vendor: ACME\namount: a lot", typed())
    assert caught.value.fields == [{"loc": "amount", "message": "must be a number, not 'a lot'"}]

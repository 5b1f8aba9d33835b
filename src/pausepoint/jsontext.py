"""JSON text from outside (a request body, a WebSocket message, a CLI argument), read strictly.

`json.loads` takes `NaN` and `Infinity`, which are not JSON (and which no response can carry
back), and fails on deep nesting with a RecursionError. `parse_json` refuses both, and bad
UTF-8 and bad syntax, with `InvalidRequest` saying what is wrong and where.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from pydantic_core import PydanticSerializationError, to_jsonable_python

from pausepoint.errors import InvalidRequest

#: How deep a document may nest (answers are then held to forms.MAX_ANSWER_DEPTH).
MAX_DEPTH = 64


class _NotANumber(ValueError):
    pass


def _not_a_number(name: str) -> NoReturn:
    raise _NotANumber(name)


def _depth_over(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            if level >= limit:
                return True
            members = item.values() if isinstance(item, dict) else item
            stack.extend((member, level + 1) for member in members)
    return False


def parse_json(data: bytes | str, what: str = "request body") -> Any:
    """The JSON document `data` holds; InvalidRequest says what is wrong with `what`."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise InvalidRequest(
            f"{what} is not UTF-8 text: {exc.reason} at byte {exc.start}"
        ) from None
    try:
        value = json.loads(text, parse_constant=_not_a_number)
    except json.JSONDecodeError as exc:
        raise InvalidRequest(
            f"{what} is not valid JSON: {exc.msg.removesuffix(' at')} "
            f"at line {exc.lineno} column {exc.colno}"
        ) from None
    except _NotANumber as exc:
        raise InvalidRequest(f"{what} is not valid JSON: {exc} is not a JSON number") from None
    except RecursionError:
        too_deep = True
    else:
        too_deep = _depth_over(value, MAX_DEPTH)
    if too_deep:
        raise InvalidRequest(f"{what} is nested deeper than {MAX_DEPTH} levels")
    return value


def json_or_none(value: Any) -> Any:
    """`value` as JSON values, or None if it is not JSON (objects a Python caller passed)."""
    try:
        return to_jsonable_python(value)
    except PydanticSerializationError:
        return None

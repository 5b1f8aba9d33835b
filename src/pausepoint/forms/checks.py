"""Checking an answer before anything is written: JSON fit to keep, then the pause's schema.

The checkpoint keeps each pause's JSON Schema, so a process that never imported the answer
model (another server, the CLI after a restart) checks an answer with `validate_answer`.
"""

from __future__ import annotations

import math
import re
from typing import Any, cast

import jsonschema
from jsonschema.exceptions import ValidationError

#: Answers deeper than this are refused before validation (a cheap guard against abuse).
MAX_ANSWER_DEPTH = 32

#: Control characters no person types: C0 (but tab, newline, carriage return) and DEL.
#: PostgreSQL cannot store NUL in text, and the rest only ever arrive by mistake or malice.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _text_problem(text: str) -> str | None:
    if (found := _CONTROL.search(text)) is not None:
        return f"contains the control character U+{ord(found.group()):04X} at {found.start()}"
    if (found := _SURROGATE.search(text)) is not None:
        return f"contains a lone surrogate U+{ord(found.group()):04X} at {found.start()}"
    return None


def summary(problems: list[dict[str, Any]], whole: str) -> str:
    """Problems as one line: "loc: message; ...", `whole` standing for an empty loc."""
    return "; ".join(f"{p['loc'] or whole}: {p['message']}" for p in problems)


def json_problems(value: Any, *, max_depth: int = MAX_ANSWER_DEPTH) -> list[dict[str, Any]]:
    """What makes a JSON value unfit to keep, before any schema looks at it: nesting deeper
    than `max_depth`, NaN or infinite numbers, and strings (values or keys) holding control
    characters or lone surrogates. `{"loc": "dotted.path", "message": ...}` each, like
    `validate_answer`."""
    problems: list[dict[str, Any]] = []
    stack: list[tuple[Any, tuple[str, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if len(path) >= max_depth and isinstance(item, dict | list):
            return [{"loc": "", "message": f"nested deeper than {max_depth} levels"}]
        if isinstance(item, str) and (problem := _text_problem(item)) is not None:
            problems.append({"loc": ".".join(path), "message": problem})
        elif isinstance(item, float) and not math.isfinite(item):
            problems.append({"loc": ".".join(path), "message": f"{item} is not a finite number"})
        elif isinstance(item, dict):
            for name, member in item.items():
                key = str(name)
                if (problem := _text_problem(key)) is not None:
                    problems.append({"loc": ".".join(path), "message": f"a key {problem}"})
                stack.append((member, (*path, key)))
        elif isinstance(item, list):
            stack.extend((member, (*path, str(i))) for i, member in enumerate(item))
    return sorted(problems, key=lambda p: str(p["loc"]))


def _loc(error: ValidationError) -> str:
    path = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [
            name
            for name in cast(list[str], error.validator_value)
            if name not in cast(dict[str, Any], error.instance)
        ]
        if missing:
            return ".".join(filter(None, [path, missing[0]]))
    return path


def _message(error: ValidationError) -> str:
    if error.validator == "required":
        return "field required"
    if error.validator == "const":
        return f"must be {error.validator_value!r}"
    if error.validator == "minLength":
        return "must not be empty" if error.validator_value == 1 else error.message
    if error.validator == "pattern" and error.validator_value == r"\S":
        return "must contain text, not only spaces"
    return error.message


def _field_errors(schema: dict[str, Any], answer: Any) -> list[dict[str, Any]]:
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(answer), key=lambda e: list(e.absolute_path))
    return [{"loc": _loc(e), "message": _message(e)} for e in errors]


def _branch_for_discriminator(schema: dict[str, Any], answer: Any) -> dict[str, Any] | None:
    """For a pydantic discriminated union, the one branch the answer selects (or None)."""
    discriminator = schema.get("discriminator")
    if not isinstance(discriminator, dict) or not isinstance(answer, dict):
        return None
    name = discriminator.get("propertyName")
    mapping = discriminator.get("mapping", {})
    ref = mapping.get(answer.get(name)) if isinstance(answer.get(name), str) else None
    if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
        return None
    branch = dict(schema.get("$defs", {}).get(ref.removeprefix("#/$defs/"), {}))
    branch["$defs"] = schema.get("$defs", {})
    return branch


def validate_answer(schema: dict[str, Any] | None, answer: Any) -> list[dict[str, Any]]:
    """Check `answer` against a pause's response schema; an empty list means valid.

    Each problem is `{"loc": "dotted.path", "message": "..."}`, with `loc` empty for the
    answer as a whole.
    """
    if problems := json_problems(answer):
        return problems
    if not schema:
        return []
    discriminator = schema.get("discriminator")
    if isinstance(discriminator, dict) and not isinstance(answer, dict):
        name = str(discriminator.get("propertyName"))
        kind = type(answer).__name__
        return [{"loc": "", "message": f"must be an object with a {name!r} field, not {kind}"}]
    if isinstance(discriminator, dict) and isinstance(answer, dict):
        name = str(discriminator.get("propertyName"))
        branch = _branch_for_discriminator(schema, answer)
        if branch is None:
            choices = sorted(str(k) for k in discriminator.get("mapping", {}))
            if name not in answer:
                return [{"loc": name, "message": f"field required; one of {choices}"}]
            return [{"loc": name, "message": f"must be one of {choices}, not {answer[name]!r}"}]
        return _field_errors(branch, answer)
    return _field_errors(schema, answer)

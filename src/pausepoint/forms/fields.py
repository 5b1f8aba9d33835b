"""The fields of a form, and a value typed in words read as its field's type.

`Form.of(schema)` lists an object schema's fields (of every branch, for a union of objects),
findable by name or title in any case; `Form.coerce` reads "42", "yes", "Staging" or a JSON text
as the field's type; `pairs_in` reads `field: value` lines.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, cast

from pausepoint.errors import InvalidRequest
from pausepoint.forms.checks import MAX_ANSWER_DEPTH
from pausepoint.jsontext import parse_json

_YES = frozenset({"yes", "y", "true", "on", "1"})
_NO = frozenset({"no", "n", "false", "off", "0"})
_EMPTY = frozenset({"", "null", "none"})
_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NEEDS = {
    "integer": "must be a whole number",
    "number": "must be a number",
    "boolean": "must be yes or no",
    "null": "must be empty",
}
#: `field: value` pairs stand one a line or `;`-separated; a piece whose head names no field
#: goes on with the value before it ("message: hi; there" is one message).
_PIECES = re.compile(r"(\r?\n|;)")


def _key(name: str) -> str:
    """A field name as a person may type it: any case; `_`, `-` and spaces alike."""
    return " ".join(filter(None, re.split(r"[\s_\-]+", name.strip().rstrip("*").lower())))


def _resolved(schema: Any, root: dict[str, Any]) -> dict[str, Any]:
    """`schema` with local `$ref`s followed (pydantic writes nested models as `#/$defs/X`)."""
    for _ in range(MAX_ANSWER_DEPTH):
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
            break
        schema = root.get("$defs", {}).get(ref.removeprefix("#/$defs/"), {})
    return cast(dict[str, Any], schema) if isinstance(schema, dict) else {}


def _options(schema: dict[str, Any], root: dict[str, Any]) -> list[dict[str, Any]] | None:
    options = schema.get("anyOf", schema.get("oneOf"))
    return [_resolved(o, root) for o in options] if isinstance(options, list) else None


@dataclass(frozen=True, slots=True)
class Form:
    """The fields of an object form (of all its branches, for a union of objects)."""

    fields: dict[str, dict[str, Any]]
    required: tuple[str, ...]
    names: dict[str, str]  # _key(name or title) -> name
    root: dict[str, Any]

    @classmethod
    def of(cls, schema: dict[str, Any] | None) -> Form:
        root = schema or {}
        objects: list[dict[str, Any]] = []
        todo: list[Any] = [root]
        for _ in range(64):  # a bound, for schemas whose $defs refer to themselves
            if not todo:
                break
            item = _resolved(todo.pop(0), root)
            if isinstance(item.get("properties"), dict):
                objects.append(item)
            else:
                todo.extend(_options(item, root) or [])
        specs: dict[str, list[dict[str, Any]]] = {}
        for obj in objects:
            for name, spec in obj["properties"].items():
                specs.setdefault(str(name), []).append(spec if isinstance(spec, dict) else {})
        names = {_key(str(s["title"])): n for n, ss in specs.items() for s in ss if "title" in s}
        names.update({_key(n): n for n in specs})
        needed = (
            set.intersection(*(set(o.get("required", [])) for o in objects)) if objects else set()
        )
        return cls(
            fields={n: ss[0] if len(ss) == 1 else {"anyOf": ss} for n, ss in specs.items()},
            required=tuple(n for n in specs if n in needed),
            names=names,
            root=root,
        )

    def coerce(self, name: str, text: str) -> Any:
        """`text` as a value of field `name`; ValueError says what the field needs."""
        return _coerce(text, self.fields.get(name, {}), self.root)


def _coerce(text: str, spec: dict[str, Any], root: dict[str, Any], depth: int = 0) -> Any:
    spec = _resolved(spec, root)
    options = _options(spec, root)
    if options is not None and depth < MAX_ANSWER_DEPTH:
        kinds = [o for o in options if o.get("type") != "null"]
        if len(kinds) < len(options) and text.lower() in _EMPTY:
            return None
        if kinds and all("enum" in o or "const" in o for o in kinds):
            spec = {"enum": [c for o in kinds for c in o.get("enum", [o.get("const")])]}
        else:
            needs: list[str] = []
            for option in kinds:
                try:
                    return _coerce(text, option, root, depth + 1)
                except ValueError as exc:
                    needs.append(str(exc))
            raise ValueError(" or ".join(dict.fromkeys(needs)) or f"cannot be {text!r}")
    choices = spec.get("enum", [spec["const"]] if "const" in spec else None)
    if isinstance(choices, list):
        for choice in choices:
            typed = choice.lower() if isinstance(choice, str) else json.dumps(choice)
            if typed == text.lower():
                return choice
        raise ValueError(f"must be one of {choices}, not {text!r}")
    kind = spec.get("type")
    if kind == "integer" and _INTEGER.fullmatch(text):
        return int(text)
    if kind == "number" and _NUMBER.fullmatch(text) and math.isfinite(float(text)):
        return int(text) if _INTEGER.fullmatch(text) else float(text)
    if kind == "boolean" and text.lower() in _YES | _NO:
        return text.lower() in _YES
    if kind == "null" and text.lower() in _EMPTY:
        return None
    if kind in ("object", "array") or (kind is None and text.startswith(("{", "["))):
        try:
            return parse_json(text, "the value")
        except InvalidRequest as exc:
            if kind is None:
                return text
            raise ValueError(f"must be a JSON {kind} ({exc.detail})") from None
    if kind in _NEEDS:
        raise ValueError(f"{_NEEDS[str(kind)]}, not {text!r}")
    return text


def pairs_in(text: str, form: Form) -> list[tuple[str, str]] | None:
    """`field: value` lines (or `;`-separated pairs); None unless the text starts with one."""
    pairs: list[list[str]] = []
    pieces = _PIECES.split(text)
    for index in range(0, len(pieces), 2):
        piece = pieces[index]
        head, colon, rest = piece.partition(":")
        name = form.names.get(_key(head)) if colon else None
        if name is not None:
            pairs.append([name, rest])
        elif pairs:
            pairs[-1][1] += pieces[index - 1] + piece
        elif piece.strip():
            return None
    return [(name, value.strip()) for name, value in pairs] or None

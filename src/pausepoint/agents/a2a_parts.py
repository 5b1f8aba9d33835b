"""Conversions between A2A parts (protobuf) and plain JSON values."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from a2a.helpers import get_data_parts, get_text_parts, new_data_part, new_text_part
from a2a.types.a2a_pb2 import Message, Part


def plain(value: Any) -> Any:
    """A JSON value read from a protobuf `Value`, with whole floats turned back into ints.

    `google.protobuf.Value` keeps every number as a double; an answer `{"rating": 4}`
    would otherwise arrive as `4.0`.
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def data_of(parts: Sequence[Part]) -> list[Any]:
    return [plain(d) for d in get_data_parts(parts)]


def text_of(parts: Sequence[Part]) -> str:
    return "\n".join(t for t in get_text_parts(parts) if t).strip()


def message_data(message: Message | None) -> dict[str, Any]:
    """The message's data parts merged into one object (non-object parts are ignored)."""
    merged: dict[str, Any] = {}
    for item in data_of(message.parts) if message is not None else []:
        if isinstance(item, dict):
            merged.update(item)
    return merged


def message_text(message: Message | None) -> str:
    return text_of(message.parts) if message is not None else ""


def make_parts(text: str | None = None, data: Iterable[Any] = ()) -> list[Part]:
    parts = [new_text_part(text)] if text else []
    parts.extend(new_data_part(d) for d in data)
    return parts

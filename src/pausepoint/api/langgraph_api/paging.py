"""One page of a search, with the pagination headers langgraph-api sets."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from fastapi import Response

T = TypeVar("T")


def page(found: Sequence[T], offset: int, limit: int, response: Response) -> list[T]:
    """`found[offset:offset + limit]`; `X-Pagination-Next` (the next page's offset) when more
    follow, `X-Pagination-Total` as langgraph-api counts it (next offset + 1 then, else all)."""
    shown = list(found[offset : offset + limit])
    if len(found) > offset + limit:
        following = offset + limit
        response.headers["X-Pagination-Next"] = str(following)
        response.headers["X-Pagination-Total"] = str(following + 1)
    else:
        response.headers["X-Pagination-Total"] = str(len(shown) + offset)
    return shown

"""Thread ids a caller may choose: they go into URLs and the databases as they are."""

from __future__ import annotations

import re

from pausepoint.errors import InvalidInput

THREAD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@~-]{0,127}")


def check_thread_id(thread_id: str) -> str:
    """`thread_id`, if it is one a caller may choose; else InvalidInput saying why."""
    if not THREAD_ID.fullmatch(thread_id):
        raise InvalidInput(
            f"thread id {thread_id!r} is not 1-128 letters, digits and ._:@~- "
            "(starting with a letter or digit)",
            fields=[{"loc": "thread_id", "message": "not a valid thread id"}],
        )
    return thread_id

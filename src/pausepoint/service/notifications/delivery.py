"""What one attempt to deliver a notification came to."""

from __future__ import annotations

from dataclasses import dataclass

#: The longest error text a Delivery keeps (it lands in the outbox row's last_error).
MAX_ERROR_CHARS = 200


@dataclass(frozen=True, slots=True)
class Delivery:
    """`ok` when the receiver took the notification; else `error` says why, in a short line."""

    ok: bool
    error: str | None = None


def failed(error: str) -> Delivery:
    """A Delivery that did not arrive, its error text on one line and cut to MAX_ERROR_CHARS."""
    line = " ".join(error.split())
    if len(line) > MAX_ERROR_CHARS:
        line = line[: MAX_ERROR_CHARS - 1] + "…"
    return Delivery(ok=False, error=line or "failed")


DELIVERED = Delivery(ok=True)

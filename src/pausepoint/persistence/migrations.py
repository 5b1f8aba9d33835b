"""Versioned migrations, the same mechanism for every backend.

Each backend keeps an ordered list of scripts; script N is version N. The table
`pausepoint_migrations (version, applied_at)` records the versions a database has seen, and
opening a store applies the newer ones, in order, each once, inside one transaction.
Never edit a released script: append a new one.
"""

from __future__ import annotations

from collections.abc import Sequence

TABLE = "pausepoint_migrations"


def statements(script: str) -> list[str]:
    """The statements of a script, split on `;` (scripts hold no `;` inside literals)."""
    return [s.strip() for s in script.split(";") if s.strip()]


def pending(scripts: Sequence[str], current: int) -> list[tuple[int, list[str]]]:
    """The (version, statements) a database at version `current` still needs, oldest first."""
    return [
        (version, statements(script))
        for version, script in enumerate(scripts, start=1)
        if version > current
    ]

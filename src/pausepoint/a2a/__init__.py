"""The A2A door: a paused thread is an input-required A2A task (server), and a remote A2A
agent's question becomes our pause (client). Built on the official a2a-sdk.

`mount_a2a` and `close_a2a` (pausepoint.a2a.server) are imported lazily: the `remote`
workflow needs only the client, and the CLI should not pay for the server's imports.
"""

from __future__ import annotations

from typing import Any

__all__ = ["close_a2a", "mount_a2a"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from pausepoint.a2a import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

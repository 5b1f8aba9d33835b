"""The A2A door: a paused thread is an input-required A2A task (server), and a remote A2A
agent's question becomes our pause (client). Built on the official a2a-sdk."""

from pausepoint.a2a.server import close_a2a, mount_a2a

__all__ = ["close_a2a", "mount_a2a"]

"""A Pausepoint server for the A2A tests: the real app (`create_app`) on uvicorn.

    python tests/a2a/serve.py DB_PATH PORT [KEY=USER,...]

With keys, callers must send `Authorization: Bearer KEY`; the key's user is the actor.
"""

from __future__ import annotations

import sys

import uvicorn

from pausepoint.api.app import create_app
from pausepoint.api.auth import hash_key
from pausepoint.settings import Settings


def main() -> None:
    db, port = sys.argv[1], int(sys.argv[2])
    pairs = [pair.split("=", 1) for pair in sys.argv[3].split(",")] if len(sys.argv) > 3 else []
    api_keys = ",".join(f"{user}:{hash_key(key)}" for key, user in pairs)
    settings = Settings(  # type: ignore[call-arg]
        database_url=f"sqlite:///{db}",
        model="offline",
        port=port,
        api_keys=api_keys,
        _env_file=None,
    )
    app = create_app(settings, chat_model=None, sweep_interval=None)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()

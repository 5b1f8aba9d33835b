"""A small Pausepoint A2A server for the tests: FastAPI + ThreadService + mount_a2a on uvicorn.

    python tests/a2a/serve.py DB_PATH PORT [KEY=USER,...]

With keys, callers must send `Authorization: Bearer KEY`; the key's user is the actor.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI
from starlette.requests import Request

from pausepoint.a2a import close_a2a, mount_a2a
from pausepoint.errors import Unauthorized
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings


def build_app(settings: Settings, keys: dict[str, str]) -> FastAPI:
    def identify(request: Request) -> str:
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        user = keys.get(key.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise Unauthorized("send `Authorization: Bearer KEY`")
        return user

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with ThreadService.open(settings, chat_model=None) as service:
            mount_a2a(app, service, settings, identify=identify if keys else None)
            yield
            await close_a2a(app)

    return FastAPI(lifespan=lifespan)


def main() -> None:
    db, port = sys.argv[1], int(sys.argv[2])
    keys = dict(pair.split("=", 1) for pair in sys.argv[3].split(",")) if len(sys.argv) > 3 else {}
    settings = Settings(  # type: ignore[call-arg]
        database_url=f"sqlite:///{db}", model="offline", port=port, _env_file=None
    )
    uvicorn.run(build_app(settings, keys), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()

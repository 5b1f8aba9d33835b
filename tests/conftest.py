"""Shared fixtures: a real SQLite file in tmp_path and a ThreadService on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'pausepoint.db'}"


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, model="offline", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[ThreadService]:
    async with ThreadService.open(settings, chat_model=None) as svc:
        yield svc

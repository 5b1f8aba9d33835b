"""Fixtures for the `pausepoint` command's tests: a `pausepoint serve` for `--url` to talk to."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest


@pytest.fixture
async def server_url(
    background: Any, cli_env: dict[str, str], tmp_path: Path
) -> AsyncIterator[str]:
    """`pausepoint serve` on a free loopback port and the test's database; yield its URL."""
    pytest.importorskip("pausepoint.api", reason="the HTTP door (pausepoint.api) is not here")

    def command(port: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "pausepoint",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]

    async def listing(client: httpx.AsyncClient) -> bool | None:
        return True if (await client.get("/api/workflows")).is_success else None

    async with background("serve", command, cwd=tmp_path, env=cli_env, ready=listing) as (url, _):
        yield url

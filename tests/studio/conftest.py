"""LangGraph Studio's tests: `langgraph dev` on the repository's own langgraph.json."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def studio(langgraph_dev_in: Any, studio_graph: str) -> AsyncIterator[str]:
    """`langgraph dev` on the repository's langgraph.json, once it serves `studio_graph` (each
    module names the graph it drives in a fixture of that name); yield its API URL."""
    if not (ROOT / ".env").exists():
        pytest.skip("langgraph.json names .env; run `make setup` (it copies .env.example)")
    async with langgraph_dev_in(ROOT, studio_graph) as (url, _):
        yield url

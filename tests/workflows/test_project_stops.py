"""Where a team's graph stops, as every door shows it: a functional-API entrypoint's result is
what it returned, whatever its type."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from pausepoint.domain import ThreadStatus
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings

ENTRYPOINTS = '''
from typing import Any
from langgraph.func import entrypoint
from langgraph.types import interrupt
from pydantic import BaseModel

class Summary(BaseModel):
    words: int

@entrypoint()
def shout(inputs: dict[str, Any]) -> str:
    """Shouts the text back, once a person agrees."""
    agreed = interrupt(f"Shout {inputs['text']!r}?")
    return inputs["text"].upper() if agreed == "yes" else "no"

@entrypoint()
def split(inputs: dict[str, Any]) -> list[str]:
    return inputs["text"].split()

@entrypoint()
def count(inputs: dict[str, Any]) -> Summary:
    return Summary(words=len(inputs["text"].split()))
'''


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> Settings:
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "funcs.py").write_text(textwrap.dedent(ENTRYPOINTS))
    graphs = {name: f"./funcs.py:{name}" for name in ("shout", "split", "count")}
    (folder / "langgraph.json").write_text(json.dumps({"graphs": graphs}))
    return Settings(  # type: ignore[call-arg]
        database_url=db_url, model="offline", config=folder, workflows_dir=None, _env_file=None
    )


async def test_an_entrypoints_result_is_what_it_returned_after_a_restart(app: Settings) -> None:
    async with ThreadService.open(app, chat_model=None) as service:
        paused = await service.start("shout", {"text": "hi there"}, "ann")
    async with ThreadService.open(app, chat_model=None) as service:
        done = await service.answer(paused.thread_id, "yes", "ann")
        again = await service.get(paused.thread_id)

    assert paused.pauses[0].title == "Shout 'hi there'?"
    assert (done.status, done.result) == (ThreadStatus.COMPLETED, "HI THERE")
    assert again.result == "HI THERE"


async def test_a_list_or_a_model_returned_is_the_result_in_json_form(app: Settings) -> None:
    async with ThreadService.open(app, chat_model=None) as service:
        split = await service.start("split", {"text": "a b c"}, "ann")
        count = await service.start("count", {"text": "a b c"}, "ann")

    assert split.result == ["a", "b", "c"]
    assert count.result == {"words": 3}

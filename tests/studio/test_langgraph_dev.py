"""LangGraph Studio: `langgraph dev` loads graphs/ and drives the story to its pause and back."""

from __future__ import annotations

from typing import Any

import pytest
from langgraph_sdk import get_client


@pytest.fixture
def studio_graph() -> str:
    return "story"


async def test_studio_runs_the_story_to_its_review_pause_and_resumes_it(studio: str) -> None:
    async with get_client(url=studio) as client:
        await _drive_story(client)


async def _drive_story(client: Any) -> None:
    thread = await client.threads.create()
    paused: Any = await client.runs.wait(
        thread["thread_id"], "story", input={"prompt": "a lighthouse keeper"}
    )
    [interrupt] = paused["__interrupt__"]
    assert interrupt["value"]["title"] == "Review the draft"
    assert interrupt["value"]["kind"] == "review"
    assert "lighthouse keeper" in interrupt["value"]["context"]["draft"]

    revised: Any = await client.runs.wait(
        thread["thread_id"],
        "story",
        command={"resume": {"decision": "update", "comments": "make it funnier"}},
    )
    [again] = revised["__interrupt__"]
    assert "laughed" in again["value"]["context"]["draft"]

    done: Any = await client.runs.wait(
        thread["thread_id"], "story", command={"resume": {"decision": "accept"}}
    )
    assert done["story"] == again["value"]["context"]["draft"]
    assert "__interrupt__" not in done

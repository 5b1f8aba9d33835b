"""LangGraph Studio (`langgraph dev`, its own checkpointer) runs the orchestrator graph."""

from typing import Any

import pytest
from langgraph_sdk import get_client


@pytest.fixture
def studio_graph() -> str:
    return "orchestrator"


async def test_studio_runs_the_orchestrator_into_the_story_review_and_out(studio: str) -> None:
    async with get_client(url=studio) as client:
        thread = await client.threads.create()
        paused: Any = await client.runs.wait(
            thread["thread_id"],
            "orchestrator",
            input={"prompt": "write a short story about a fox and then get it reviewed"},
        )
        [interrupt] = paused["__interrupt__"]
        assert interrupt["value"]["title"] == "Review the draft"
        assert interrupt["value"]["context"]["prompt"] == "a fox"

        revised: Any = await client.runs.wait(
            thread["thread_id"],
            "orchestrator",
            command={"resume": {"decision": "update", "comments": "make it funnier"}},
        )
        [again] = revised["__interrupt__"]
        assert "laughed" in again["value"]["context"]["draft"]

        done: Any = await client.runs.wait(
            thread["thread_id"], "orchestrator", command={"resume": {"decision": "accept"}}
        )
        assert done["answer"] == again["value"]["context"]["draft"]
        assert "__interrupt__" not in done

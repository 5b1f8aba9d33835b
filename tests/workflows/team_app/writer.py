"""A note writer on LangGraph's functional API."""

from __future__ import annotations

from typing import Any

from langgraph.func import entrypoint, task
from langgraph.types import interrupt
from typing_extensions import TypedDict


class WriterInput(TypedDict):
    topic: str


@task
def draft(topic: str) -> str:
    return f"A short note about {topic}."


@entrypoint()
def writer(inputs: WriterInput) -> dict[str, Any]:
    """Drafts a note on a topic and asks a person to sign it off."""
    text = draft(inputs["topic"]).result()
    verdict = interrupt({"question": "Sign off this note?", "draft": text})
    return {"note": text, "signed_off": verdict == "yes"}

"""The story writer: a chat model when one is configured, else a deterministic offline writer."""

from __future__ import annotations

import re
from typing import Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage


class StoryWriter(Protocol):
    async def draft(self, prompt: str) -> str: ...

    async def revise(self, prompt: str, previous: str, comments: str) -> str: ...


class ChatModelWriter:
    """Writes and revises with a LangChain chat model."""

    SYSTEM = "You write short, vivid stories. Reply with the story text only."

    def __init__(self, model: BaseChatModel) -> None:
        self._model = model

    async def _ask(self, text: str) -> str:
        reply = await self._model.ainvoke([SystemMessage(self.SYSTEM), HumanMessage(text)])
        return reply.text.strip()

    async def draft(self, prompt: str) -> str:
        return await self._ask(f"Write a short story about: {prompt}")

    async def revise(self, prompt: str, previous: str, comments: str) -> str:
        return await self._ask(
            f"The story is about: {prompt}\n\nPrevious draft:\n{previous}\n\n"
            f"Revise the draft according to these comments: {comments}"
        )


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


NAMES = ("Fennick", "Marigold", "Tobias", "Wren", "Juniper", "Alder", "Clementine", "Rook")


class OfflineWriter:
    """A deterministic writer that needs no model, the offline default.

    It is no novelist, but it genuinely works from its inputs: the draft is built from the
    prompt, and each revision applies its comment to the previous draft. It understands
    "funnier", "shorter", "longer", "title ..." and "name ... X"; any other comment is worked
    into the story as a new passage that quotes it, so every comment leaves a visible mark.
    """

    async def draft(self, prompt: str) -> str:
        subject = prompt.strip().rstrip(".")
        return (
            f"Once there was {subject}. "
            f"Every morning began the same way, until the day everything changed. "
            f"By nightfall, nothing about {subject} would ever be ordinary again."
        )

    async def revise(self, prompt: str, previous: str, comments: str) -> str:
        note = comments.strip()
        lowered = note.lower()
        sentences = _sentences(previous)
        if "shorter" in lowered and len(sentences) > 2:
            return " ".join(sentences[: max(2, len(sentences) // 2)])
        if "funnier" in lowered or "funny" in lowered:
            joke = "Even the seagulls laughed so hard that one of them fell off the roof."
            return f"{previous} {joke}"
        if "longer" in lowered:
            return f"{previous} The days that followed were longer still, and stranger."
        named = re.search(r"\bname(?:d)?\b.*?\b([A-Z][a-z]+)\b", note)
        if named:
            return f"{previous} Everyone came to call the hero {named.group(1)}."
        if re.search(r"\bname\b", lowered):
            name = NAMES[sum(map(ord, prompt)) % len(NAMES)]
            return f"{previous} From that day on, everyone called the hero {name}."
        if lowered.startswith("title "):
            return f"{note[6:].strip()}\n\n{previous}"
        return f'{previous} (Revised as asked: "{note}".) And so the story turned: {note}.'

"""A team graph that takes a while, for the background-run tests: `check` reports progress and
sleeps, `draft` has a chat model write a letter token by token, `ask` pauses for a person and
`send` (as long as `check`) sends the letter once approved."""

from __future__ import annotations

import asyncio
import os
from typing import Any, TypedDict

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langgraph.config import get_stream_writer
from langgraph.graph import START, StateGraph
from langgraph.types import interrupt

#: How long `check` takes (seconds); the tests set it through the environment.
CHECK_SECONDS = float(os.environ.get("BACKGROUND_APP_CHECK_SECONDS", "0.6"))
LETTER = "Dear Ann, your refund of 30 EUR is on its way."


class Claim(TypedDict, total=False):
    customer: str
    prompt: str  # when started as a chat
    checked: bool
    letter: str
    approved: bool
    sent: bool


async def check(state: Claim) -> dict[str, Any]:
    write = get_stream_writer()
    write({"progress": "checking receipts", "done": 0})
    await asyncio.sleep(CHECK_SECONDS / 2)
    write("checking the bank")
    await asyncio.sleep(CHECK_SECONDS / 2)
    return {"checked": True}


async def draft(state: Claim) -> dict[str, Any]:
    model = GenericFakeChatModel(messages=iter([AIMessage(LETTER)]))
    reply = await model.ainvoke(f"write to {state.get('customer') or state.get('prompt')}")
    return {"letter": str(reply.content)}


def ask(state: Claim) -> dict[str, Any]:
    return {"approved": interrupt({"question": "Send this letter?", "letter": state["letter"]})}


async def send(state: Claim) -> dict[str, Any]:
    get_stream_writer()("sending the letter")
    await asyncio.sleep(CHECK_SECONDS)
    return {"sent": bool(state["approved"])}


builder = StateGraph(Claim)
builder.add_node("check", check)
builder.add_node("draft", draft)
builder.add_node("ask", ask)
builder.add_node("send", send)
builder.add_edge(START, "check")
builder.add_edge("check", "draft")
builder.add_edge("draft", "ask")
builder.add_edge("ask", "send")
graph = builder.compile()

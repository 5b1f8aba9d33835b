"""A team app for the multitask tests: runs that take a while, so that a second run finds the
thread busy. `steps` logs its input's `item` as `begun`, then (after its input's `seconds`, else
WORK_SECONDS) as `done`;
`pair` asks a typed question in one branch while the other works for WORK_SECONDS, so its
question is pending while the thread still runs."""

from __future__ import annotations

import asyncio
import operator
import os
from typing import Annotated, Any, Literal, TypedDict

from langgraph.graph import START, StateGraph
from langgraph.types import interrupt
from pydantic import BaseModel

#: How long `work` takes (seconds); the tests set it through the environment.
WORK_SECONDS = float(os.environ.get("TURNS_APP_WORK_SECONDS", "1.0"))


class Steps(TypedDict, total=False):
    item: str
    seconds: float  # how long its work takes, if not WORK_SECONDS
    log: Annotated[list[str], operator.add]


def begin(state: Steps) -> dict[str, Any]:
    return {"log": [f"{state['item']} begun"]}


async def work(state: Steps) -> dict[str, Any]:
    await asyncio.sleep(state.get("seconds", WORK_SECONDS))
    return {"log": [f"{state['item']} done"]}


steps_builder = StateGraph(Steps)
steps_builder.add_node("begin", begin)
steps_builder.add_node("work", work)
steps_builder.add_edge(START, "begin")
steps_builder.add_edge("begin", "work")
steps = steps_builder.compile()


class Pair(TypedDict, total=False):
    topic: str
    answer: str
    worked: bool


class Flavour(BaseModel):
    flavour: Literal["green", "black"]


def ask(state: Pair) -> dict[str, Any]:
    reply = interrupt(f"Which {state['topic']}?", response_schema=Flavour)
    return {"answer": reply.flavour}


async def slow(state: Pair) -> dict[str, Any]:
    await asyncio.sleep(WORK_SECONDS)
    return {"worked": True}


pair_builder = StateGraph(Pair)
pair_builder.add_node("ask", ask)
pair_builder.add_node("slow", slow)
pair_builder.add_edge(START, "ask")
pair_builder.add_edge(START, "slow")
pair = pair_builder.compile()

"""The graph of the background crash trials (served from this folder's langgraph.json).

`prepare` and `gather` take a moment each and report progress, `ask` pauses for a yes or no,
`finish` takes a moment too. Every run of a node (but `ask`, which LangGraph runs again on
resume by design) appends `BEGIN <thread> <node> <token>` to the file TRIAL_LOG, and the token
of the run whose result counted lands in the state's `attempts`: a node whose result was
checkpointed ran again if a later BEGIN follows the one its token names.

The environment can make the process die in a node (SIGKILL, nothing cleaned up):
TRIAL_KILL=mid_node kills halfway through the TRIAL_KILL_AT-th node run in this process,
TRIAL_KILL=between_nodes as that node starts (the one before it done, its checkpoint written
or on its way).
"""

from __future__ import annotations

import asyncio
import operator
import os
import random
import signal
import uuid
from typing import Annotated, Any, TypedDict

from langchain_core.runnables import RunnableConfig
from langgraph.config import get_stream_writer
from langgraph.graph import START, StateGraph
from langgraph.types import interrupt

KILL = os.environ.get("TRIAL_KILL", "")
KILL_AT = int(os.environ.get("TRIAL_KILL_AT", "0") or 0)
_runs = 0


def merge(left: dict[str, str], right: dict[str, str]) -> dict[str, str]:
    return {**left, **right}


class Trial(TypedDict, total=False):
    prompt: str
    steps: Annotated[list[str], operator.add]
    attempts: Annotated[dict[str, str], merge]
    approved: bool


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


async def step(name: str, config: RunnableConfig) -> dict[str, Any]:
    """One node's work: logged, a moment long, reporting as it goes; maybe killed."""
    global _runs
    _runs += 1
    if KILL == "between_nodes" and _runs == KILL_AT:
        die()
    token = uuid.uuid4().hex
    thread = config["configurable"]["thread_id"]
    fd = os.open(os.environ["TRIAL_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, f"BEGIN {thread} {name} {token}\n".encode())
    finally:
        os.close(fd)
    write = get_stream_writer()
    write(f"{name}: half way")
    await asyncio.sleep(random.uniform(0.02, 0.15))
    if KILL == "mid_node" and _runs == KILL_AT:
        die()
    write({"progress": f"{name}: done", "node": name})
    await asyncio.sleep(random.uniform(0.02, 0.15))
    return {"steps": [name], "attempts": {name: token}}


async def prepare(state: Trial, config: RunnableConfig) -> dict[str, Any]:
    return await step("prepare", config)


async def gather(state: Trial, config: RunnableConfig) -> dict[str, Any]:
    return await step("gather", config)


def ask(state: Trial) -> dict[str, Any]:
    approved = interrupt(
        {"question": "Approve?", "steps": state["steps"], "attempts": state["attempts"]}
    )
    return {"approved": bool(approved)}


async def finish(state: Trial, config: RunnableConfig) -> dict[str, Any]:
    return await step("finish", config)


builder = StateGraph(Trial)
builder.add_node("prepare", prepare)
builder.add_node("gather", gather)
builder.add_node("ask", ask)
builder.add_node("finish", finish)
builder.add_edge(START, "prepare")
builder.add_edge("prepare", "gather")
builder.add_edge("gather", "ask")
builder.add_edge("ask", "finish")
graph = builder.compile()

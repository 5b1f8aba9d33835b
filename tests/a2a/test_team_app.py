"""A team's LangGraph app (tests/workflows/team_app) through the A2A door: `pausepoint serve
--config` on it puts a skill per graph on the agent card, and the real a2a-sdk client starts a
graph and answers its pause (a wrong answer first, which changes nothing): the typed expense
approval, a graph started from text alone, the LangChain agent's tool review, and an Agent
Inbox request answered in words; a task paused before the server restarts is answered after."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from a2a.client import A2ACardResolver
from a2a.types.a2a_pb2 import TaskState

from pausepoint.agents.a2a_parts import data_of

TEAM_APP = Path(__file__).resolve().parents[1] / "workflows" / "team_app"
TEAM_GRAPHS = {"expense", "triage", "writer", "survey", "receipts", "mailer", "refund"}
EXPENSE = {"employee": "ana", "amount": 120.5, "reason": "train tickets"}
REFUND = {"order": "A-17", "amount": 30.0}
INPUT_REQUIRED = TaskState.TASK_STATE_INPUT_REQUIRED
COMPLETED = TaskState.TASK_STATE_COMPLETED


@asynccontextmanager
async def serving_team_app(
    background: Any, cli_env: dict[str, str], cwd: Path, name: str = "team-serve"
) -> AsyncIterator[str]:
    """`pausepoint serve --config <team app>` as a process in `cwd` on the test's database,
    once its agent card is up: its URL. The process stops when the block ends."""

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
            "--config",
            str(TEAM_APP / "langgraph.json"),
        ]

    async def card(client: httpx.AsyncClient) -> bool | None:
        return True if (await client.get("/.well-known/agent-card.json")).is_success else None

    async with background(name, command, cwd=cwd, env=cli_env, ready=card) as (url, _):
        yield url


@pytest.fixture
async def team_server(
    background: Any, cli_env: dict[str, str], tmp_path: Path
) -> AsyncIterator[str]:
    """The team app served in tmp_path (no langgraph.json there): its URL."""
    async with serving_team_app(background, cli_env, tmp_path) as url:
        yield url


async def test_the_agent_card_has_a_skill_per_team_graph(team_server: str) -> None:
    async with httpx.AsyncClient(timeout=60) as http:
        card = await A2ACardResolver(http, team_server).get_agent_card()

    skills = {skill.id: skill for skill in card.skills}
    assert set(skills) >= TEAM_GRAPHS | {"orchestrator"}
    assert skills["expense"].description.startswith(
        "Expense approval: a manager approves each expense claim before it is paid. "
        'Start it with a data part {"workflow": "expense", "input": {...}}'
    )
    assert skills["survey"].description.startswith(
        "Asks a customer how their visit went and keeps the rating."
    )
    assert "application/json" in skills["triage"].input_modes


async def test_the_a2a_client_starts_the_expense_graph_and_answers_its_typed_pause(
    team_server: str, connect: Any
) -> None:
    a2a = await connect(team_server)

    task = await a2a.send(data={"workflow": "expense", "input": EXPENSE})
    assert task.status.state == INPUT_REQUIRED
    [pause] = a2a.pauses(task)
    assert pause["title"] == "Approve 120.50 EUR for train tickets by ana?"
    assert pause["response_schema"]["required"] == ["approved"]
    thread = a2a.thread_id(task)

    refused = await a2a.send(data={"answer": {"approved": "maybe"}}, task=task)
    assert refused.status.state == INPUT_REQUIRED
    assert "approved" in a2a.text(refused)
    assert a2a.pauses(refused) == [pause]

    done = await a2a.send(data={"answer": {"approved": True, "note": "ok"}}, task=refused)
    assert done.status.state == COMPLETED
    [result] = data_of(done.artifacts[0].parts)
    assert result["decision"] == {"approved": True, "note": "ok"}
    assert result["paid"] == 120.5

    async with httpx.AsyncClient(base_url=team_server, timeout=60) as http:  # the same thread
        log = (await http.get(f"/api/threads/{thread}/decisions")).json()["decisions"]
    assert [d["answer"] for d in log] == [{"approved": True, "note": "ok"}]


async def test_text_starts_a_graph_with_one_text_field_and_text_answers_its_pause(
    team_server: str, connect: Any
) -> None:
    a2a = await connect(team_server)

    task = await a2a.send(data={"workflow": "writer"}, text="tides")
    assert task.status.state == INPUT_REQUIRED
    assert a2a.pauses(task)[0]["title"] == "Sign off this note?"
    assert "A short note about tides." in a2a.text(task)

    done = await a2a.send(text="yes", task=task)
    assert done.status.state == COMPLETED
    assert data_of(done.artifacts[0].parts) == [
        {"note": "A short note about tides.", "signed_off": True}
    ]


async def test_the_langchain_agents_tool_review_refuses_an_edit_and_takes_a_rejection_in_words(
    team_server: str, connect: Any
) -> None:
    a2a = await connect(team_server)
    ask = {"messages": [{"role": "user", "content": "delete the draft Old plan"}]}

    task = await a2a.send(data={"workflow": "mailer", "input": ask})
    assert task.status.state == INPUT_REQUIRED
    [pause] = a2a.pauses(task)
    assert pause["title"] == "Tool execution requires approval"
    assert [a["label"] for a in pause["actions"]] == ["Approve", "Reject"]

    edit = {"type": "edit", "args": {"subject": "New plan"}}  # not a decision this tool allows
    refused = await a2a.send(data={"answer": edit}, task=task)
    assert refused.status.state == INPUT_REQUIRED
    assert a2a.pauses(refused) == [pause]

    done = await a2a.send(text="reject: keep it", task=refused)
    assert done.status.state == COMPLETED
    [result] = data_of(done.artifacts[0].parts)
    tools = [(m["name"], m["content"]) for m in result["messages"] if m["type"] == "tool"]
    assert tools == [
        ("delete_draft", "User rejected the tool call for `delete_draft` with reason: keep it")
    ]


async def test_an_agent_inbox_request_is_answered_in_words_with_a_response(
    team_server: str, connect: Any
) -> None:
    a2a = await connect(team_server)

    task = await a2a.send(data={"workflow": "refund", "input": REFUND})
    assert task.status.state == INPUT_REQUIRED
    [pause] = a2a.pauses(task)
    assert pause["title"] == "Refund 30.00 to order A-17?"
    assert [a["label"] for a in pause["actions"]] == ["Accept", "Edit", "Respond"]

    done = await a2a.send(text="respond: customer called, no refund needed", task=task)
    assert done.status.state == COMPLETED
    [result] = data_of(done.artifacts[0].parts)
    assert result["refund"] is None
    assert result["note"] == "customer called, no refund needed"


async def test_a_refund_paused_before_a_restart_is_answered_over_a2a_after_it(
    background: Any, cli_env: dict[str, str], tmp_path: Path, connect: Any
) -> None:
    async with serving_team_app(background, cli_env, tmp_path, "serve-before") as url:
        task = await (await connect(url)).send(data={"workflow": "refund", "input": REFUND})
    assert task.status.state == INPUT_REQUIRED

    async with serving_team_app(background, cli_env, tmp_path, "serve-after") as url:
        a2a = await connect(url)
        edit = {"type": "edit", "args": {"order": "A-17", "amount": 25}}
        done = await a2a.send(data={"answer": edit}, task=task)

    assert done.status.state == COMPLETED, a2a.text(done)
    [result] = data_of(done.artifacts[0].parts)
    assert result["refund"] == {"order": "A-17", "amount": 25}

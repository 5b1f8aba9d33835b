"""`--config PATH` on every `pausepoint` command: the langgraph.json (or its folder) whose graphs
are served, from any working directory, over PAUSEPOINT_CONFIG; a path with no langgraph.json is
a usage error naming it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pausepoint.cli.main import app

RunCli = Callable[..., Any]

TEAM_APP = Path(__file__).resolve().parents[1] / "workflows" / "team_app"
TEAM_CONFIG = str(TEAM_APP / "langgraph.json")
TEAM_GRAPHS = {"expense", "triage", "writer", "survey", "receipts", "mailer", "refund"}
EXPENSE = json.dumps({"employee": "ana", "amount": 120.5, "reason": "train tickets"})
REFUND = json.dumps({"order": "A-17", "amount": 30.0})
GREETER = """
from typing import TypedDict
from langgraph.graph import START, StateGraph

class State(TypedDict, total=False):
    name: str

graph = StateGraph(State)
graph.add_node("greet", lambda state: {})
graph.add_edge(START, "greet")
"""


def unwrapped(text: str) -> str:
    """`text` without its whitespace: rich wraps (and folds) what it prints to a narrow
    terminal."""
    return "".join(text.split())


def test_a_team_graph_runs_and_is_answered_from_another_folder_with_config(
    run_cli: RunCli, tmp_path: Path
) -> None:
    assert not (tmp_path / "langgraph.json").exists()  # run_cli's working directory
    started = run_cli("run", "expense", "--input", EXPENSE, "--config", TEAM_CONFIG, "--json")
    assert started.code == 0, started.stderr
    view = started.json()
    assert view["status"] == "waiting", view["error"]
    [pause] = view["pauses"]
    assert pause["title"] == "Approve 120.50 EUR for train tickets by ana?"  # its "env" too
    assert pause["response_schema"]["required"] == ["approved"]
    thread = view["thread_id"]

    wrong = run_cli("answer", thread, '{"approved": "maybe"}', "--config", TEAM_CONFIG, "--json")
    assert wrong.code == 4, wrong.stderr
    assert [f["loc"] for f in wrong.json()["fields"]] == ["approved"]
    still = run_cli("show", thread, "--config", TEAM_CONFIG, "--json")
    assert still.code == 0, still.stderr
    assert (still.json()["status"], still.json()["pauses"]) == ("waiting", [pause])

    done = run_cli(
        "answer", thread, '{"approved": true, "note": "ok"}', "--config", TEAM_CONFIG, "--json"
    )
    assert done.code == 0, done.stderr
    assert done.json()["status"] == "completed", done.json()["error"]
    assert done.json()["result"]["paid"] == 120.5  # the claim a model again in a new process

    shown = run_cli("show", thread, "--config", str(TEAM_APP), "--json")  # the folder works too
    assert shown.code == 0, shown.stderr
    assert shown.json()["result"] == done.json()["result"]
    log = run_cli("decisions", thread, "--config", TEAM_CONFIG, "--json")
    assert [d["answer"] for d in log.json()["decisions"]] == [{"approved": True, "note": "ok"}]


def test_the_langchain_agents_tool_review_is_rejected_in_words_with_config(
    run_cli: RunCli,
) -> None:
    ask = json.dumps(
        {"messages": [{"role": "user", "content": "email ann@example.com about Lunch"}]}
    )
    started = run_cli("run", "mailer", "--input", ask, "--config", TEAM_CONFIG, "--json")
    assert started.code == 0, started.stderr
    [pause] = started.json()["pauses"]
    assert [a["label"] for a in pause["actions"]] == ["Approve", "Edit", "Reject"]

    done = run_cli(
        "answer",
        started.json()["thread_id"],
        "reject: not today",
        "--config",
        TEAM_CONFIG,
        "--json",
    )

    assert done.code == 0, done.stderr
    assert done.json()["status"] == "completed", done.json()["error"]
    last = done.json()["result"]["messages"][-1]["content"]
    assert last == "Done. User rejected the tool call for `send_email` with reason: not today"


def test_an_agent_inbox_request_refuses_a_forbidden_type_then_is_accepted_with_config(
    run_cli: RunCli,
) -> None:
    started = run_cli("run", "refund", "--input", REFUND, "--config", TEAM_CONFIG, "--json")
    assert started.code == 0, started.stderr
    assert started.json()["status"] == "waiting", started.json()["error"]
    [pause] = started.json()["pauses"]
    assert pause["title"] == "Refund 30.00 to order A-17?"
    thread = started.json()["thread_id"]

    ignored = run_cli("answer", thread, '{"type": "ignore"}', "--config", TEAM_CONFIG, "--json")
    assert ignored.code == 4, ignored.stderr
    assert ignored.json()["error"] == "invalid_answer"
    assert ignored.json()["detail"] == (
        "invalid answer to 'Refund 30.00 to order A-17?': "
        "type: must be one of ['accept', 'edit', 'response'], not 'ignore'"
    )

    done = run_cli("answer", thread, "accept", "--config", TEAM_CONFIG, "--json")
    assert done.code == 0, done.stderr
    assert done.json()["status"] == "completed", done.json()["error"]
    assert done.json()["result"]["refund"] == {"order": "A-17", "amount": 30.0}


def test_without_config_the_team_graph_is_not_served_here(run_cli: RunCli) -> None:
    started = run_cli("run", "expense", "--input", EXPENSE, "--config", TEAM_CONFIG, "--json")
    assert started.code == 0, started.stderr

    shown = run_cli("show", started.json()["thread_id"], "--json")

    assert shown.code == 5
    assert shown.json()["error"] == "workflow_not_found"
    assert "'expense'" in shown.json()["detail"]


def test_config_overrides_pausepoint_config(run_cli: RunCli, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "greeter.py").write_text(GREETER)
    (other / "langgraph.json").write_text(json.dumps({"graphs": {"greeter": "./greeter.py:graph"}}))
    env = {"PAUSEPOINT_CONFIG": str(other)}

    plain = run_cli("workflows", "--json", env=env)
    chosen = run_cli("workflows", "--config", TEAM_CONFIG, "--json", env=env)

    assert plain.code == 0 and chosen.code == 0, plain.stderr + chosen.stderr
    assert "greeter" in {w["name"] for w in plain.json()["workflows"]}
    served = {w["name"]: w for w in chosen.json()["workflows"]}
    assert "greeter" not in served
    assert set(served) >= TEAM_GRAPHS
    assert served["expense"]["input_schema"]["required"] == ["employee", "amount", "reason"]


def test_chat_resumes_a_team_graphs_pause_with_config(run_cli: RunCli) -> None:
    started = run_cli("run", "expense", "--input", EXPENSE, "--config", TEAM_CONFIG, "--json")
    thread = started.json()["thread_id"]

    chat = run_cli(
        "chat", "--thread", thread, "--config", TEAM_CONFIG, stdin="approved: yes\n/quit\n"
    )

    assert chat.code == 0, chat.stderr
    assert "Approve 120.50 EUR for train tickets by ana?" in chat.stdout
    assert '"paid": 120.5' in chat.stdout  # the graph's final state, as JSON
    shown = run_cli("show", thread, "--config", TEAM_CONFIG, "--json").json()
    assert (shown["status"], shown["result"]["decision"]) == (
        "completed",
        {"approved": True, "note": ""},
    )


EVERY_COMMAND = [
    ["run", "expense"],
    ["answer", "t1", "{}"],
    ["show", "t1"],
    ["inbox"],
    ["decisions", "t1"],
    ["cancel", "t1"],
    ["workflows"],
    ["sweep"],
    ["threads"],
    ["threads", "list"],
    ["threads", "export", "t1"],
    ["threads", "import", "-"],
    ["events", "--count", "1"],
    ["chat"],
    ["demo"],
    ["serve", "--port", "0"],
]


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: " ".join(c[:2]))
def test_every_command_refuses_a_config_with_no_langgraph_json_naming_it(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PAUSEPOINT_DATABASE_URL", f"sqlite:///{tmp_path / 'unused.db'}")
    nowhere = tmp_path / "nowhere"
    nowhere.mkdir()  # a folder, but none holding a langgraph.json

    out = CliRunner().invoke(app, [*command, "--config", str(nowhere)], input="")

    assert out.exit_code == 2, out.output
    said = f"--config {nowhere} is neither a langgraph.json nor a folder holding one"
    assert unwrapped(said) in unwrapped(out.output)
    assert not (tmp_path / "unused.db").exists()  # refused before anything was opened


def test_a_missing_config_with_json_is_one_error_object(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "missing.json"

    out = CliRunner().invoke(app, ["workflows", "--config", str(missing), "--json"])

    assert out.exit_code == 2
    assert json.loads(out.stdout) == {
        "error": "configuration_error",
        "detail": f"--config {missing} is neither a langgraph.json nor a folder holding one",
        "fields": [],
    }


def test_chat_refuses_config_beside_url(tmp_path: Path) -> None:
    out = CliRunner().invoke(
        app, ["chat", "--url", "http://127.0.0.1:9", "--config", TEAM_CONFIG], input=""
    )

    assert out.exit_code == 2
    assert unwrapped("the server at --url serves its own") in unwrapped(out.output)

"""The `pausepoint` command, run as a real process on a real SQLite file."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

RunCli = Callable[..., Any]

UPDATE = json.dumps({"decision": "update", "comments": "make it funnier"})


def test_story_loop_across_processes_completes_with_the_accepted_story(run_cli: RunCli) -> None:
    started = run_cli("run", "story", "--input", '{"prompt": "a lighthouse keeper"}', "--json")
    assert started.code == 0, started.stderr
    view = started.json()
    assert view["status"] == "waiting"
    assert view["pauses"][0]["title"] == "Review the draft"
    thread = view["thread_id"]

    revised = run_cli("answer", thread, UPDATE, "--json")  # a new process: a restart
    assert revised.code == 0, revised.stderr
    assert "laughed" in revised.json()["pauses"][0]["context"]["draft"]

    done = run_cli("answer", thread, '{"decision": "accept"}', "--json")
    assert done.code == 0, done.stderr
    body = done.json()
    assert body["status"] == "completed"
    assert body["result"]["story"] == revised.json()["pauses"][0]["context"]["draft"]

    log = run_cli("decisions", thread, "--json").json()["decisions"]
    assert [d["answer"]["decision"] for d in log] == ["update", "accept"]


def test_human_output_shows_the_pause_as_a_form(run_cli: RunCli) -> None:
    out = run_cli("run", "story", "--input", '{"prompt": "a fox"}')
    assert out.code == 0, out.stderr
    assert "is waiting" in out.stdout and "Review the draft" in out.stdout
    assert "[Accept]" in out.stdout and "[Update with comments]" in out.stdout
    assert "Once there was a fox" in out.stdout


def test_exit_codes_name_the_problem(run_cli: RunCli) -> None:
    missing = run_cli("show", "no-such-thread", "--json")
    assert missing.code == 5
    assert missing.json()["error"] == "thread_not_found"

    thread = run_cli("run", "story", "--input", '{"prompt": "a fox"}', "--json").json()
    invalid = run_cli("answer", thread["thread_id"], '{"decision": "update"}', "--json")
    assert invalid.code == 4
    assert invalid.json()["fields"] == [{"loc": "comments", "message": "field required"}]

    not_json = run_cli("answer", thread["thread_id"], "{oops", "--json")
    assert not_json.code == 4
    assert "not valid JSON" in not_json.json()["detail"]
    too_deep = run_cli("answer", thread["thread_id"], "[" * 5000 + "]" * 5000, "--json")
    assert too_deep.code == 4
    assert too_deep.json()["detail"] == "ANSWER_JSON is nested deeper than 64 levels"
    bell = run_cli("answer", thread["thread_id"], '{"decision": "update", "comments": "\\u0007"}')
    assert bell.code == 4
    assert "comments: contains the control character U+0007 at 0" in bell.stderr

    assert run_cli("answer", thread["thread_id"], '{"decision": "accept"}').code == 0
    again = run_cli("answer", thread["thread_id"], '{"decision": "accept"}', "--json")
    assert again.code == 3
    assert again.json()["error"] == "conflict"

    assert run_cli("frobnicate").code == 2
    bad_input = run_cli("run", "story", "--input", '{"prompt": ""}', "--json")
    assert bad_input.code == 4
    assert bad_input.json()["fields"][0]["loc"] == "prompt"


def test_threads_inbox_and_workflows_list_what_is_waiting(run_cli: RunCli) -> None:
    first = run_cli("run", "story", "--input", '{"prompt": "a fox"}', "--json", "--as", "ann")
    second = run_cli(
        "run",
        "story",
        "--input",
        '{"prompt": "a crow", "reviewer": "bob"}',
        "--json",
        "--as",
        "ann",
    )
    waiting = run_cli("threads", "--status", "waiting", "--json").json()["threads"]
    assert {t["thread_id"] for t in waiting} == {
        first.json()["thread_id"],
        second.json()["thread_id"],
    }
    ann = run_cli("inbox", "--as", "ann", "--json").json()["inbox"]
    bob = run_cli("inbox", "--as", "bob", "--json").json()["inbox"]
    assert [i["thread_id"] for i in ann] == [first.json()["thread_id"]]
    assert [i["thread_id"] for i in bob] == [second.json()["thread_id"]]
    names = [w["name"] for w in run_cli("workflows", "--json").json()["workflows"]]
    assert "story" in names

"""`pausepoint answer` takes a reply in words like every other door (mapped onto the pause's
form), JSON stays JSON, and every `--json` error is `{"error", "detail", "fields"}`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

RunCli = Callable[..., Any]

PLAN = {
    "target": "staging",
    "service": "user-api",
    "version": "v2.1.0",
    "estimated_downtime": "1 minute",
}


def start(run_cli: RunCli, workflow: str, input: dict[str, Any]) -> str:
    started = run_cli("run", workflow, "--input", json.dumps(input), "--json")
    assert started.code == 0, started.stderr
    assert started.json()["status"] == "waiting"
    return str(started.json()["thread_id"])


def test_an_answer_in_words_or_as_a_json_string_is_mapped_onto_the_story_review(
    run_cli: RunCli,
) -> None:
    thread = start(run_cli, "story", {"prompt": "a fox"})

    revised = run_cli("answer", thread, "make it funnier", "--json")
    done = run_cli("answer", thread, '"Accept"')
    log = run_cli("decisions", thread, "--json").json()["decisions"]

    assert revised.code == 0, revised.stderr
    assert revised.json()["pauses"][0]["context"]["revision"] == 2
    assert done.code == 0, done.stderr
    assert "completed" in done.stdout
    assert [d["answer"] for d in log] == [
        {"decision": "update", "comments": "make it funnier"},
        {"decision": "accept"},
    ]


def test_the_deploy_approval_is_answered_in_words_and_a_vague_reply_names_the_field(
    run_cli: RunCli,
) -> None:
    thread = start(run_cli, "deploy", {"service": "user-api", "version": "v2.1.0"})
    shown = run_cli("show", thread)

    vague = run_cli("answer", thread, "looks good", "--json")
    changed = run_cli("answer", thread, f"approve with changes: {json.dumps(PLAN)}", "--json")

    assert f"pausepoint answer {thread} 'approve'" in shown.stdout
    assert vague.code == 4
    assert vague.json()["fields"] == [{"loc": "decision", "message": "field required"}]
    assert "choose one of: Approve" in vague.json()["detail"]
    assert changed.code == 0, changed.stderr
    assert changed.json()["result"]["deployment_result"]["target"] == "staging"
    assert len(run_cli("decisions", thread, "--json").json()["decisions"]) == 1


def test_a_reply_that_starts_like_json_but_is_not_stays_an_error(run_cli: RunCli) -> None:
    thread = start(run_cli, "story", {"prompt": "a fox"})

    for text in ("{decision: accept}", "[accept"):
        refused = run_cli("answer", thread, text, "--json")
        assert refused.code == 4
        assert "ANSWER_JSON is not valid JSON" in refused.json()["detail"]
    assert run_cli("show", thread, "--json").json()["status"] == "waiting"
    assert run_cli("decisions", thread, "--json").json()["decisions"] == []


def test_every_json_error_carries_error_detail_and_fields(run_cli: RunCli) -> None:
    thread = start(run_cli, "story", {"prompt": "a fox"})

    missing = run_cli("show", "no-such-thread", "--json")
    not_json = run_cli("answer", thread, "{oops", "--json")
    bad_input = run_cli("run", "story", "--input", "[1]", "--json")
    invalid = run_cli("answer", thread, '{"decision": "update"}', "--json")
    assert run_cli("answer", thread, "accept").code == 0
    again = run_cli("answer", thread, "accept", "--json")

    for result, code, error in (
        (missing, 5, "thread_not_found"),
        (not_json, 4, "invalid_request"),
        (bad_input, 4, "invalid_input"),
        (invalid, 4, "invalid_answer"),
        (again, 3, None),
    ):
        body = result.json()
        assert result.code == code, result.stdout
        assert set(body) >= {"error", "detail", "fields"}, body
        assert isinstance(body["fields"], list)
        assert error is None or body["error"] == error
    assert missing.json()["fields"] == [] and not_json.json()["fields"] == []
    assert invalid.json()["fields"] == [{"loc": "comments", "message": "field required"}]

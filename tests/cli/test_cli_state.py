"""`pausepoint threads export` / `threads import`, run as real processes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

RunCli = Callable[..., Any]
DEPLOY = json.dumps({"service": "user-api", "version": "v2.1.0"})


def test_export_edit_import_from_the_command_line_completes_the_deploy(
    run_cli: RunCli, tmp_path: Path
) -> None:
    started = run_cli("run", "deploy", "--input", DEPLOY, "--json", "--as", "ann")
    assert started.code == 0, started.stderr
    thread = started.json()["thread_id"]
    waiting = run_cli("threads", "--status", "waiting", "--json").json()["threads"]
    assert [t["thread_id"] for t in waiting] == [thread]

    exported = run_cli("threads", "export", thread)
    assert exported.code == 0, exported.stderr
    state = exported.json()
    assert state["steps"]["deploy"]["status"] == "paused_for_approval"
    state["steps"]["deploy"]["status"] = "completed"
    state["context"]["deployment_result"] = {"status": "approved_and_deployed"}
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))

    done = run_cli("threads", "import", str(path), "--json", "--as", "ann")
    assert done.code == 0, done.stderr
    assert done.json()["status"] == "completed"
    assert done.json()["result"]["verification"]["healthy"] is True
    log = run_cli("decisions", thread, "--json").json()["decisions"]
    assert [d["actor"] for d in log] == ["ann"]
    listed = run_cli("threads", "list", "--status", "completed", "--json").json()["threads"]
    assert [t["thread_id"] for t in listed] == [thread]


def test_a_bad_state_file_exits_4_naming_the_field(run_cli: RunCli, tmp_path: Path) -> None:
    thread = run_cli("run", "deploy", "--input", DEPLOY, "--json").json()["thread_id"]
    state = run_cli("threads", "export", thread).json()
    state["steps"]["deploy"]["status"] = "completed"
    state["context"]["service"] = "another-api"  # only a completed step's output may change
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))

    refused = run_cli("threads", "import", str(path), "--json")
    assert refused.code == 4
    assert refused.json()["fields"][0]["loc"] == "context.service"
    assert run_cli("show", thread, "--json").json()["status"] == "waiting"

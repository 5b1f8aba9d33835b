"""One identity on one machine: with no API keys the CLI acts as the open server's user, so
what `pausepoint run` starts the web page and HTTP see, and the other way round."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from typing import Any

import httpx

from pausepoint.api.auth import hash_key

RunCli = Callable[..., Any]
STORY = '{"prompt": "a lighthouse keeper"}'


async def test_a_thread_run_without_as_is_seen_and_answered_over_http_on_a_keyless_server(
    run_cli: RunCli, server_url: str
) -> None:
    started = run_cli("run", "story", "--input", STORY, "--json")
    assert started.code == 0, started.stderr
    thread_id = started.json()["thread_id"]

    async with httpx.AsyncClient(base_url=server_url, timeout=60) as client:
        seen = await client.get(f"/api/threads/{thread_id}")
        inbox = (await client.get("/api/inbox")).json()["inbox"]
        answered = await client.post(
            f"/api/threads/{thread_id}/answers", json={"answer": {"decision": "accept"}}
        )

    assert started.json()["owner"] == "local"
    assert seen.status_code == 200, seen.text
    assert seen.json()["pauses"][0]["title"] == "Review the draft"
    assert [item["thread_id"] for item in inbox] == [thread_id]
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "completed"
    assert run_cli("decisions", thread_id, "--json").json()["decisions"][0]["actor"] == "local"


async def test_a_thread_started_over_http_waits_in_the_inbox_of_the_cli_without_as(
    run_cli: RunCli, server_url: str
) -> None:
    async with httpx.AsyncClient(base_url=server_url, timeout=60) as client:
        started = await client.post(
            "/api/threads", json={"workflow": "story", "input": {"prompt": "a fox"}}
        )
    thread_id = started.json()["thread_id"]

    inbox = run_cli("inbox", "--json").json()["inbox"]
    done = run_cli("answer", thread_id, "accept", "--json")

    assert [item["thread_id"] for item in inbox] == [thread_id]
    assert done.code == 0, done.stderr
    assert done.json()["status"] == "completed"


def test_as_names_the_actor_and_with_api_keys_the_default_is_the_os_user(
    run_cli: RunCli,
) -> None:
    as_ann = run_cli("run", "story", "--input", STORY, "--json", "--as", "ann")
    keyed = run_cli(
        "run",
        "story",
        "--input",
        STORY,
        "--json",
        env={"PAUSEPOINT_API_KEYS": f"ann:{hash_key('pp_key_for_ann')}"},
    )

    assert as_ann.code == 0, as_ann.stderr
    assert as_ann.json()["owner"] == "ann"
    assert keyed.code == 0, keyed.stderr
    assert keyed.json()["owner"] == getpass.getuser()
    assert [i["thread_id"] for i in run_cli("inbox", "--json").json()["inbox"]] == []

"""Users and keys: 401 without a key, another user's thread is a 404 on every route."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pausepoint.api.auth import Authenticator, check_bind
from pausepoint.errors import ConfigurationError, Unauthorized
from pausepoint.settings import Settings

STORY = {"workflow": "story", "input": {"prompt": "a fox"}}
NO_KEYS = {"PAUSEPOINT_API_KEYS": ""}
RunCli = Callable[..., Any]


async def test_requests_without_a_valid_key_get_401_when_keys_are_configured(
    keyed_server: Any,
) -> None:
    async with keyed_server.client() as anonymous:
        no_key = await anonymous.get("/api/threads")
        wrong = await anonymous.get("/api/inbox", headers={"Authorization": "Bearer pp_wrong"})
        start = await anonymous.post("/api/threads", json=STORY)
        listed = await anonymous.get("/api/threads", headers={"Authorization": "Bearer pp_wrong"})

    assert no_key.status_code == 401
    assert no_key.headers["www-authenticate"] == "Bearer"
    assert no_key.json()["error"] == "unauthorized"
    assert wrong.status_code == 401
    assert start.status_code == 401
    assert listed.status_code == 401


async def test_me_says_whose_key_is_presented_and_refuses_an_unknown_one(
    keyed_server: Any, server: Any
) -> None:
    async with keyed_server.client("ann") as ann, keyed_server.client() as anonymous:
        mine = await ann.get("/api/me")
        unknown = await anonymous.get("/api/me", headers={"Authorization": "Bearer pp_wrong"})
    async with server.client() as local:
        open_server = await local.get("/api/me")

    assert mine.json() == {"user": "ann", "open": False}
    assert (unknown.status_code, unknown.json()["detail"]) == (401, "unknown API key")
    assert open_server.json() == {"user": "local", "open": True}


async def test_the_key_decides_who_owns_a_thread(keyed_server: Any) -> None:
    async with keyed_server.client("ann") as ann, keyed_server.client("bob") as bob:
        view = (await ann.post("/api/threads", json=STORY)).json()
        ann_threads = (await ann.get("/api/threads")).json()["threads"]
        bob_threads = (await bob.get("/api/threads")).json()["threads"]
        bob_inbox = (await bob.get("/api/inbox")).json()["inbox"]

    assert view["owner"] == "ann"
    assert [t["thread_id"] for t in ann_threads] == [view["thread_id"]]
    assert bob_threads == []
    assert bob_inbox == []


async def test_another_users_thread_is_404_on_every_thread_route(keyed_server: Any) -> None:
    async with keyed_server.client("ann") as ann, keyed_server.client("bob") as bob:
        view = (await ann.post("/api/threads", json=STORY)).json()
        tid = view["thread_id"]
        routes = [
            ("GET", f"/api/threads/{tid}", None),
            ("POST", f"/api/threads/{tid}/answers", {"answer": {"decision": "accept"}}),
            ("POST", f"/api/threads/{tid}/cancel", None),
            ("GET", f"/api/threads/{tid}/decisions", None),
            ("GET", f"/api/threads/{tid}/export", None),
            ("POST", "/api/threads/import", {"thread_id": tid}),
            ("GET", f"/api/chat/status/{tid}", None),
            ("POST", "/api/chat/continue", {"thread_id": tid, "response": "accept"}),
            ("POST", "/api/chat", {"prompt": "accept", "thread_id": tid}),
            ("GET", f"/orchestrator/status/{tid}", None),
            ("POST", "/human_input", {"task_id": tid, "user_input": "accept"}),
            ("POST", "/workflow_resume", {"execution_id": tid, "data": {"decision": "accept"}}),
        ]
        for method, path, body in routes:
            response = await bob.request(method, path, json=body)
            assert response.status_code == 404, (method, path, response.text)
            assert response.json()["error"] == "thread_not_found"

        after = (await ann.get(f"/api/threads/{tid}")).json()

    assert after["status"] == "waiting"
    assert after["pauses"] == view["pauses"]


async def test_the_assignee_sees_and_answers_a_pause_and_the_owner_may_not(
    keyed_server: Any,
) -> None:
    story = {"workflow": "story", "input": {"prompt": "a fox", "reviewer": "bob"}}
    async with keyed_server.client("ann") as ann, keyed_server.client("bob") as bob:
        view = (await ann.post("/api/threads", json=story)).json()
        tid = view["thread_id"]
        bob_inbox = (await bob.get("/api/inbox")).json()["inbox"]
        by_owner = await ann.post(
            f"/api/threads/{tid}/answers", json={"answer": {"decision": "accept"}}
        )
        by_bob = await bob.post(
            f"/api/threads/{tid}/answers", json={"answer": {"decision": "accept"}}
        )

    assert [i["thread_id"] for i in bob_inbox] == [tid]
    assert by_owner.status_code == 403
    assert by_owner.json()["error"] == "forbidden"
    assert by_bob.status_code == 200
    assert by_bob.json()["status"] == "completed"


def test_a_keyless_server_refuses_to_listen_beyond_loopback(settings: Settings) -> None:
    check_bind(settings, "127.0.0.1")
    check_bind(settings, "::1")
    with pytest.raises(ConfigurationError):
        check_bind(settings, "0.0.0.0")
    keyed = settings.model_copy(update={"api_keys": "ann:" + "0" * 64})
    check_bind(keyed, "0.0.0.0")


def test_serve_without_keys_on_a_public_address_exits_with_a_clear_error(
    run_cli: RunCli,
) -> None:
    done = run_cli("serve", "--host", "0.0.0.0", "--port", "0", env=NO_KEYS)
    assert done.returncode == 2
    assert "PAUSEPOINT_API_KEYS" in done.stderr


def test_keys_add_prints_a_key_and_a_settings_line_that_admits_it(run_cli: RunCli) -> None:
    done = run_cli("keys", "add", "carol", env=NO_KEYS)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    key = lines[1]
    setting = next(line for line in lines if line.startswith("PAUSEPOINT_API_KEYS="))
    assert key not in setting  # only the hash is stored
    settings = Settings(api_keys=setting.partition("=")[2], _env_file=None)  # type: ignore[call-arg]
    auth = Authenticator.from_settings(settings)
    assert auth.user(f"Bearer {key}", None) == "carol"
    with pytest.raises(Unauthorized):
        auth.user("Bearer pp_someone_else", None)

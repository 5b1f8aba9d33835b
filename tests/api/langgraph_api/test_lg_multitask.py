"""A run on a busy thread through the real langgraph-sdk client, as each `multitask_strategy`
says (reject, interrupt, rollback, enqueue), on runs that take a while
(tests/api/langgraph_api/turns_app.py); and joining a run from a server other than the one
that runs it, on Postgres."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client

from pausepoint.service.catalog import bundled, use_config
from pausepoint.settings import Settings
from pausepoint.workflows.registry import WorkflowRegistry

TURNS_APP = Path(__file__).with_name("turns_app.py")


@pytest.fixture
def turns_app(tmp_path: Path) -> Path:
    """A LangGraph project serving the turns app's `steps` and `pair`."""
    folder = tmp_path / "turns"
    folder.mkdir()
    shutil.copy(TURNS_APP, folder / "turns.py")
    graphs = {"graphs": {"steps": "./turns.py:steps", "pair": "./turns.py:pair"}}
    (folder / "langgraph.json").write_text(json.dumps(graphs))
    return folder


@pytest.fixture
def registry(
    settings: Settings, turns_app: Path, monkeypatch: pytest.MonkeyPatch
) -> WorkflowRegistry:
    """The bundled workflows and the turns app's graphs (their work takes 1 s)."""
    monkeypatch.setenv("TURNS_APP_WORK_SECONDS", "1.0")
    return bundled(use_config(settings.model_copy(update={"workflows_dir": None}), turns_app))


async def _busy(client: Any, tid: str, item: str, seconds: float | None = None) -> dict[str, Any]:
    """A run of `steps` on the thread, going on (in `work`, for `seconds` when given) when this
    returns."""
    payload: dict[str, Any] = {"item": item}
    if seconds is not None:
        payload["seconds"] = seconds  # a run to stop: long enough on a loaded machine
    run = await client.runs.create(tid, "steps", input=payload)
    async with asyncio.timeout(30):
        while "log" not in (await client.threads.get_state(tid))["values"]:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    return dict(run)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_reject_refuses_a_run_on_a_busy_thread_with_409_and_the_first_goes_on(
    server: Any,
) -> None:
    async with get_client(url=server.url) as client:
        tid = (await client.threads.create())["thread_id"]
        first = await _busy(client, tid, "a")
        with pytest.raises(httpx.HTTPStatusError) as refused:
            await client.runs.create(tid, "steps", input={"item": "b"}, multitask_strategy="reject")
        await client.runs.join(tid, first["run_id"])
        got = await client.runs.get(tid, first["run_id"])
        state = await client.threads.get_state(tid)
        runs = await client.runs.list(tid)

    assert refused.value.response.status_code == 409
    assert "busy" in refused.value.response.json()["detail"]
    assert "reject" in refused.value.response.json()["detail"]
    assert got["status"] == "success"
    assert state["values"]["log"] == ["a begun", "a done"]
    assert [r["run_id"] for r in runs] == [first["run_id"]]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_interrupt_stops_the_run_going_on_and_the_new_one_runs_from_its_checkpoint(
    server: Any,
) -> None:
    async with get_client(url=server.url) as client:
        tid = (await client.threads.create())["thread_id"]
        first = await _busy(client, tid, "a", seconds=10)
        second = await client.runs.create(
            tid, "steps", input={"item": "b", "seconds": 0.5}, multitask_strategy="interrupt"
        )
        await client.runs.join(tid, second["run_id"])
        got_first = await client.runs.get(tid, first["run_id"])
        got_second = await client.runs.get(tid, second["run_id"])
        state = await client.threads.get_state(tid)
        thread = await client.threads.get(tid)

    assert got_first["status"] == "interrupted"
    assert got_second["status"] == "success"
    # `a` began (its checkpoint stays), was stopped in `work`; `b` ran from there
    assert state["values"]["log"] == ["a begun", "b begun", "b done"]
    assert state["values"]["item"] == "b" and state["next"] == []
    assert thread["status"] == "idle"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_rollback_deletes_the_run_going_on_and_the_thread_runs_on_without_its_effects(
    server: Any,
) -> None:
    async with get_client(url=server.url) as client:
        tid = (await client.threads.create())["thread_id"]
        await client.runs.wait(tid, "steps", input={"item": "a"})
        second = await _busy(client, tid, "b", seconds=10)
        third = await client.runs.create(
            tid, "steps", input={"item": "c"}, multitask_strategy="rollback"
        )
        await client.runs.join(tid, third["run_id"])
        with pytest.raises(httpx.HTTPStatusError) as gone:
            await client.runs.get(tid, second["run_id"])
        got_third = await client.runs.get(tid, third["run_id"])
        state = await client.threads.get_state(tid)

    assert gone.value.response.status_code == 404
    assert got_third["status"] == "success"
    # back to where `a` left the thread: nothing of `b`
    assert state["values"]["log"] == ["a begun", "a done", "c begun", "c done"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_rollback_of_a_thread_s_first_run_starts_it_again_from_nothing(
    server: Any,
) -> None:
    async with get_client(url=server.url) as client:
        tid = (await client.threads.create())["thread_id"]
        first = await _busy(client, tid, "a", seconds=10)
        second = await client.runs.create(
            tid, "steps", input={"item": "b"}, multitask_strategy="rollback"
        )
        await client.runs.join(tid, second["run_id"])
        runs = await client.runs.list(tid)
        state = await client.threads.get_state(tid)

    assert [r["run_id"] for r in runs] == [second["run_id"]] != [first["run_id"]]
    assert state["values"] == {"item": "b", "log": ["b begun", "b done"]}


@pytest.mark.parametrize("db_url", ["sqlite", "postgres"], indirect=True)
async def test_enqueue_runs_are_pending_then_run_one_after_the_other_in_order(
    server: Any,
) -> None:
    async with get_client(url=server.url) as client:
        tid = (await client.threads.create())["thread_id"]
        first = await _busy(client, tid, "a")
        second = await client.runs.create(
            tid, "steps", input={"item": "b"}, multitask_strategy="enqueue"
        )
        third = await client.runs.create(tid, "steps", input={"item": "c"})  # the default
        pending = await client.runs.get(tid, second["run_id"])
        listed = await client.runs.list(tid, status="pending")
        joined = await client.runs.join(tid, third["run_id"])
        statuses = [
            (await client.runs.get(tid, r["run_id"]))["status"] for r in (first, second, third)
        ]
        state = await client.threads.get_state(tid)

    assert second["status"] == "pending" and pending["status"] == "pending"
    assert {r["run_id"] for r in listed} == {second["run_id"], third["run_id"]}
    assert statuses == ["success"] * 3
    log = ["a begun", "a done", "b begun", "b done", "c begun", "c done"]
    assert joined["log"] == log and state["values"]["log"] == log


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_enqueued_runs_stream_once_their_turn_comes_and_wait_answers_their_end(
    server: Any,
) -> None:
    async with get_client(url=server.url) as client:
        tid = (await client.threads.create())["thread_id"]
        await _busy(client, tid, "a")
        streamed = asyncio.create_task(
            _parts(client.runs.stream(tid, "steps", input={"item": "b"}))
        )
        await asyncio.sleep(0.3)  # queued first
        waited = await client.runs.wait(tid, "steps", input={"item": "c"})
        parts = await streamed

    assert parts[0].event == "metadata"
    values = [p.data for p in parts if p.event == "values"]
    assert values[-1]["log"] == ["a begun", "a done", "b begun", "b done"]
    assert waited["log"][-2:] == ["c begun", "c done"]


async def _parts(stream: Any) -> list[Any]:
    return [p async for p in stream]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_a_queued_stream_whose_client_goes_away_drops_its_run_not_the_one_going_on(
    server: Any,
) -> None:
    async with get_client(url=server.url) as client:
        tid = (await client.threads.create())["thread_id"]
        first = await _busy(client, tid, "a", seconds=3)
        body = {"assistant_id": "steps", "input": {"item": "b"}, "on_disconnect": "cancel"}
        async with (
            httpx.AsyncClient(base_url=server.url, timeout=30) as http,
            http.stream("POST", f"/threads/{tid}/runs/stream", json=body) as response,
        ):
            queued = response.headers["Content-Location"].rsplit("/", 1)[-1]
            await asyncio.sleep(0.3)  # queued, streaming nothing yet: the client hangs up
        await client.runs.join(tid, first["run_id"])
        async with asyncio.timeout(30):
            while (await client.runs.get(tid, queued))["status"] == "pending":  # noqa: ASYNC110
                await asyncio.sleep(0.05)  # polling: the drop goes on after the client left
        dropped = await client.runs.get(tid, queued)
        state = await client.threads.get_state(tid)
        got_first = await client.runs.get(tid, first["run_id"])

    assert dropped["status"] == "interrupted"
    assert got_first["status"] == "success"
    assert state["values"]["log"] == ["a begun", "a done"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_an_enqueued_resume_is_checked_when_made_and_refused_if_its_interrupt_is_answered_first(
    server: Any,
) -> None:
    async with get_client(url=server.url) as client:
        tid = (await client.threads.create())["thread_id"]
        first = await client.runs.create(tid, "pair", input={"topic": "tea"})
        async with asyncio.timeout(30):
            # `ask` has asked; `slow` still works: the thread is busy, its question pending
            while not (await client.threads.get_state(tid))["interrupts"]:  # noqa: ASYNC110
                await asyncio.sleep(0.02)
        [asked] = (await client.threads.get_state(tid))["interrupts"]
        with pytest.raises(httpx.HTTPStatusError) as invalid:
            await client.runs.create(tid, "pair", command={"resume": {"flavour": "red"}})
        second = await client.runs.create(tid, "pair", command={"resume": {"flavour": "green"}})
        third = await client.runs.create(tid, "pair", command={"resume": {"flavour": "black"}})
        await client.runs.join(tid, third["run_id"])
        got = [(await client.runs.get(tid, r["run_id"]))["status"] for r in (first, second, third)]
        state = await client.threads.get_state(tid)
        runs = await client.runs.list(tid)
    async with httpx.AsyncClient(base_url=server.url) as http:
        decisions = (await http.get(f"/api/threads/{tid}/decisions")).json()["decisions"]
        streamed = await http.get(f"/threads/{tid}/runs/{third['run_id']}/stream")

    assert invalid.value.response.status_code == 422  # checked when made: nothing queued
    assert "flavour" in invalid.value.response.text
    assert second["status"] == third["status"] == "pending"
    bound = {"resume": {asked["id"]: {"flavour": "green"}}}
    assert second["kwargs"]["command"] == bound  # to the interrupt pending when it came
    assert got == ["success", "success", "error"] and len(runs) == 3
    assert state["values"]["answer"] == "green"
    assert [d["interrupt_id"] for d in decisions] == [asked["id"]]
    assert "error" in streamed.text and "answered" in streamed.text


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_an_enqueued_resume_with_nothing_to_resume_is_refused_when_made(
    server: Any,
) -> None:
    async with get_client(url=server.url) as client:
        tid = (await client.threads.create())["thread_id"]
        first = await _busy(client, tid, "a")
        with pytest.raises(httpx.HTTPStatusError) as refused:
            await client.runs.create(tid, "steps", command={"resume": "yes"})
        await client.runs.join(tid, first["run_id"])
        runs = await client.runs.list(tid)

    assert refused.value.response.status_code == 409, refused.value.response.text
    assert [r["run_id"] for r in runs] == [first["run_id"]]


# two servers on one database


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_a_run_started_on_one_server_is_joined_and_its_stream_followed_on_another(
    server: Any, second_server: Any
) -> None:
    async with (
        get_client(url=server.url) as client_a,
        get_client(url=second_server.url) as client_b,
    ):
        tid = (await client_a.threads.create())["thread_id"]
        run = await _busy(client_a, tid, "a")
        streamed = asyncio.create_task(_parts(client_b.runs.join_stream(tid, run["run_id"])))
        joined = await client_b.runs.join(tid, run["run_id"])
        parts = await asyncio.wait_for(streamed, 30)
        got = await client_b.runs.get(tid, run["run_id"])

    assert joined["log"] == ["a begun", "a done"]
    assert parts[0].event == "metadata" and parts[0].data["run_id"] == run["run_id"]
    values = [p.data for p in parts if p.event == "values"]
    assert values[-1]["log"] == ["a begun", "a done"]
    assert got["status"] == "success"


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_a_run_queued_on_one_server_is_joined_on_another(
    server: Any, second_server: Any
) -> None:
    async with (
        get_client(url=server.url) as client_a,
        get_client(url=second_server.url) as client_b,
    ):
        tid = (await client_a.threads.create())["thread_id"]
        await _busy(client_a, tid, "a")
        queued = await client_a.runs.create(tid, "steps", input={"item": "b"})
        joined = await client_b.runs.join(tid, queued["run_id"])

    assert queued["status"] == "pending"
    assert joined["log"] == ["a begun", "a done", "b begun", "b done"]


# a server that dies with runs queued


@asynccontextmanager
async def serving(
    background: Any, env: dict[str, str], app: Path, name: str
) -> AsyncIterator[tuple[str, int]]:
    """`pausepoint serve --config <app>` as a process: its URL and its pid."""
    pidfile = app.parent / f"{name}.pid"

    def command(port: int) -> list[str]:
        serve = ["-m", "pausepoint", "serve", "--host", "127.0.0.1", "--port", str(port)]
        wrapped = 'echo $$ > "$0" && exec "$@"'
        return ["sh", "-c", wrapped, str(pidfile), sys.executable, *serve, "--config", str(app)]

    async def listing(client: httpx.AsyncClient) -> bool | None:
        return True if (await client.get("/ok")).is_success else None

    async with background(name, command, cwd=app.parent, env=env, ready=listing) as (url, _):
        yield url, int(pidfile.read_text())


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_a_run_queued_on_a_server_that_dies_is_run_by_the_next_one_after_the_first(
    background: Any, cli_env: dict[str, str], turns_app: Path
) -> None:
    env = {**cli_env, "TURNS_APP_WORK_SECONDS": "2.0"}
    async with serving(background, env, turns_app, "first") as (url, pid):
        async with get_client(url=url) as client:
            tid = (await client.threads.create())["thread_id"]
            first = await _busy(client, tid, "a")
            queued = await client.runs.create(tid, "steps", input={"item": "b"})
        os.kill(pid, signal.SIGKILL)  # in `a`'s work, `b` queued
    async with (
        serving(background, env, turns_app, "second") as (url, _),
        get_client(url=url) as client,
    ):
        joined = await client.runs.join(tid, queued["run_id"])
        got = [(await client.runs.get(tid, r["run_id"]))["status"] for r in (first, queued)]

    assert queued["status"] == "pending"
    assert joined["log"] == ["a begun", "a done", "b begun", "b done"]
    assert got == ["success", "success"]


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_interrupt_on_another_server_stops_the_run_where_it_goes_on(
    server: Any, second_server: Any
) -> None:
    async with (
        get_client(url=server.url) as client_a,
        get_client(url=second_server.url) as client_b,
    ):
        tid = (await client_a.threads.create())["thread_id"]
        first = await _busy(client_a, tid, "a", seconds=10)
        second = await client_b.runs.create(
            tid, "steps", input={"item": "b", "seconds": 0.5}, multitask_strategy="interrupt"
        )
        await client_b.runs.join(tid, second["run_id"])
        await client_a.runs.join(tid, first["run_id"])
        got = [(await client_a.runs.get(tid, r["run_id"]))["status"] for r in (first, second)]
        state = await client_a.threads.get_state(tid)

    assert got == ["interrupted", "success"]
    assert state["values"]["log"] == ["a begun", "b begun", "b done"]

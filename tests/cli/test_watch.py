"""Runs that take a while, from the command line: `run --no-wait` and `answer --no-wait` come back
once the start or the answer is stored, the thread running, and the run goes on by itself after
the command has exited; `pausepoint watch THREAD` follows it live from another process (in a
real terminal: the node, what it reports, then the pause), `--json` as one event a line; `run`
in a terminal shows what the run is doing while it waits.

The team graph is tests/service/background_app.py's `claim` (`check` reports "checking receipts"
then "checking the bank" over BACKGROUND_APP_CHECK_SECONDS, `draft` streams a letter, `ask`
pauses with "Send this letter?", `send` takes as long as `check`), served with --config.
"""

from __future__ import annotations

import asyncio
import json
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from pausepoint.domain import ThreadStatus, ThreadView
from pausepoint.service.catalog import use_config
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings

RunCli = Callable[..., Any]

APP = Path(__file__).resolve().parents[1] / "service" / "background_app.py"
LETTER = "Dear Ann, your refund of 30 EUR is on its way."
CLAIM = json.dumps({"customer": "Ann"})
#: `check` (and `send`) take this long in the tests that must see a run going on (seconds):
#: long beside a `pausepoint` process's start-up on a busy machine (a few seconds).
SLOW = 10.0
#: For what the database does not change (the CLI's own handling): SQLite only.
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def claims(tmp_path: Path) -> Path:
    """A team folder serving the background app's `claim` graph."""
    folder = tmp_path / "claims"
    folder.mkdir()
    shutil.copy(APP, folder / "claims.py")
    (folder / "langgraph.json").write_text(json.dumps({"graphs": {"claim": "./claims.py:graph"}}))
    return folder


def slow(seconds: float) -> dict[str, str]:
    return {"BACKGROUND_APP_CHECK_SECONDS": str(seconds)}


async def read(settings: Settings, claims: Path, thread_id: str) -> ThreadView:
    """The thread as the database has it, read here without running anything (no recovery)."""
    serving = use_config(settings.model_copy(update={"workflows_dir": None}), claims)
    async with ThreadService.open(serving, chat_model=None, recover=False) as service:
        return await service.get(thread_id)


async def until_not_running(settings: Settings, claims: Path, thread_id: str) -> ThreadView:
    """The thread once it has stopped running (within two minutes), read every half second."""
    deadline = time.monotonic() + 120
    while (view := await read(settings, claims, thread_id)).status is ThreadStatus.RUNNING:
        assert time.monotonic() < deadline, f"thread {thread_id} still running"
        await asyncio.sleep(0.5)
    return view


async def test_run_no_wait_comes_back_running_and_the_thread_reaches_its_pause_by_itself(
    run_cli: RunCli, claims: Path, settings: Settings
) -> None:
    t0 = time.monotonic()
    started = run_cli(
        "run", "claim", "--input", CLAIM, "--config", str(claims), "--no-wait", env=slow(SLOW)
    )
    took = time.monotonic() - t0
    assert started.code == 0, started.stderr
    assert took < SLOW * 0.75, took  # the command did not wait for `check`
    first, follow = started.stdout.splitlines()[:2]
    assert first.startswith("thread ") and " is running" in first
    thread = first.split()[1]
    assert follow == f"follow it with: pausepoint watch {thread}"
    running = await read(settings, claims, thread)
    assert running.status is ThreadStatus.RUNNING  # and nobody but the run's own process...

    paused = await until_not_running(settings, claims, thread)  # ...takes it to its pause
    assert time.monotonic() - t0 >= SLOW  # `check` really ran, all of it
    assert paused.status is ThreadStatus.WAITING, paused.error

    listed = run_cli("threads", "--status", "waiting", "--config", str(claims), "--json")
    assert listed.code == 0, listed.stderr
    assert [t["thread_id"] for t in listed.json()["threads"]] == [thread]
    shown = run_cli("show", thread, "--config", str(claims), "--json")
    [pause] = shown.json()["pauses"]
    assert pause["context"]["letter"] == LETTER
    assert "Send this letter?" in json.dumps(pause)


async def test_answer_no_wait_comes_back_running_and_the_thread_completes_by_itself(
    run_cli: RunCli, claims: Path, settings: Settings
) -> None:
    started = run_cli("run", "claim", "--input", CLAIM, "--config", str(claims), "--json")
    assert started.json()["status"] == "waiting", started.stdout
    thread = started.json()["thread_id"]

    t0 = time.monotonic()
    answered = run_cli(
        "answer", thread, "true", "--config", str(claims), "--no-wait", "--json", env=slow(SLOW)
    )
    took = time.monotonic() - t0
    assert answered.code == 0, answered.stderr
    assert took < SLOW * 0.75, took  # it did not wait for `send`
    view = answered.json()
    assert (view["thread_id"], view["status"], view["pauses"]) == (thread, "running", [])
    log = run_cli("decisions", thread, "--config", str(claims), "--json")
    assert [d["answer"] for d in log.json()["decisions"]] == [True]  # stored before it returned

    done = await until_not_running(settings, claims, thread)
    assert time.monotonic() - t0 >= SLOW  # `send` really ran
    assert done.status is ThreadStatus.COMPLETED, done.error
    shown = run_cli("show", thread, "--config", str(claims), "--json")
    assert shown.json()["status"] == "completed"
    assert shown.json()["result"]["sent"] is True


@SQLITE_ONLY
async def test_a_wrong_answer_with_no_wait_is_refused_at_once_and_the_thread_still_waits(
    run_cli: RunCli, claims: Path
) -> None:
    started = run_cli("run", "claim", "--input", CLAIM, "--config", str(claims), "--json")
    thread = started.json()["thread_id"]
    args = ("--config", str(claims), "--no-wait", "--json")

    unknown = run_cli("answer", "no-such-thread", "true", *args)
    assert unknown.code == 5, unknown.stdout
    assert unknown.json()["error"] == "thread_not_found"
    stale = run_cli("answer", thread, "true", "--pause", "not-the-pause", *args)
    assert stale.code == 3, stale.stdout

    shown = run_cli("show", thread, "--config", str(claims), "--json")
    assert shown.json()["status"] == "waiting"


def test_watch_json_prints_each_progress_event_then_the_pause(
    run_cli: RunCli, claims: Path
) -> None:
    started = run_cli(
        "run",
        "claim",
        "--input",
        CLAIM,
        "--config",
        str(claims),
        "--no-wait",
        "--json",
        env=slow(SLOW),
    )
    thread = started.json()["thread_id"]

    watched = run_cli("watch", thread, "--config", str(claims), "--json")
    assert watched.code == 0, watched.stderr
    lines = [json.loads(line) for line in watched.stdout.splitlines()]
    *during, last = lines
    told = [e["data"]["text"] for e in during if e["type"] == "progress"]
    assert told == ["checking receipts", "checking the bank"]
    assert {e["thread_id"] for e in lines} == {thread}
    tokens = "".join(e["data"]["text"] for e in during if e["type"] == "tokens")
    assert tokens == LETTER
    assert (last["type"], last["status"]) == ("paused", "waiting")
    assert last["pause"]["context"]["letter"] == LETTER
    assert last["view"]["pauses"] == [last["pause"]]

    again = run_cli("watch", thread, "--config", str(claims))  # not running: at once
    assert again.code == 0, again.stderr
    assert f"thread {thread} is waiting" in again.stdout
    assert "Send this letter?" in again.stdout


@SQLITE_ONLY
def test_watch_of_an_unknown_thread_exits_not_found(run_cli: RunCli, claims: Path) -> None:
    missing = run_cli("watch", "no-such-thread", "--config", str(claims), "--json")
    assert missing.code == 5
    assert missing.json()["error"] == "thread_not_found"


# In a real terminal: tmux


class Terminal:
    """A command in a tmux window of its own (its own tmux server); `screen()` is what it shows."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True
        )
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", "main")

    def watch_until(self, text: str, timeout: float = 120) -> list[str]:
        """Every screen seen (every 0.2 s) until one shows `text`."""
        seen = [self.screen()]
        deadline = time.monotonic() + timeout
        while text not in seen[-1]:
            assert time.monotonic() < deadline, f"{text!r} never shown:\n{seen[-1]}"
            time.sleep(0.2)
            seen.append(self.screen())
        return seen


@pytest.fixture
def terminal(
    cli_env: dict[str, str], tmp_path: Path
) -> Iterator[Callable[[list[str], Mapping[str, str]], Terminal]]:
    """`terminal(args, env)`: `pausepoint ARGS` in a 120x40 tmux window, then `EXIT=<code>`."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    socket = f"pp-{uuid.uuid4().hex[:12]}"
    opened: list[Terminal] = []

    def open_terminal(args: list[str], env: Mapping[str, str]) -> Terminal:
        script = tmp_path / "terminal.sh"
        exports = "".join(
            f"export {k}={shlex.quote(v)}\n"
            for k, v in {**cli_env, **env}.items()
            if k.isidentifier()
        )
        command = shlex.join([sys.executable, "-m", "pausepoint", *args])
        script.write_text(f"{exports}unset COLUMNS\n{command}\necho EXIT=$?\nsleep 600\n")
        term = Terminal(socket)
        term.tmux(
            "new-session",
            "-d",
            "-s",
            "main",
            "-x",
            "120",
            "-y",
            "40",
            "-c",
            str(tmp_path),
            f"bash {shlex.quote(str(script))}",
        )
        opened.append(term)
        return term

    yield open_terminal
    if opened:
        subprocess.run(["tmux", "-L", socket, "kill-server"], check=False)


def test_watch_in_a_terminal_shows_the_progress_live_then_the_pause(
    run_cli: RunCli,
    claims: Path,
    terminal: Callable[[list[str], Mapping[str, str]], Terminal],
    db_url: str,
) -> None:
    started = run_cli(
        "run",
        "claim",
        "--input",
        CLAIM,
        "--config",
        str(claims),
        "--no-wait",
        "--json",
        env=slow(SLOW),
    )
    thread = started.json()["thread_id"]

    term = terminal(["watch", thread, "--config", str(claims)], {})
    screens = term.watch_until("EXIT=")

    live = [s for s in screens if "checking the bank" in s and "Send this letter?" not in s]
    assert live, screens[-1]  # the progress, shown while the thread was still running
    assert any(f"{thread} running" in s and "check" in s for s in live)  # the spinner's line
    before = screens[: screens.index(live[0])]
    if db_url.startswith("sqlite") or any("checking receipts" in s for s in before):
        # what it reported before stays on screen: on SQLite `watch` reads the run's log from
        # its first line; on Postgres it hears the bus only from when it started, so only once
        # it had shown "checking receipts" (a watch started late, on a busy machine, did not)
        assert "checking receipts" in live[-1]
    last = screens[-1]
    assert f"thread {thread} is waiting" in last
    assert "Send this letter?" in last
    assert LETTER in last
    assert "EXIT=0" in last
    assert f"{thread} running" not in last  # the spinner is gone


@SQLITE_ONLY
def test_run_in_a_terminal_shows_what_the_run_is_doing_while_it_waits(
    claims: Path, terminal: Callable[[list[str], Mapping[str, str]], Terminal]
) -> None:
    term = terminal(["run", "claim", "--input", CLAIM, "--config", str(claims)], slow(SLOW / 2))
    screens = term.watch_until("EXIT=")

    live = [s for s in screens if "checking receipts" in s and "is waiting" not in s]
    assert live, screens[-1]
    assert any("running · check" in s for s in live)
    last = screens[-1]
    assert "checking the bank" in last
    assert "is waiting" in last and "Send this letter?" in last
    assert "EXIT=0" in last

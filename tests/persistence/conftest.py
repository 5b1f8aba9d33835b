"""Helpers for the persistence tests: more Pausepoint processes on the same database."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

WORKER = Path(__file__).with_name("worker.py")
TIMEOUT = 300.0


def process_env(db_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAUSEPOINT_")}
    return {**env, "PAUSEPOINT_DATABASE_URL": db_url, "PAUSEPOINT_MODEL": "offline", **extra}


class Worker:
    """A running worker.py process: wait until ready, fire, read its JSON result."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    async def ready(self) -> None:
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), TIMEOUT)
        if line.strip() != b"ready":
            err = await self.proc.stderr.read() if self.proc.stderr else b""
            raise AssertionError(f"worker did not start: {line!r} {err.decode()}")

    def fire(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"go\n")

    async def result(self) -> Any:
        out, err = await asyncio.wait_for(self.proc.communicate(), TIMEOUT)
        assert self.proc.returncode == 0, err.decode()
        return json.loads(out.decode().strip().splitlines()[-1])


@pytest.fixture
async def start_worker(tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[Worker]]]:
    """Start worker.py MODE ARGS as its own OS process on `db_url`."""
    procs: list[asyncio.subprocess.Process] = []

    async def start(db_url: str, *args: str) -> Worker:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(WORKER),
            *args,
            cwd=tmp_path,
            env=process_env(db_url),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        procs.append(proc)
        return Worker(proc)

    yield start
    for proc in procs:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def _run_pausepoint(cwd: Path, env: dict[str, str], *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "pausepoint",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), TIMEOUT)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


@asynccontextmanager
async def _following_events(
    cwd: Path, db_url: str, *args: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "pausepoint",
        "events",
        "--json",
        *args,
        cwd=cwd,
        env=process_env(db_url),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stderr is not None
        while True:
            line = await asyncio.wait_for(proc.stderr.readline(), TIMEOUT)
            assert line, "pausepoint events stopped before it listened"
            if b"listening" in line:
                break
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


@pytest.fixture
def run_pausepoint(tmp_path: Path) -> Callable[..., Awaitable[tuple[int, str, str]]]:
    """`await run_pausepoint(db_url, *args, **env)`: run `pausepoint ARGS` as its own process
    to the end; returns (exit code, stdout, stderr). Killed by a signal: a negative code."""

    def run(db_url: str, *args: str, **env: str) -> Awaitable[tuple[int, str, str]]:
        return _run_pausepoint(tmp_path, process_env(db_url, **env), *args)

    return run


@pytest.fixture
def follow_events(
    tmp_path: Path,
) -> Callable[..., AbstractAsyncContextManager[asyncio.subprocess.Process]]:
    """`async with follow_events(db_url, *args) as proc`: `pausepoint events --json ARGS` in
    its own process, entered once it is listening; its stdout has one event per line."""

    def follow(db_url: str, *args: str) -> AbstractAsyncContextManager[asyncio.subprocess.Process]:
        return _following_events(tmp_path, db_url, *args)

    return follow


async def read_event(proc: asyncio.subprocess.Process) -> dict[str, Any]:
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), TIMEOUT)
    assert line, "pausepoint events ended without printing an event"
    event: dict[str, Any] = json.loads(line)
    return event


@pytest.fixture
def next_event() -> Callable[[asyncio.subprocess.Process], Awaitable[dict[str, Any]]]:
    """`await next_event(proc)`: the next event a `follow_events` process printed."""
    return read_event


# Real servers: `pausepoint serve` as separate OS processes on free loopback ports


class Server:
    def __init__(self, proc: asyncio.subprocess.Process, port: int) -> None:
        self.proc = proc
        self.url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}/ws/chat"

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=TIMEOUT)

    async def wait_until_up(self) -> None:
        async with self.client() as client, asyncio.timeout(TIMEOUT):
            while True:
                if self.proc.returncode is not None:
                    raise AssertionError(f"server exited with {self.proc.returncode}")
                try:
                    if (await client.get("/api/threads")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)  # polling a server that is starting up


@pytest.fixture
async def start_server(
    tmp_path: Path, free_port: Callable[[], int]
) -> AsyncIterator[Callable[..., Awaitable[Server]]]:
    """`await start_server(db_url, **env)`: `pausepoint serve` on a free 127.0.0.1 port, in
    its own process, returned once it answers HTTP; stopped after the test."""
    procs: list[asyncio.subprocess.Process] = []

    async def start(db_url: str, **env: str) -> Server:
        port = free_port()
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "pausepoint",
            "serve",
            "--port",
            str(port),
            cwd=tmp_path,
            env=process_env(db_url, **env),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        procs.append(proc)
        server = Server(proc, port)
        await server.wait_until_up()
        return server

    yield start
    for proc in procs:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), TIMEOUT)
            except TimeoutError:
                proc.kill()
                await proc.wait()

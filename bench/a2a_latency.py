"""Round trip of one answer: over A2A (a2a-sdk client -> uvicorn -> ThreadService) vs direct.

    LANGGRAPH_STRICT_MSGPACK=true .venv/bin/python bench/a2a_latency.py [N]

Each sample starts a story thread (untimed), then times one answer that runs the writer and
pauses again ("update: ..."): `ThreadService.answer` in-process, or a JSON-RPC `SendMessage`
on the task over loopback HTTP to uvicorn in the same process. The two paths alternate
sample by sample (each on its own SQLite file) so machine load hits both alike. Prints the
medians (and p90) in milliseconds.
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import uvicorn
from a2a.client import ClientConfig, ClientFactory
from a2a.helpers import new_data_part, new_text_part
from a2a.types.a2a_pb2 import Message, Part, Role, SendMessageRequest, Task, TaskState
from fastapi import FastAPI

from pausepoint.a2a import close_a2a, mount_a2a
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings

STORY = {"workflow": "story", "input": {"prompt": "a lighthouse keeper who finds a map"}}


def _settings(root: Path, name: str, port: int = 0) -> Settings:
    db = root / f"{name}.db"
    return Settings(database_url=f"sqlite:///{db}", model="offline", port=port, _env_file=None)  # type: ignore[call-arg]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def direct_sample(service: ThreadService) -> float:
    view = await service.start("story", STORY["input"], "bench")
    t0 = time.perf_counter()
    await service.answer(
        view.thread_id, {"decision": "update", "comments": "make it funnier"}, "bench"
    )
    return time.perf_counter() - t0


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[str]:
    ready = asyncio.Event()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with ThreadService.open(settings, chat_model=None) as service:
            mount_a2a(app, service, settings)
            ready.set()
            yield
            await close_a2a(app)

    config = uvicorn.Config(
        FastAPI(lifespan=lifespan), host="127.0.0.1", port=settings.port, log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    await ready.wait()
    await asyncio.sleep(0.2)  # the lifespan is up; give uvicorn a moment to bind the socket
    try:
        yield f"http://127.0.0.1:{settings.port}"
    finally:
        server.should_exit = True
        await task


async def _send(client: object, parts: list[Part], task: Task | None = None) -> Task:
    message = Message(
        role=Role.ROLE_USER,
        message_id=uuid.uuid4().hex,
        parts=parts,
        task_id=task.id if task else "",
        context_id=task.context_id if task else "",
    )
    async for response in client.send_message(SendMessageRequest(message=message)):  # type: ignore[attr-defined]
        return response.task  # type: ignore[no-any-return]
    raise RuntimeError("no response")


async def a2a_sample(client: object) -> float:
    task = await _send(client, [new_data_part(STORY)])
    t0 = time.perf_counter()
    task = await _send(client, [new_text_part("update: make it funnier")], task)
    elapsed = time.perf_counter() - t0
    assert task.status.state == TaskState.TASK_STATE_INPUT_REQUIRED
    return elapsed


def _ms(samples: list[float]) -> str:
    median = statistics.median(samples) * 1000
    p90 = statistics.quantiles(samples, n=10)[-1] * 1000
    return f"median {median:.1f} ms, p90 {p90:.1f} ms"


async def main(n: int) -> None:
    """Alternate the two paths sample by sample, so machine load hits both alike."""
    direct: list[float] = []
    over_a2a: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        async with (
            ThreadService.open(_settings(root, "direct"), chat_model=None) as service,
            serve(_settings(root, "a2a", _free_port())) as url,
            httpx.AsyncClient(timeout=120) as http,
        ):
            client = await ClientFactory(
                ClientConfig(streaming=False, httpx_client=http)
            ).create_from_url(url)
            for i in range(n + 3):  # the first 3 of each warm up
                d, a = await direct_sample(service), await a2a_sample(client)
                if i >= 3:
                    direct.append(d)
                    over_a2a.append(a)
            await client.close()
    print(f"one answer, direct ThreadService.answer: {_ms(direct)}  (n={n})")
    print(f"one answer, over A2A (JSON-RPC, loopback): {_ms(over_a2a)}  (n={n})")
    overhead = (statistics.median(over_a2a) - statistics.median(direct)) * 1000
    print(f"A2A overhead (median): {overhead:.1f} ms")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 30))

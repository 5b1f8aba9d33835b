"""What other processes do reaches an open server's push doors: a thread the CLI starts or
answers in a process of its own is heard by the server's event stream (the page's live
updates). On SQLite the server looks at the rows changed since its last look about once a
second (service/feed.py); on Postgres, LISTEN/NOTIFY carries the other process's events."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

TEAM_APP = Path(__file__).resolve().parents[1] / "workflows" / "team_app"

EXPENSE = {"employee": "ana", "amount": 120.5, "reason": "train tickets"}


async def test_a_thread_the_cli_starts_and_answers_elsewhere_is_heard_by_an_open_event_stream(
    team_server: Any, sse: Any, run_cli: Any
) -> None:
    async with sse(team_server) as events:
        started = await asyncio.to_thread(
            run_cli,
            "run",
            "expense",
            "--input",
            json.dumps(EXPENSE),
            "--config",
            str(TEAM_APP),
            "--json",
        )
        assert started.code == 0, started.stderr
        thread_id = started.json()["thread_id"]
        paused = await events.until(
            lambda e: e.get("thread_id") == thread_id and e.get("event") == "paused"
        )
        answered = await asyncio.to_thread(
            run_cli,
            "answer",
            thread_id,
            '{"approved": true}',
            "--config",
            str(TEAM_APP),
            "--json",
        )
        assert answered.code == 0, answered.stderr
        done = await events.until(
            lambda e: e.get("thread_id") == thread_id and e.get("event") == "completed"
        )

    assert paused[-1]["prompt"] == "Approve 120.50 EUR for train tickets by ana?"
    assert done[-1]["thread_status"] == "completed"
    heard = [e["event"] for e in events.seen if e.get("thread_id") == thread_id]
    assert heard.count("paused") == 1 and heard.count("completed") == 1


async def test_what_the_server_did_itself_is_announced_once(team_server: Any, sse: Any) -> None:
    async with sse(team_server) as events, team_server.client() as http:
        started = await http.post("/api/threads", json={"workflow": "expense", "input": EXPENSE})
        thread_id = started.json()["thread_id"]
        await http.post(f"/api/threads/{thread_id}/answers", json={"answer": {"approved": True}})
        await events.until(lambda e: e.get("thread_id") == thread_id and e["event"] == "completed")
        await asyncio.sleep(2.5)  # two looks at the changed rows, at least
        started = await http.post("/api/threads", json={"workflow": "expense", "input": EXPENSE})
        later = started.json()["thread_id"]
        await events.until(lambda e: e.get("thread_id") == later and e["event"] == "paused")

    heard = [e["event"] for e in events.seen if e.get("thread_id") == thread_id]
    assert heard.count("paused") == 1 and heard.count("completed") == 1

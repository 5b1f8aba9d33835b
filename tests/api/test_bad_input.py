"""The bad-input catalogue over HTTP and WebSocket, on SQLite and PostgreSQL: every refusal
says what is wrong, and the thread it was aimed at is exactly as it was (same view, same
decision log, same inbox). Huge bodies (413) are in test_limits.py."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from pausepoint.jsontext import MAX_DEPTH

STORY = {"workflow": "story", "input": {"prompt": "a lighthouse keeper"}}
JSON = {"Content-Type": "application/json"}


def nested(levels: int) -> Any:
    """A JSON value whose innermost list sits `levels` containers deep."""
    value: Any = []
    for _ in range(levels - 1):
        value = [value]
    return value


class Thread:
    """A story paused at its review, and a way to check a refusal left it alone."""

    def __init__(self, client: httpx.AsyncClient, view: dict[str, Any]) -> None:
        self.client = client
        self.id: str = view["thread_id"]
        self.path = f"/api/threads/{self.id}"
        self.pause: dict[str, Any] = view["pauses"][0]

    async def seen(self) -> tuple[Any, ...]:
        view = (await self.client.get(self.path)).json()
        decisions = (await self.client.get(f"{self.path}/decisions")).json()["decisions"]
        inbox = (await self.client.get("/api/inbox")).json()["inbox"]
        return view, decisions, inbox

    async def answer(self, **kwargs: Any) -> httpx.Response:
        return await self.client.post(f"{self.path}/answers", **kwargs)


@asynccontextmanager
async def paused_story(server: Any) -> AsyncIterator[Thread]:
    async with server.client() as client:
        response = await client.post("/api/threads", json=STORY)
        assert response.status_code == 201, response.text
        yield Thread(client, response.json())


def refused(response: httpx.Response, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["error"] == error, body
    return body


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b'{"answer": {"decision": "accept"}', "request body is not valid JSON: Expecting ','"),
        (b'{"answer": "\xff"}', "request body is not UTF-8 text: invalid start byte at byte 12"),
        (b'{"answer": {"decision": NaN}}', "request body is not valid JSON: NaN is not a JSON"),
        (b'{"answer": -Infinity}', "request body is not valid JSON: -Infinity is not a JSON"),
        (b"", "request body is empty; send a JSON object"),
        (b'[{"answer": {"decision": "accept"}}]', "request body must be a JSON object"),
        (b'"accept"', "request body must be a JSON object"),
        (
            json.dumps({"answer": nested(MAX_DEPTH)}).encode(),
            f"request body is nested deeper than {MAX_DEPTH} levels",
        ),
        (  # past the interpreter's recursion limit, where json.loads itself gives up
            b'{"answer": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            f"request body is nested deeper than {MAX_DEPTH} levels",
        ),
    ],
    ids=["syntax", "not-utf8", "nan", "infinity", "empty", "array", "string", "deep", "deeper"],
)
async def test_a_body_that_is_not_a_json_object_gets_422_saying_why(
    server: Any, body: bytes, detail: str
) -> None:
    async with paused_story(server) as thread:
        before = await thread.seen()

        response = await thread.answer(content=body, headers=JSON)

        assert refused(response, 422, "invalid_request")["detail"].startswith(detail)
        assert await thread.seen() == before


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
async def test_a_body_not_sent_as_json_gets_415_naming_the_type(
    server: Any, content_type: str | None
) -> None:
    body = json.dumps({"answer": {"decision": "accept"}}).encode()
    async with paused_story(server) as thread:
        before = await thread.seen()

        headers = {"Content-Type": content_type} if content_type else {}
        response = await thread.answer(content=body, headers=headers)

        detail = refused(response, 415, "unsupported_media_type")["detail"]
        assert detail.startswith("request body must be sent with Content-Type: application/json")
        assert (content_type or "none was given") in detail
        assert await thread.seen() == before


async def test_an_answer_nested_deeper_than_32_levels_gets_422(server: Any) -> None:
    async with paused_story(server) as thread:
        before = await thread.seen()
        answer = {"decision": "update", "comments": "fine", "notes": nested(32)}

        response = await thread.answer(json={"answer": answer})

        body = refused(response, 422, "invalid_answer")
        assert body["fields"] == [{"loc": "", "message": "nested deeper than 32 levels"}]
        assert await thread.seen() == before


async def test_unicode_in_comments_is_kept_exactly_as_written(server: Any) -> None:
    comments = "añade un 🐙, עברית \u202e, e\u0301, zero\u200bwidth,\ttabs\nand lines\r\n"
    async with paused_story(server) as thread:
        response = await thread.answer(
            json={"answer": {"decision": "update", "comments": comments}}
        )

        assert response.status_code == 200, response.text
        (decision,) = (await thread.client.get(f"{thread.path}/decisions")).json()["decisions"]
        assert decision["answer"] == {"decision": "update", "comments": comments}
        assert response.json()["pauses"][0]["context"]["revision"] == 2


@pytest.mark.parametrize(
    ("escaped", "message"),
    [
        ("a\\u0000b", "contains the control character U+0000 at 1"),
        ("bell\\u0007", "contains the control character U+0007 at 4"),
        ("\\u001b[31mred", "contains the control character U+001B at 0"),
        ("del\\u007f", "contains the control character U+007F at 3"),
        ("half \\ud83d of an emoji", "contains a lone surrogate U+D83D at 5"),
    ],
    ids=["nul", "bell", "escape", "delete", "lone-surrogate"],
)
async def test_control_characters_and_lone_surrogates_in_comments_get_422_naming_the_field(
    server: Any, escaped: str, message: str
) -> None:
    body = '{"answer": {"decision": "update", "comments": "' + escaped + '"}}'
    async with paused_story(server) as thread:
        before = await thread.seen()

        response = await thread.answer(content=body.encode(), headers=JSON)

        assert refused(response, 422, "invalid_answer")["fields"] == [
            {"loc": "comments", "message": message}
        ]
        assert await thread.seen() == before


async def test_bad_text_in_a_workflow_input_or_a_thread_id_gets_422_and_starts_nothing(
    server: Any,
) -> None:
    async with server.client() as client:
        nul_prompt = await client.post(
            "/api/threads",
            content=b'{"workflow": "story", "input": {"prompt": "a\\u0000b"}}',
            headers=JSON,
        )
        bad_ids = [
            await client.post("/api/threads", json={**STORY, "thread_id": thread_id})
            for thread_id in ("a/b", "a\x00b", "", "x" * 129, "../etc")
        ]
        threads = (await client.get("/api/threads")).json()["threads"]

    assert refused(nul_prompt, 422, "invalid_input")["fields"] == [
        {"loc": "prompt", "message": "contains the control character U+0000 at 1"}
    ]
    for response in bad_ids:
        assert refused(response, 422, "invalid_input")["fields"][0]["loc"] == "thread_id"
    assert threads == []


async def test_an_answer_for_a_pause_that_is_not_pending_gets_409_naming_the_pending_one(
    server: Any,
) -> None:
    async with paused_story(server) as thread:
        before = await thread.seen()

        response = await thread.answer(
            json={"interrupt_id": "not-a-pause", "answer": {"decision": "accept"}}
        )

        detail = refused(response, 409, "conflict")["detail"]
        assert f"pause 'not-a-pause' is not pending on thread '{thread.id}'" in detail
        assert thread.pause["interrupt_id"] in detail
        assert await thread.seen() == before


async def test_a_stale_interrupt_id_after_the_thread_moved_on_gets_409_saying_who_answered(
    server: Any,
) -> None:
    async with paused_story(server) as thread:
        stale = thread.pause["interrupt_id"]
        update = {"interrupt_id": stale, "answer": {"decision": "update", "comments": "more"}}
        moved = await thread.answer(json=update)
        assert moved.status_code == 200, moved.text
        before = await thread.seen()

        response = await thread.answer(
            json={"interrupt_id": stale, "answer": {"decision": "accept"}}
        )

        detail = refused(response, 409, "already_answered")["detail"]
        assert f"pause '{stale}' is not pending" in detail
        assert "answered by 'local'" in detail
        assert moved.json()["pauses"][0]["interrupt_id"] in detail
        assert await thread.seen() == before


async def test_cancel_twice_or_answer_after_cancel_gets_409_and_changes_nothing(
    server: Any,
) -> None:
    async with paused_story(server) as thread:
        cancelled = await thread.client.post(f"{thread.path}/cancel")
        assert cancelled.json()["status"] == "cancelled"
        before = await thread.seen()

        again = await thread.client.post(f"{thread.path}/cancel")
        answer = await thread.answer(json={"answer": {"decision": "accept"}})

        assert refused(again, 409, "conflict")["detail"] == (
            f"thread '{thread.id}' is already cancelled"
        )
        assert refused(answer, 409, "conflict")["detail"] == (
            f"thread '{thread.id}' is cancelled; nothing to answer"
        )
        assert await thread.seen() == before


async def test_deep_nan_or_mistyped_websocket_messages_get_an_error_and_the_socket_works(
    open_ws: Callable[..., Any], keyed_server: Any
) -> None:
    async with keyed_server.client("ann") as client:
        view = (await client.post("/api/threads", json=STORY)).json()
    async with open_ws("ann") as ws:
        for raw in ("[" * 100_000, '{"type": "status", "thread_id": NaN}', "[1]"):
            await ws.connection.send(raw)
            (error,) = await ws.until(lambda m: m["type"] == "error")
            assert error["error"] == "invalid_request", error
        await ws.send({"type": "start", "prompt": "hi", "thread_id": 7})
        (typed,) = await ws.until(lambda m: m["type"] == "error")
        assert typed["fields"] == [{"loc": "thread_id", "message": "not text"}]

        await ws.send({"type": "status", "thread_id": view["thread_id"]})
        replies = await ws.until(lambda m: m["type"] == "response")

    assert replies[-1]["thread_id"] == view["thread_id"]
    assert replies[-1]["status"] == "pending_user_input"


async def test_starting_a_thread_under_an_id_in_use_gets_409_and_leaves_the_first_alone(
    server: Any,
) -> None:
    async with server.client() as client:
        first = await client.post("/api/threads", json={**STORY, "thread_id": "review-42"})
        assert first.status_code == 201, first.text
        thread = Thread(client, first.json())
        before = await thread.seen()

        again = await client.post(
            "/api/threads",
            json={"workflow": "story", "input": {"prompt": "another"}, "thread_id": "review-42"},
        )

        assert refused(again, 409, "conflict")["detail"] == "thread 'review-42' already exists"
        assert await thread.seen() == before

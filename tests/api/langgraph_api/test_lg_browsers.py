"""What browsers need of the LangGraph API (LangGraph Studio's page on smith.langchain.com
calling a server on 127.0.0.1): CORS for the configured origins, the private-network preflight,
JSON sent as text/plain; and the parts of the API not served, answered 501 saying so."""

from __future__ import annotations

import json
import re
import sysconfig
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_sync_client

from pausepoint.settings import Settings

STUDIO = "https://smith.langchain.com"
ELSEWHERE = "https://elsewhere.example"
#: The API as langgraph-api declares it (the wheel installs it at the top of site-packages).
LANGGRAPH_OPENAPI = Path(sysconfig.get_paths()["purelib"]) / "openapi.json"
METHODS = {"get", "put", "post", "patch", "delete"}


@pytest.fixture
def cors_env() -> str | None:
    """PAUSEPOINT_CORS_ORIGINS as a test sets it (through parametrize); None leaves it unset."""
    return None


@pytest.fixture
def settings(settings: Settings, cors_env: str | None, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The servers' settings, their CORS origins read from the environment when a test sets
    PAUSEPOINT_CORS_ORIGINS."""
    if cors_env is None:
        return settings
    monkeypatch.setenv("PAUSEPOINT_CORS_ORIGINS", cors_env)
    return Settings(database_url=settings.database_url, model="offline", _env_file=None)  # type: ignore[call-arg]


def preflight(origin: str, method: str = "POST") -> dict[str, str]:
    """The headers of Chrome's preflight for a call to a private address with a key."""
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "content-type,x-api-key",
        "Access-Control-Request-Private-Network": "true",
    }


# CORS


async def test_studio_may_call_a_private_address_with_an_api_key(server: Any) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        answer = await http.options("/threads/search", headers=preflight(STUDIO))

    assert answer.status_code == 200, answer.text
    assert answer.headers["access-control-allow-origin"] == STUDIO
    assert answer.headers["access-control-allow-private-network"] == "true"
    assert answer.headers["access-control-allow-credentials"] == "true"
    allowed = {h.strip() for h in answer.headers["access-control-allow-headers"].split(",")}
    assert {"x-api-key", "content-type"} <= allowed
    assert "POST" in answer.headers["access-control-allow-methods"]


async def test_on_a_keyed_server_the_preflight_needs_no_key_and_a_refusal_is_readable(
    keyed_server: Any, api_keys: dict[str, str]
) -> None:
    async with httpx.AsyncClient(base_url=keyed_server.url) as http:
        answer = await http.options("/threads/search", headers=preflight(STUDIO))
        refused = await http.post("/threads/search", json={}, headers={"Origin": STUDIO})
        allowed = await http.post(
            "/threads/search", json={}, headers={"Origin": STUDIO, "x-api-key": api_keys["ann"]}
        )

    assert answer.status_code == 200
    assert answer.headers["access-control-allow-private-network"] == "true"
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == STUDIO
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == STUDIO


async def test_a_page_from_studio_may_read_the_paging_headers(server: Any) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        found = await http.post("/assistants/search", json={"limit": 1}, headers={"Origin": STUDIO})

    assert found.status_code == 200
    assert found.headers["access-control-allow-origin"] == STUDIO
    exposed = {h.strip() for h in found.headers["access-control-expose-headers"].split(",")}
    assert {"X-Pagination-Total", "X-Pagination-Next"} <= exposed
    assert int(found.headers["x-pagination-total"]) >= 1


async def test_an_origin_not_configured_is_given_no_cors_access(server: Any) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        answer = await http.options("/threads/search", headers=preflight(ELSEWHERE))
        found = await http.post("/threads/search", json={}, headers={"Origin": ELSEWHERE})

    assert answer.status_code == 400
    assert "access-control-allow-origin" not in answer.headers
    assert found.status_code == 200
    assert "access-control-allow-origin" not in found.headers


@pytest.mark.parametrize(
    "cors_env",
    [
        "https://app.example, http://localhost:3000/",
        '["https://app.example", "http://localhost:3000"]',
    ],
)
async def test_origins_set_in_the_environment_replace_studios(server: Any) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        app = await http.options("/threads", headers=preflight("https://app.example"))
        local = await http.options("/threads", headers=preflight("http://localhost:3000"))
        studio = await http.options("/threads", headers=preflight(STUDIO))

    assert app.headers["access-control-allow-origin"] == "https://app.example"
    assert local.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert local.headers["access-control-allow-private-network"] == "true"
    assert studio.status_code == 400
    assert "access-control-allow-origin" not in studio.headers


@pytest.mark.parametrize("cors_env", [""])
async def test_an_empty_origins_setting_turns_cors_off(server: Any) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        answer = await http.options("/threads/search", headers=preflight(STUDIO))
        found = await http.post("/threads/search", json={}, headers={"Origin": STUDIO})

    assert "access-control-allow-origin" not in answer.headers
    assert "access-control-allow-private-network" not in answer.headers
    assert found.status_code == 200
    assert "access-control-allow-origin" not in found.headers


# JSON sent as text/plain


async def test_json_sent_as_text_plain_creates_a_thread(server: Any) -> None:
    body = json.dumps({"metadata": {"team": "red"}})
    async with httpx.AsyncClient(base_url=server.url) as http:
        created = await http.post(
            "/threads", content=body, headers={"content-type": "text/plain;charset=UTF-8"}
        )
        read = await http.get(f"/threads/{created.json()['thread_id']}")

    assert created.status_code == 200, created.text
    assert created.json()["metadata"]["team"] == "red"
    assert read.status_code == 200
    assert read.json()["metadata"]["team"] == "red"


async def test_text_plain_that_is_not_json_gets_the_422_of_bad_json(server: Any) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        plain = await http.post(
            "/threads", content="{not json", headers={"content-type": "text/plain"}
        )
        as_json = await http.post(
            "/threads", content="{not json", headers={"content-type": "application/json"}
        )
        threads = await http.post("/threads/search", json={})

    assert plain.status_code == 422
    assert plain.json()["error"] == "invalid_request"
    assert plain.json() == as_json.json()
    assert threads.json() == []


async def test_pausepoints_own_api_still_refuses_text_plain(server: Any) -> None:
    body = json.dumps({"workflow": "story", "input": {"prompt": "a fox"}})
    async with httpx.AsyncClient(base_url=server.url) as http:
        refused = await http.post(
            "/api/threads", content=body, headers={"content-type": "text/plain"}
        )

    assert refused.status_code == 415
    assert refused.json()["error"] == "unsupported_media_type"


# Not supported: crons and the store


def unsupported_routes() -> list[tuple[str, str]]:
    """Every (method, path) langgraph-api serves for crons and the store, ids filled in."""
    paths: dict[str, dict[str, Any]] = json.loads(LANGGRAPH_OPENAPI.read_text())["paths"]
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "some-id", path))
        for path, operations in paths.items()
        if "/crons" in path or path.startswith("/store/")
        for method in operations
        if method in METHODS
    ]


async def test_every_cron_and_store_route_answers_501_saying_it_is_not_supported(
    server: Any,
) -> None:
    routes = unsupported_routes()
    async with httpx.AsyncClient(base_url=server.url) as http:
        answers = {(m, p): await http.request(m, p, json={}) for m, p in routes}

    assert len(routes) >= 12
    for (method, path), answer in answers.items():
        what = "crons are" if "/crons" in path else "the store API is"
        assert answer.status_code == 501, (method, path, answer.text)
        assert answer.json() == {
            "error": "not_supported",
            "detail": f"{what} not supported by Pausepoint "
            "(see README: The LangGraph API, what is not supported)",
            "fields": [],
        }


def test_langgraph_sdk_cron_and_store_calls_fail_with_the_message(server: Any) -> None:
    with get_sync_client(url=server.url) as client:
        with pytest.raises(httpx.HTTPStatusError) as cron:
            client.crons.create("story", schedule="* * * * *")
        with pytest.raises(httpx.HTTPStatusError) as store:
            client.store.put_item(["notes"], key="k", value={"v": 1})

    assert cron.value.response.status_code == 501
    assert "crons are not supported by Pausepoint" in cron.value.response.json()["detail"]
    assert store.value.response.status_code == 501
    assert "store API is not supported" in store.value.response.json()["detail"]

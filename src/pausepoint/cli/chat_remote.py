"""The chat's remote backend: the same calls as ThreadService, over a running server's HTTP API.

`pausepoint chat --url URL` uses it instead of opening the database; the server's error
bodies (`{"error": code, "detail": ..., "fields": [...]}`) come back as the same domain errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from pausepoint import errors
from pausepoint.domain import InboxItem, ThreadStatus, ThreadSummary, ThreadView
from pausepoint.errors import PausepointError


def _error_classes() -> dict[str, type[PausepointError]]:
    def walk(cls: type[PausepointError]) -> Iterator[type[PausepointError]]:
        yield cls
        for sub in cls.__subclasses__():
            yield from walk(sub)

    return {cls.code: cls for cls in walk(errors.PausepointError)}


class RemoteThreads:
    """Start, read and answer threads on a Pausepoint server (`/api/threads`, `/api/inbox`)."""

    def __init__(self, url: str, *, key: str | None = None, timeout: float = 600.0) -> None:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._client = httpx.AsyncClient(base_url=url.rstrip("/"), headers=headers, timeout=timeout)
        self._errors = _error_classes()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = await self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise errors.ConfigurationError(f"cannot reach {self._client.base_url}: {exc}") from exc
        if response.is_success:
            return response.json()
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        cls = self._errors.get(str(body.get("error")), PausepointError)
        detail = str(body.get("detail") or f"HTTP {response.status_code}")
        raise cls(detail, fields=body.get("fields") or None)

    async def start(self, workflow: str, input: dict[str, Any], actor: str) -> ThreadView:
        data = await self._call("POST", "/api/threads", json={"workflow": workflow, "input": input})
        return ThreadView.model_validate(data)

    async def get(self, thread_id: str) -> ThreadView:
        return ThreadView.model_validate(await self._call("GET", f"/api/threads/{thread_id}"))

    async def answer(
        self, thread_id: str, answer: Any, actor: str, *, interrupt_id: str | None = None
    ) -> ThreadView:
        body: dict[str, Any] = {"answer": answer}
        if interrupt_id is not None:
            body["interrupt_id"] = interrupt_id
        data = await self._call("POST", f"/api/threads/{thread_id}/answers", json=body)
        return ThreadView.model_validate(data)

    async def list_threads(
        self, status: ThreadStatus | None = None, *, limit: int = 50, offset: int = 0
    ) -> list[ThreadSummary]:
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if status is not None:
            params["status"] = str(status)
        data = await self._call("GET", "/api/threads", params=params)
        return [ThreadSummary.model_validate(t) for t in data.get("threads", [])]

    async def inbox(self, actor: str, *, limit: int = 50, offset: int = 0) -> list[InboxItem]:
        data = await self._call("GET", "/api/inbox", params={"limit": limit, "offset": offset})
        return [InboxItem.model_validate(i) for i in data.get("inbox", [])]
